"""/v1 networking: a project's networks and their subnets, subnet pools and ports (its
routers and floating IPs are ``routers``'s). The same services as Neutron's API at
/network, with the native API's shapes: typed bodies, problem+json refusals."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from fastapi import Request, Response

from andromede.api.context import app_of, page, run
from andromede.api.resource_routes import create, one, remove, update
from andromede.api.v1.responses import (
    NetworkOut,
    Page,
    PortOut,
    SubnetOut,
    SubnetPoolOut,
    answers,
)
from andromede.api.v1.router import v1_router
from andromede.api.v1.schemas import Body, Limit
from andromede.audit.actions import AuditAction

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from andromede.bootstrap import App
    from andromede.tenancy.scope import Caller

router = v1_router(tags=["networks"])


class Range(Body):
    start: str
    end: str


class Route(Body):
    destination: str
    nexthop: str


class NetworkBody(Body):
    project_id: str
    name: str
    description: str = ""
    region: str | None = None  # the first region the residency policy allows, if unsaid


class NetworkPatch(Body):
    name: str | None = None
    description: str | None = None
    admin_state_up: bool | None = None


class SubnetBody(Body):
    name: str = ""
    ip_version: int = 4
    cidr: str | None = None
    subnetpool_id: str | None = None
    prefixlen: int | None = None
    gateway_ip: str | None = None
    no_gateway: bool = False
    enable_dhcp: bool = True
    allocation_pools: list[Range] | None = None
    dns_nameservers: list[str] | None = None
    host_routes: list[Route] | None = None


class SubnetPatch(Body):
    name: str | None = None
    gateway_ip: str | None = None
    enable_dhcp: bool | None = None
    allocation_pools: list[Range] | None = None
    dns_nameservers: list[str] | None = None
    host_routes: list[Route] | None = None


class PortBody(Body):
    project_id: str
    network_id: str
    name: str = ""
    subnet_id: str | None = None
    address: str | None = None
    security_groups: list[str] | None = None


class PoolBody(Body):
    project_id: str
    name: str
    prefixes: list[str]
    default_prefixlen: int | None = None
    min_prefixlen: int | None = None
    max_prefixlen: int | None = None


def after(rows: list[Any], limit: int, marker: str | None) -> list[Any]:
    """A page of a list read whole (a project's networks, routers, pools are few)."""
    return [r for r in sorted(rows, key=lambda r: r.id) if marker is None or r.id > marker][:limit]


def paged(
    request: Request,
    fetch: Callable[[Session, Caller], list[Any]],
    view: Callable[[Session, Caller, list[Any]], Callable[[Any], dict[str, Any]]],
    limit: int,
    marker: str | None,
) -> Any:
    """A page of what ``fetch`` reads, each row through the view ``view`` makes for the
    page (views that read more, such as ports' groups, read it once per page)."""

    def work(session: Session, caller: Caller) -> Any:
        rows = after(fetch(session, caller), limit, marker)
        return page(rows, limit, view(session, caller, rows))

    return run(request, work)


def given(body: Body) -> dict[str, Any]:
    """The fields sent, as the services take them (Neutron's names)."""
    return body.model_dump(exclude_unset=True, exclude={"project_id", "region"})


def hints(region: str | None) -> dict[str, Any]:
    return {} if region is None else {"availability_zone_hints": [region]}


def subnet_view(s: Any) -> dict[str, Any]:
    return {
        "id": s.id,
        "network_id": s.network_id,
        "name": s.name,
        "ip_version": s.ip_version,
        "cidr": s.cidr,
        "gateway_ip": s.gateway_ip,
        "enable_dhcp": s.enable_dhcp,
        "allocation_pools": [{"start": a, "end": b} for a, b in s.pools],
        "dns_nameservers": list(s.dns_nameservers),
        "host_routes": [{"destination": d, "nexthop": h} for d, h in s.host_routes],
        "subnetpool_id": s.subnetpool_id,
    }


def _network_views(app: App, session: Session, networks: list[Any]) -> list[dict[str, Any]]:
    subnets = app.vnets.subnets_of(session, [n.id for n in networks])
    return [
        {
            "id": n.id,
            "name": n.name,
            "description": n.description,
            "project_id": n.project_id,
            "region": n.region_code,
            "shared": n.shared,
            "external": n.external,
            "admin_state_up": n.admin_state_up,
            "subnets": [subnet_view(s) for s in subnets if s.network_id == n.id],
        }
        for n in networks
    ]


def _network(change: Any) -> Any:
    def call(app: App, session: Session, caller: Caller) -> dict[str, Any]:
        return _network_views(app, session, [change(app, session, caller)])[0]

    return call


@router.post("/networks", status_code=201, **answers(NetworkOut))
def create_network(body: NetworkBody, request: Request) -> Any:
    fields = {**given(body), **hints(body.region)}
    return create(
        request,
        _network(lambda a, s, c: a.vnets.create_network(s, c, body.project_id, fields)),
        dict,
        AuditAction.NETWORK_CREATE,
    )


@router.get("/networks", **answers(Page[NetworkOut]))
def list_networks(
    request: Request, limit: int = Limit, marker: str | None = None, project_id: str | None = None
) -> Any:
    """The shared networks, and the project's own (those the cloud makes, made on first
    look), or every network the caller sees."""
    app = app_of(request)

    def work(session: Session, caller: Caller) -> Any:
        rows = after(app.vnets.list_networks(session, caller, project_id), limit, marker)
        views = {v["id"]: v for v in _network_views(app, session, rows)}
        return page(rows, limit, lambda n: views[n.id])

    return run(request, work, write=True)  # the cloud's networks are made on first look


@router.get("/networks/{network_id}", **answers(NetworkOut))
def get_network(network_id: str, request: Request) -> Any:
    return one(request, _network(lambda a, s, c: a.vnets.get_network(s, c, network_id)), dict)


@router.patch("/networks/{network_id}", **answers(NetworkOut))
def update_network(network_id: str, body: NetworkPatch, request: Request) -> Any:
    return update(
        request,
        _network(lambda a, s, c: a.vnets.update_network(s, c, network_id, given(body))),
        dict,
        AuditAction.NETWORK_UPDATE,
        network_id,
    )


@router.delete("/networks/{network_id}", status_code=204)
def delete_network(network_id: str, request: Request) -> Response:
    return remove(
        request,
        lambda a, s, c: a.vnets.delete_network(s, c, network_id),
        AuditAction.NETWORK_DELETE,
        network_id,
    )


def _subnet_fields(body: SubnetBody | SubnetPatch) -> dict[str, Any]:
    fields = given(body)
    if fields.pop("no_gateway", False):
        fields["gateway_ip"] = None
    return fields


@router.post("/networks/{network_id}/subnets", status_code=201, **answers(SubnetOut))
def create_subnet(network_id: str, body: SubnetBody, request: Request) -> Any:
    fields = _subnet_fields(body)
    return create(
        request,
        lambda a, s, c: a.vnets.create_subnet(s, c, network_id, fields),
        subnet_view,
        AuditAction.SUBNET_CREATE,
    )


@router.get("/subnets/{subnet_id}", **answers(SubnetOut))
def get_subnet(subnet_id: str, request: Request) -> Any:
    return one(request, lambda a, s, c: a.vnets.get_subnet(s, c, subnet_id), subnet_view)


@router.patch("/subnets/{subnet_id}", **answers(SubnetOut))
def update_subnet(subnet_id: str, body: SubnetPatch, request: Request) -> Any:
    fields = _subnet_fields(body)
    return update(
        request,
        lambda a, s, c: a.vnets.update_subnet(s, c, subnet_id, fields),
        subnet_view,
        AuditAction.SUBNET_UPDATE,
        subnet_id,
    )


@router.delete("/subnets/{subnet_id}", status_code=204)
def delete_subnet(subnet_id: str, request: Request) -> Response:
    return remove(
        request,
        lambda a, s, c: a.vnets.delete_subnet(s, c, subnet_id),
        AuditAction.SUBNET_DELETE,
        subnet_id,
    )


def port_views(app: App, session: Session, ports: list[Any]) -> list[dict[str, Any]]:
    groups = app.ports.security_groups(session, ports)
    return [
        {
            "id": p.id,
            "network_id": p.network_id,
            "project_id": p.project_id,
            "name": p.name,
            "subnet_id": p.subnet_id,
            "address": p.address,
            "mac": p.mac,
            "device_owner": p.device_owner,
            "device_id": p.device_id,
            "admin_state_up": p.admin_state_up,
            "security_groups": groups[p.id],
        }
        for p in ports
    ]


def _port(change: Any) -> Any:
    def call(app: App, session: Session, caller: Caller) -> dict[str, Any]:
        return port_views(app, session, [change(app, session, caller)])[0]

    return call


@router.post("/ports", status_code=201, **answers(PortOut))
def create_port(body: PortBody, request: Request) -> Any:
    fields: dict[str, Any] = {"network_id": body.network_id, "name": body.name}
    if body.subnet_id or body.address:
        fields["fixed_ips"] = [
            {k: v for k, v in (("subnet_id", body.subnet_id), ("ip_address", body.address)) if v}
        ]
    if body.security_groups is not None:
        fields["security_groups"] = body.security_groups
    return create(
        request,
        _port(lambda a, s, c: a.ports.create_port(s, c, body.project_id, fields)),
        dict,
        AuditAction.PORT_CREATE,
    )


@router.get("/ports", **answers(Page[PortOut]))
def list_ports(
    request: Request,
    limit: int = Limit,
    marker: str | None = None,
    project_id: str | None = None,
    network_id: str | None = None,
) -> Any:
    app = app_of(request)

    def fetch(session: Session, caller: Caller) -> list[Any]:
        ports = app.ports.list_ports(session, caller, project_id)
        return [p for p in ports if network_id in (None, p.network_id)]

    def view(session: Session, caller: Caller, rows: list[Any]) -> Any:
        views = {v["id"]: v for v in port_views(app, session, rows)}
        return lambda p: views[p.id]

    return paged(request, fetch, view, limit, marker)


@router.get("/ports/{port_id}", **answers(PortOut))
def get_port(port_id: str, request: Request) -> Any:
    return one(request, _port(lambda a, s, c: a.ports.get_port(s, c, port_id)), dict)


@router.delete("/ports/{port_id}", status_code=204)
def delete_port(port_id: str, request: Request) -> Response:
    return remove(
        request,
        lambda a, s, c: a.ports.delete_port(s, c, port_id),
        AuditAction.PORT_DELETE,
        port_id,
    )


def pool_view(p: Any) -> dict[str, Any]:
    return {
        "id": p.id,
        "name": p.name,
        "project_id": p.project_id,
        "ip_version": p.ip_version,
        "prefixes": list(p.prefixes),
        "default_prefixlen": p.default_prefixlen,
        "min_prefixlen": p.min_prefixlen,
        "max_prefixlen": p.max_prefixlen,
    }


@router.post("/subnet-pools", status_code=201, **answers(SubnetPoolOut))
def create_pool(body: PoolBody, request: Request) -> Any:
    fields = {k: v for k, v in given(body).items() if v is not None}
    return create(
        request,
        lambda a, s, c: a.vnets.create_pool(s, c, body.project_id, fields),
        pool_view,
        AuditAction.SUBNET_POOL_CREATE,
    )


@router.get("/subnet-pools", **answers(Page[SubnetPoolOut]))
def list_pools(
    request: Request, limit: int = Limit, marker: str | None = None, project_id: str | None = None
) -> Any:
    app = app_of(request)
    return paged(
        request,
        lambda s, c: app.vnets.list_pools(s, c, project_id),
        lambda s, c, rows: pool_view,
        limit,
        marker,
    )


@router.delete("/subnet-pools/{pool_id}", status_code=204)
def delete_pool(pool_id: str, request: Request) -> Response:
    return remove(
        request,
        lambda a, s, c: a.vnets.delete_pool(s, c, pool_id),
        AuditAction.SUBNET_POOL_DELETE,
        pool_id,
    )
