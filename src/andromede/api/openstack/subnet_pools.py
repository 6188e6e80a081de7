"""Neutron v2.0 subnet pools at /network: a project's blocks its subnets are carved from
(``subnetpool_id`` + ``prefixlen`` on a subnet create), on the virtual network service."""

from typing import Any

from fastapi import APIRouter, Body, Request, Response

from andromede.api.context import app_of, run
from andromede.api.openstack.envelopes import declares
from andromede.api.openstack.neutron_lists import body_of, cut, filtered
from andromede.api.openstack.nova_views import iso
from andromede.api.resource_routes import remove
from andromede.audit.actions import AuditAction

router = APIRouter(prefix="/network/v2.0", tags=["openstack network"])

FILTERS = ("id", "name", "ip_version", "project_id", "tenant_id", "shared", "is_default")


def pool_view(p: Any) -> dict[str, Any]:
    return {
        "id": p.id,
        "name": p.name,
        "description": p.description,
        "ip_version": p.ip_version,
        "prefixes": list(p.prefixes),
        "default_prefixlen": p.default_prefixlen,
        "min_prefixlen": p.min_prefixlen,
        "max_prefixlen": p.max_prefixlen,
        "default_quota": None,
        "address_scope_id": None,
        "shared": False,
        "is_default": False,
        "project_id": p.project_id,
        "tenant_id": p.project_id,
        "tags": [],
        "revision_number": 0,
        "created_at": iso(p.created_at),
        "updated_at": iso(p.updated_at),
    }


@router.get("/subnetpools", **declares("SubnetPools"))
def list_pools(request: Request) -> Any:
    app = app_of(request)
    views = run(
        request,
        lambda s, c: [pool_view(p) for p in app.vnets.list_pools(s, c, c.actor.project_id)],
    )
    return {"subnetpools": filtered(request, views, FILTERS)}


@router.post("/subnetpools", status_code=201, **declares("SubnetPool", 201))
def create_pool(request: Request, body: dict[str, Any] = Body(...)) -> Any:
    app = app_of(request)
    fields = body_of(body, "subnetpool")
    view = run(
        request,
        lambda s, c: pool_view(app.vnets.create_pool(s, c, c.actor.project_id or "", fields)),
        write=True,
        action=AuditAction.SUBNET_POOL_CREATE,
        target_type="subnetpool",
    )
    return {"subnetpool": view}


@router.get("/subnetpools/{pool_id}", **declares("SubnetPool"))
def show_pool(pool_id: str, request: Request) -> Any:
    app = app_of(request)
    view = run(request, lambda s, c: pool_view(app.vnets.get_pool(s, c, pool_id)))
    return {"subnetpool": cut(request, view)}


@router.put("/subnetpools/{pool_id}", **declares("SubnetPool"))
def update_pool(pool_id: str, request: Request, body: dict[str, Any] = Body(...)) -> Any:
    app = app_of(request)
    fields = body_of(body, "subnetpool")
    view = run(
        request,
        lambda s, c: pool_view(app.vnets.update_pool(s, c, pool_id, fields)),
        write=True,
        action=AuditAction.SUBNET_POOL_UPDATE,
        target_type="subnetpool",
        target_id=pool_id,
    )
    return {"subnetpool": view}


@router.delete("/subnetpools/{pool_id}", status_code=204, response_class=Response)
def delete_pool(pool_id: str, request: Request) -> Response:
    return remove(
        request,
        lambda a, s, c: a.vnets.delete_pool(s, c, pool_id),
        AuditAction.SUBNET_POOL_DELETE,
        pool_id,
    )
