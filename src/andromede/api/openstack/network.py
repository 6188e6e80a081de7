"""Neutron v2.0 at /network: one shared provider network per region, with its subnet;
list (with name and id filters) and show. Addresses are allocated from the subnet when a
server is created, and shown in its ``addresses``."""

from typing import Any

from fastapi import APIRouter, Request

from andromede.api.context import app_of, run
from andromede.api.openstack.identity import base_url
from andromede.api.openstack.nova_views import iso
from andromede.kernel.errors import NotFound

router = APIRouter(prefix="/network", tags=["openstack network"])


@router.get("")
@router.get("/")
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
        "project_id": "",
        "tenant_id": "",
        "description": f"provider network of region {n.region_code}",
        "created_at": iso(n.created_at),
        "updated_at": iso(n.created_at),
    }


def subnet_view(n: Any) -> dict[str, Any]:
    gateway = n.cidr.rsplit(".", 2)[0] + ".0.1"
    return {
        "id": subnet_id(n.id),
        "name": f"{n.name}-v4",
        "network_id": n.id,
        "ip_version": 4,
        "cidr": n.cidr,
        "gateway_ip": gateway,
        "enable_dhcp": True,
        "project_id": "",
        "tenant_id": "",
    }


def _networks(request: Request) -> Any:
    """Provider networks are made on first use, so listing may write them."""
    app = app_of(request)
    return run(request, lambda s, c: app.compute.list_networks(s), write=True)


@router.get("/v2.0/networks")
def list_networks(request: Request) -> Any:
    params = request.query_params
    rows = _networks(request)
    for key in ("name", "id"):
        if params.get(key):
            rows = [n for n in rows if getattr(n, key) == params[key]]
    return {"networks": [network_view(n) for n in rows]}


@router.get("/v2.0/networks/{network_id}")
def show_network(network_id: str, request: Request) -> Any:
    found = [n for n in _networks(request) if n.id == network_id]
    if not found:
        raise NotFound("network", network_id)
    return {"network": network_view(found[0])}


@router.get("/v2.0/subnets")
def list_subnets(request: Request) -> Any:
    return {"subnets": [subnet_view(n) for n in _networks(request)]}
