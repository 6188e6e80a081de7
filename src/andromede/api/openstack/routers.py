"""Neutron v2.0 routers at /network: a project's routers with their external gateway,
interfaces and extra routes, on the router service."""

from typing import Any

from fastapi import APIRouter, Body, Request, Response

from andromede.api.context import app_of, run
from andromede.api.openstack.envelopes import declares
from andromede.api.openstack.neutron_lists import body_of, cut, filtered
from andromede.api.openstack.nova_views import iso
from andromede.api.resource_routes import remove
from andromede.audit.actions import AuditAction

router = APIRouter(prefix="/network/v2.0", tags=["openstack network"])

FILTERS = ("id", "name", "status", "admin_state_up", "project_id", "tenant_id", "description")


def router_view(app: Any, session: Any, r: Any) -> dict[str, Any]:
    gateway = None
    if r.external_network_id is not None:
        gateway = {
            "network_id": r.external_network_id,
            "enable_snat": r.enable_snat,
            "external_fixed_ips": app.routers.gateway_ips(session, r),
        }
    return {
        "id": r.id,
        "name": r.name,
        "description": r.description,
        "status": "ACTIVE",
        "admin_state_up": r.admin_state_up,
        "external_gateway_info": gateway,
        "routes": [{"destination": d, "nexthop": h} for d, h in r.routes],
        "availability_zones": [r.region_code],
        "availability_zone_hints": [],
        "distributed": False,
        "ha": False,
        "project_id": r.project_id,
        "tenant_id": r.project_id,
        "tags": [],
        "revision_number": 0,
        "created_at": iso(r.created_at),
        "updated_at": iso(r.updated_at),
    }


@router.get("/routers", **declares("Routers"))
def list_routers(request: Request) -> Any:
    app = app_of(request)

    def work(session: Any, caller: Any) -> Any:
        found = app.routers.list_routers(session, caller, caller.actor.project_id)
        return [router_view(app, session, r) for r in found]

    return {"routers": filtered(request, run(request, work), FILTERS)}


@router.post("/routers", status_code=201, **declares("Router", 201))
def create_router(request: Request, body: dict[str, Any] = Body(...)) -> Any:
    app = app_of(request)
    fields = body_of(body, "router")

    def work(session: Any, caller: Any) -> Any:
        made = app.routers.create_router(session, caller, caller.actor.project_id or "", fields)
        return router_view(app, session, made)

    view = run(request, work, write=True, action=AuditAction.ROUTER_CREATE, target_type="router")
    return {"router": view}


@router.get("/routers/{router_id}", **declares("Router"))
def show_router(router_id: str, request: Request) -> Any:
    app = app_of(request)
    view = run(request, lambda s, c: router_view(app, s, app.routers.get_router(s, c, router_id)))
    return {"router": cut(request, view)}


@router.put("/routers/{router_id}", **declares("Router"))
def update_router(router_id: str, request: Request, body: dict[str, Any] = Body(...)) -> Any:
    app = app_of(request)
    fields = body_of(body, "router")
    view = run(
        request,
        lambda s, c: router_view(app, s, app.routers.update_router(s, c, router_id, fields)),
        write=True,
        action=AuditAction.ROUTER_UPDATE,
        target_type="router",
        target_id=router_id,
    )
    return {"router": view}


@router.delete("/routers/{router_id}", status_code=204, response_class=Response)
def delete_router(router_id: str, request: Request) -> Response:
    return remove(
        request,
        lambda a, s, c: a.routers.delete_router(s, c, router_id),
        AuditAction.ROUTER_DELETE,
        router_id,
    )


def _interface(router: Any, port: Any) -> dict[str, Any]:
    return {
        "id": router.id,
        "subnet_id": port.subnet_id,
        "subnet_ids": [port.subnet_id],
        "port_id": port.id,
        "network_id": port.network_id,
        "project_id": router.project_id,
        "tenant_id": router.project_id,
        "tags": [],
    }


@router.put("/routers/{router_id}/add_router_interface", **declares("RouterInterface"))
def add_interface(router_id: str, request: Request, body: dict[str, Any] = Body(...)) -> Any:
    app = app_of(request)
    return run(
        request,
        lambda s, c: _interface(*app.routers.add_interface(s, c, router_id, body)),
        write=True,
        action=AuditAction.ROUTER_INTERFACE_ADD,
        target_type="router",
        target_id=router_id,
    )


@router.put("/routers/{router_id}/remove_router_interface", **declares("RouterInterface"))
def remove_interface(router_id: str, request: Request, body: dict[str, Any] = Body(...)) -> Any:
    app = app_of(request)
    return run(
        request,
        lambda s, c: _interface(*app.routers.remove_interface(s, c, router_id, body)),
        write=True,
        action=AuditAction.ROUTER_INTERFACE_REMOVE,
        target_type="router",
        target_id=router_id,
    )
