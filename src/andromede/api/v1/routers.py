"""/v1 routers and floating IPs: how a project's networks reach outside — a router's
gateway, interfaces and routes, and the public addresses forwarded through it. The same
services as Neutron's API at /network."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from fastapi import Request, Response

from andromede.api.context import app_of
from andromede.api.resource_routes import create, one, remove, update
from andromede.api.v1.networks import Route, given, hints, paged, port_views
from andromede.api.v1.responses import FloatingIpOut, Page, RouterOut, answers
from andromede.api.v1.router import v1_router
from andromede.api.v1.schemas import Body, Limit
from andromede.audit.actions import AuditAction

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from andromede.bootstrap import App
    from andromede.tenancy.scope import Caller

router = v1_router(tags=["networks"])


class RouterBody(Body):
    project_id: str
    name: str
    external_network_id: str | None = None
    region: str | None = None


class RouterPatch(Body):
    name: str | None = None
    admin_state_up: bool | None = None
    external_network_id: str | None = None
    routes: list[Route] | None = None


class InterfaceBody(Body):
    subnet_id: str | None = None
    port_id: str | None = None


class FloatingIpBody(Body):
    project_id: str
    network_id: str  # an external network: the region's provider network
    port_id: str | None = None
    description: str = ""


class FloatingIpPatch(Body):
    port_id: str | None  # a port to forward to; null: stop forwarding
    description: str | None = None


def _router(change: Any) -> Any:
    def call(app: App, session: Session, caller: Caller) -> dict[str, Any]:
        r = change(app, session, caller)
        return {
            "id": r.id,
            "name": r.name,
            "description": r.description,
            "project_id": r.project_id,
            "region": r.region_code,
            "admin_state_up": r.admin_state_up,
            "external_network_id": r.external_network_id,
            "gateway_addresses": [g["ip_address"] for g in app.routers.gateway_ips(session, r)],
            "routes": [{"destination": d, "nexthop": h} for d, h in r.routes],
            "interfaces": port_views(app, session, app.routers.interfaces(session, r)),
        }

    return call


def _gateway(network_id: str | None) -> dict[str, Any]:
    return {"external_gateway_info": {"network_id": network_id} if network_id else None}


@router.post("/routers", status_code=201, **answers(RouterOut))
def create_router(body: RouterBody, request: Request) -> Any:
    fields = {"name": body.name, **hints(body.region), **_gateway(body.external_network_id)}
    return create(
        request,
        _router(lambda a, s, c: a.routers.create_router(s, c, body.project_id, fields)),
        dict,
        AuditAction.ROUTER_CREATE,
    )


@router.get("/routers", **answers(Page[RouterOut]))
def list_routers(
    request: Request, limit: int = Limit, marker: str | None = None, project_id: str | None = None
) -> Any:
    app = app_of(request)
    return paged(
        request,
        lambda s, c: app.routers.list_routers(s, c, project_id),
        lambda s, c, rows: lambda r: _router(lambda *_: r)(app, s, c),
        limit,
        marker,
    )


@router.get("/routers/{router_id}", **answers(RouterOut))
def get_router(router_id: str, request: Request) -> Any:
    return one(request, _router(lambda a, s, c: a.routers.get_router(s, c, router_id)), dict)


@router.patch("/routers/{router_id}", **answers(RouterOut))
def update_router(router_id: str, body: RouterPatch, request: Request) -> Any:
    fields = given(body)
    if "external_network_id" in fields:
        fields.update(_gateway(fields.pop("external_network_id")))
    return update(
        request,
        _router(lambda a, s, c: a.routers.update_router(s, c, router_id, fields)),
        dict,
        AuditAction.ROUTER_UPDATE,
        router_id,
    )


@router.delete("/routers/{router_id}", status_code=204)
def delete_router(router_id: str, request: Request) -> Response:
    return remove(
        request,
        lambda a, s, c: a.routers.delete_router(s, c, router_id),
        AuditAction.ROUTER_DELETE,
        router_id,
    )


@router.post("/routers/{router_id}/interfaces", status_code=201, **answers(RouterOut))
def add_interface(router_id: str, body: InterfaceBody, request: Request) -> Any:
    return update(
        request,
        _router(lambda a, s, c: a.routers.add_interface(s, c, router_id, given(body))[0]),
        dict,
        AuditAction.ROUTER_INTERFACE_ADD,
        router_id,
    )


@router.delete("/routers/{router_id}/interfaces/{port_id}", **answers(RouterOut))
def remove_interface(router_id: str, port_id: str, request: Request) -> Any:
    return update(
        request,
        _router(
            lambda a, s, c: a.routers.remove_interface(s, c, router_id, {"port_id": port_id})[0]
        ),
        dict,
        AuditAction.ROUTER_INTERFACE_REMOVE,
        router_id,
    )


def floating_view(f: Any) -> dict[str, Any]:
    return {
        "id": f.id,
        "project_id": f.project_id,
        "address": f.address,
        "region": f.region_code,
        "network_id": f.network_id,
        "port_id": f.port_id,
        "fixed_ip_address": f.fixed_ip_address,
        "router_id": f.router_id,
        "description": f.description,
        "allocated_at": f.created_at.isoformat(),
    }


@router.post("/floating-ips", status_code=201, **answers(FloatingIpOut))
def allocate_floating_ip(body: FloatingIpBody, request: Request) -> Any:
    fields = {"floating_network_id": body.network_id, "description": body.description}
    if body.port_id:
        fields["port_id"] = body.port_id
    return create(
        request,
        lambda a, s, c: a.floating_ips.allocate(s, c, body.project_id, fields),
        floating_view,
        AuditAction.FLOATING_IP_CREATE,
    )


@router.get("/floating-ips", **answers(Page[FloatingIpOut]))
def list_floating_ips(
    request: Request, limit: int = Limit, marker: str | None = None, project_id: str | None = None
) -> Any:
    app = app_of(request)
    return paged(
        request,
        lambda s, c: app.floating_ips.list_held(s, c, project_id),
        lambda s, c, rows: floating_view,
        limit,
        marker,
    )


@router.get("/floating-ips/{floating_id}", **answers(FloatingIpOut))
def get_floating_ip(floating_id: str, request: Request) -> Any:
    return one(request, lambda a, s, c: a.floating_ips.get(s, c, floating_id), floating_view)


@router.patch("/floating-ips/{floating_id}", **answers(FloatingIpOut))
def update_floating_ip(floating_id: str, body: FloatingIpPatch, request: Request) -> Any:
    fields = body.model_dump(exclude_unset=True)
    return update(
        request,
        lambda a, s, c: a.floating_ips.update(s, c, floating_id, fields),
        floating_view,
        AuditAction.FLOATING_IP_UPDATE,
        floating_id,
    )


@router.delete("/floating-ips/{floating_id}", status_code=204)
def release_floating_ip(floating_id: str, request: Request) -> Response:
    return remove(
        request,
        lambda a, s, c: a.floating_ips.release(s, c, floating_id),
        AuditAction.FLOATING_IP_DELETE,
        floating_id,
    )
