"""Neutron v2.0 floating IPs at /network: a project's public addresses, forwarded to a
port behind one of its routers, on the floating IP service."""

from typing import Any

from fastapi import APIRouter, Body, Request, Response

from andromede.api.context import app_of, run
from andromede.api.openstack.envelopes import declares
from andromede.api.openstack.neutron_lists import body_of, cut, filtered
from andromede.api.openstack.nova_views import iso
from andromede.api.resource_routes import remove
from andromede.audit.actions import AuditAction

router = APIRouter(prefix="/network/v2.0", tags=["openstack network"])

FILTERS = (
    "id",
    "floating_ip_address",
    "floating_network_id",
    "port_id",
    "fixed_ip_address",
    "router_id",
    "status",
    "project_id",
    "tenant_id",
    "description",
)


def floating_view(f: Any) -> dict[str, Any]:
    return {
        "id": f.id,
        "floating_ip_address": f.address,
        "floating_network_id": f.network_id,
        "port_id": f.port_id,
        "fixed_ip_address": f.fixed_ip_address,
        "router_id": f.router_id,
        "status": "ACTIVE" if f.port_id else "DOWN",
        "description": f.description,
        "dns_domain": "",
        "dns_name": "",
        "port_forwardings": [],
        "project_id": f.project_id,
        "tenant_id": f.project_id,
        "tags": [],
        "revision_number": 0,
        "created_at": iso(f.created_at),
        "updated_at": iso(f.updated_at),
    }


@router.get("/floatingips", **declares("FloatingIps"))
def list_floating_ips(request: Request) -> Any:
    app = app_of(request)
    views = run(
        request,
        lambda s, c: [
            floating_view(f) for f in app.floating_ips.list_held(s, c, c.actor.project_id)
        ],
    )
    return {"floatingips": filtered(request, views, FILTERS)}


@router.post("/floatingips", status_code=201, **declares("FloatingIp", 201))
def create_floating_ip(request: Request, body: dict[str, Any] = Body(...)) -> Any:
    app = app_of(request)
    fields = body_of(body, "floatingip")
    view = run(
        request,
        lambda s, c: floating_view(
            app.floating_ips.allocate(s, c, c.actor.project_id or "", fields)
        ),
        write=True,
        action=AuditAction.FLOATING_IP_CREATE,
        target_type="floatingip",
    )
    return {"floatingip": view}


@router.get("/floatingips/{floating_id}", **declares("FloatingIp"))
def show_floating_ip(floating_id: str, request: Request) -> Any:
    app = app_of(request)
    view = run(request, lambda s, c: floating_view(app.floating_ips.get(s, c, floating_id)))
    return {"floatingip": cut(request, view)}


@router.put("/floatingips/{floating_id}", **declares("FloatingIp"))
def update_floating_ip(floating_id: str, request: Request, body: dict[str, Any] = Body(...)) -> Any:
    app = app_of(request)
    fields = body_of(body, "floatingip")
    view = run(
        request,
        lambda s, c: floating_view(app.floating_ips.update(s, c, floating_id, fields)),
        write=True,
        action=AuditAction.FLOATING_IP_UPDATE,
        target_type="floatingip",
        target_id=floating_id,
    )
    return {"floatingip": view}


@router.delete("/floatingips/{floating_id}", status_code=204, response_class=Response)
def release_floating_ip(floating_id: str, request: Request) -> Response:
    return remove(
        request,
        lambda a, s, c: a.floating_ips.release(s, c, floating_id),
        AuditAction.FLOATING_IP_DELETE,
        floating_id,
    )
