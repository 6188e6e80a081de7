"""Neutron v2.0 at /network: one shared provider network per region, with its subnet;
list (with name and id filters) and show. Addresses are allocated from the subnet when a
server is created, and shown in its ``addresses``."""

import ipaddress
from typing import Any

from fastapi import APIRouter, Request

from andromede.api.context import app_of, run
from andromede.api.openstack.envelopes import declares
from andromede.api.openstack.identity import base_url
from andromede.api.openstack.nova_views import iso
from andromede.kernel.errors import NotFound

router = APIRouter(prefix="/network", tags=["openstack network"])


@router.get("", **declares("Versions"))
@router.get("/", **declares("Versions"))
def versions(request: Request) -> dict[str, Any]:
    href = f"{base_url(request)}/network/v2.0/"
    return {
        "versions": [{"id": "v2.0", "status": "CURRENT", "links": [{"rel": "self", "href": href}]}]
    }


def subnet_id(network_id: str) -> str:
    return network_id[:-4] + "5b5b"  # a stable id of its own for the network's one subnet


def network_view(n: Any) -> dict[str, Any]:
    return {
        "id": n.id,
        "name": n.name,
        "status": "ACTIVE",
        "admin_state_up": True,
        "shared": n.shared,
        "router:external": False,
        "subnets": [subnet_id(n.id)],
        "availability_zones": [n.region_code],
        "mtu": 1500,
        "project_id": n.project_id or "",
        "tenant_id": n.project_id or "",
        "description": (
            f"provider network of region {n.region_code}"
            if n.shared
            else f"the project's network in region {n.region_code}"
        ),
        "created_at": iso(n.created_at),
        "updated_at": iso(n.created_at),
    }


def subnet_view(n: Any) -> dict[str, Any]:
    gateway = str(ipaddress.ip_network(n.cidr).network_address + 1)
    return {
        "id": subnet_id(n.id),
        "name": f"{n.name}-v4",
        "network_id": n.id,
        "ip_version": 4,
        "cidr": n.cidr,
        "gateway_ip": gateway,
        "enable_dhcp": True,
        "project_id": n.project_id or "",
        "tenant_id": n.project_id or "",
    }


def _networks(request: Request) -> Any:
    """Networks are made on first use, so listing may write them."""
    app = app_of(request)
    return run(
        request,
        lambda s, c: app.networks.list_networks(s, c, c.actor.project_id),
        write=True,
    )


FILTERS = ("id", "name", "shared", "project_id", "tenant_id", "router:external", "status")


@router.get("/v2.0/networks", **declares("Networks"))
def list_networks(request: Request) -> Any:
    """Filters as Neutron's: any field of the network, compared as text."""
    views = [network_view(n) for n in _networks(request)]
    for key in FILTERS:
        wanted = request.query_params.get(key)
        if wanted is not None:
            views = [v for v in views if str(v[key]).lower() == wanted.lower()]
    return {"networks": views}


@router.get("/v2.0/networks/{network_id}", **declares("Network"))
def show_network(network_id: str, request: Request) -> Any:
    found = [n for n in _networks(request) if n.id == network_id]
    if not found:
        raise NotFound("network", network_id)
    return {"network": network_view(found[0])}


@router.get("/v2.0/subnets", **declares("Subnets"))
def list_subnets(request: Request) -> Any:
    return {"subnets": [subnet_view(n) for n in _networks(request)]}
