"""Neutron v2.0 at /network: networks and subnets. The region's provider network (shared
and external: routers take their gateway there) and each project's own network per region
are made by the cloud on first look; customers make more, with IPv4 and IPv6 subnets.
Lists take Neutron's filters and ``fields``; creates take one item or a bulk list."""

from typing import Any

from fastapi import APIRouter, Body, Request, Response

from andromede.api.context import app_of, run
from andromede.api.openstack.envelopes import declares
from andromede.api.openstack.identity import base_url
from andromede.api.openstack.neutron_lists import body_of, bulk_of, cut, filtered
from andromede.api.openstack.nova_views import iso
from andromede.api.resource_routes import remove
from andromede.audit.actions import AuditAction

router = APIRouter(prefix="/network", tags=["openstack network"])

NETWORK_FILTERS = (
    "id",
    "name",
    "shared",
    "project_id",
    "tenant_id",
    "router:external",
    "status",
    "admin_state_up",
    "description",
)
SUBNET_FILTERS = (
    "id",
    "name",
    "network_id",
    "ip_version",
    "cidr",
    "gateway_ip",
    "enable_dhcp",
    "project_id",
    "tenant_id",
    "subnetpool_id",
)


@router.get("", **declares("Versions"))
@router.get("/", **declares("Versions"))
def versions(request: Request) -> dict[str, Any]:
    href = f"{base_url(request)}/network/v2.0/"
    return {
        "versions": [{"id": "v2.0", "status": "CURRENT", "links": [{"rel": "self", "href": href}]}]
    }


def network_view(n: Any, subnet_ids: list[str]) -> dict[str, Any]:
    made_by_cloud = n.key is not None
    description = n.description
    if made_by_cloud and not description:
        description = (
            f"provider network of region {n.region_code}"
            if n.shared
            else f"the project's network in region {n.region_code}"
        )
    return {
        "id": n.id,
        "name": n.name,
        "status": "ACTIVE",
        "admin_state_up": n.admin_state_up,
        "shared": n.shared,
        "router:external": n.external,
        "subnets": subnet_ids,
        "availability_zones": [n.region_code],
        "availability_zone_hints": [],
        "mtu": 1500,
        "port_security_enabled": True,
        "ipv4_address_scope": None,
        "ipv6_address_scope": None,
        "project_id": n.project_id or "",
        "tenant_id": n.project_id or "",
        "description": description,
        "tags": [],
        "revision_number": 0,
        "created_at": iso(n.created_at),
        "updated_at": iso(n.updated_at or n.created_at),
    }


def subnet_view(s: Any) -> dict[str, Any]:
    return {
        "id": s.id,
        "name": s.name,
        "network_id": s.network_id,
        "ip_version": s.ip_version,
        "cidr": s.cidr,
        "gateway_ip": s.gateway_ip,
        "enable_dhcp": s.enable_dhcp,
        "allocation_pools": [{"start": a, "end": b} for a, b in s.pools],
        "dns_nameservers": list(s.dns_nameservers),
        "host_routes": [{"destination": d, "nexthop": h} for d, h in s.host_routes],
        "subnetpool_id": s.subnetpool_id,
        "ipv6_ra_mode": None,
        "ipv6_address_mode": None,
        "service_types": [],
        "description": s.description,
        "project_id": s.project_id or "",
        "tenant_id": s.project_id or "",
        "tags": [],
        "revision_number": 0,
        "created_at": iso(s.created_at),
        "updated_at": iso(s.updated_at),
    }


def _network_views(app: Any, session: Any, networks: list[Any]) -> list[dict[str, Any]]:
    subnets = app.vnets.subnets_of(session, [n.id for n in networks])
    return [network_view(n, [s.id for s in subnets if s.network_id == n.id]) for n in networks]


@router.get("/v2.0/networks", **declares("Networks"))
def list_networks(request: Request) -> Any:
    app = app_of(request)

    def work(session: Any, caller: Any) -> Any:
        networks = app.networks.list_networks(session, caller, caller.actor.project_id)
        return _network_views(app, session, networks)

    views = run(request, work, write=True)  # the cloud's networks are made on first look
    return {"networks": filtered(request, views, NETWORK_FILTERS)}


@router.post("/v2.0/networks", status_code=201, **declares("Network", 201))
def create_network(request: Request, body: dict[str, Any] = Body(...)) -> Any:
    app = app_of(request)
    items, bulk = bulk_of(body, "network", "networks")

    def work(session: Any, caller: Any) -> Any:
        made = [
            app.vnets.create_network(session, caller, caller.actor.project_id or "", item)
            for item in items
        ]
        return _network_views(app, session, made)

    views = run(request, work, write=True, action=AuditAction.NETWORK_CREATE, target_type="network")
    return {"networks": views} if bulk else {"network": views[0]}


@router.get("/v2.0/networks/{network_id}", **declares("Network"))
def show_network(network_id: str, request: Request) -> Any:
    app = app_of(request)

    def work(session: Any, caller: Any) -> Any:
        return _network_views(app, session, [app.vnets.get_network(session, caller, network_id)])

    return {"network": cut(request, run(request, work)[0])}


@router.put("/v2.0/networks/{network_id}", **declares("Network"))
def update_network(network_id: str, request: Request, body: dict[str, Any] = Body(...)) -> Any:
    app = app_of(request)
    fields = body_of(body, "network")

    def work(session: Any, caller: Any) -> Any:
        network = app.vnets.update_network(session, caller, network_id, fields)
        return _network_views(app, session, [network])[0]

    view = run(
        request,
        work,
        write=True,
        action=AuditAction.NETWORK_UPDATE,
        target_type="network",
        target_id=network_id,
    )
    return {"network": view}


@router.delete("/v2.0/networks/{network_id}", status_code=204, response_class=Response)
def delete_network(network_id: str, request: Request) -> Response:
    return remove(
        request,
        lambda a, s, c: a.vnets.delete_network(s, c, network_id),
        AuditAction.NETWORK_DELETE,
        network_id,
    )


@router.get("/v2.0/subnets", **declares("Subnets"))
def list_subnets(request: Request) -> Any:
    app = app_of(request)
    views = run(
        request,
        lambda s, c: [subnet_view(x) for x in app.vnets.list_subnets(s, c, c.actor.project_id)],
        write=True,
    )
    return {"subnets": filtered(request, views, SUBNET_FILTERS)}


@router.post("/v2.0/subnets", status_code=201, **declares("Subnet", 201))
def create_subnet(request: Request, body: dict[str, Any] = Body(...)) -> Any:
    app = app_of(request)
    items, bulk = bulk_of(body, "subnet", "subnets")

    def work(session: Any, caller: Any) -> Any:
        return [
            subnet_view(
                app.vnets.create_subnet(session, caller, str(item.get("network_id") or ""), item)
            )
            for item in items
        ]

    views = run(request, work, write=True, action=AuditAction.SUBNET_CREATE, target_type="subnet")
    return {"subnets": views} if bulk else {"subnet": views[0]}


@router.get("/v2.0/subnets/{subnet_id}", **declares("Subnet"))
def show_subnet(subnet_id: str, request: Request) -> Any:
    app = app_of(request)
    view = run(request, lambda s, c: subnet_view(app.vnets.get_subnet(s, c, subnet_id)))
    return {"subnet": cut(request, view)}


@router.put("/v2.0/subnets/{subnet_id}", **declares("Subnet"))
def update_subnet(subnet_id: str, request: Request, body: dict[str, Any] = Body(...)) -> Any:
    app = app_of(request)
    fields = body_of(body, "subnet")
    view = run(
        request,
        lambda s, c: subnet_view(app.vnets.update_subnet(s, c, subnet_id, fields)),
        write=True,
        action=AuditAction.SUBNET_UPDATE,
        target_type="subnet",
        target_id=subnet_id,
    )
    return {"subnet": view}


@router.delete("/v2.0/subnets/{subnet_id}", status_code=204, response_class=Response)
def delete_subnet(subnet_id: str, request: Request) -> Response:
    return remove(
        request,
        lambda a, s, c: a.vnets.delete_subnet(s, c, subnet_id),
        AuditAction.SUBNET_DELETE,
        subnet_id,
    )
