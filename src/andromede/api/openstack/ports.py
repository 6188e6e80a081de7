"""Neutron v2.0 ports at /network: a customer's ports with their fixed IP, MAC, security
groups and device (a server, a router's interface, or none), on the port service."""

from typing import Any

from fastapi import APIRouter, Body, Request, Response

from andromede.api.context import app_of, run
from andromede.api.openstack.envelopes import declares
from andromede.api.openstack.neutron_lists import body_of, bulk_of, cut, filtered
from andromede.api.openstack.nova_views import iso
from andromede.api.resource_routes import remove
from andromede.audit.actions import AuditAction

router = APIRouter(prefix="/network/v2.0", tags=["openstack network"])

FILTERS = (
    "id",
    "name",
    "network_id",
    "device_id",
    "device_owner",
    "mac_address",
    "status",
    "admin_state_up",
    "project_id",
    "tenant_id",
)


def port_view(p: Any, groups: list[str]) -> dict[str, Any]:
    bound = bool(p.device_owner)
    return {
        "id": p.id,
        "name": p.name,
        "description": p.description,
        "network_id": p.network_id,
        "mac_address": p.mac,
        "fixed_ips": [{"subnet_id": p.subnet_id, "ip_address": p.address}] if p.address else [],
        "device_id": p.device_id or "",
        "device_owner": p.device_owner,
        "status": "ACTIVE" if bound and p.admin_state_up else "DOWN",
        "admin_state_up": p.admin_state_up,
        "security_groups": groups,
        "port_security_enabled": True,
        "allowed_address_pairs": [],
        "extra_dhcp_opts": [],
        "binding:vnic_type": "normal",
        "project_id": p.project_id or "",
        "tenant_id": p.project_id or "",
        "tags": [],
        "revision_number": 0,
        "created_at": iso(p.created_at) if p.created_at else None,
        "updated_at": iso(p.created_at) if p.created_at else None,
    }


def port_views(app: Any, session: Any, ports: list[Any]) -> list[dict[str, Any]]:
    groups = app.ports.security_groups(session, ports)
    return [port_view(p, groups[p.id]) for p in ports]


@router.get("/ports", **declares("Ports"))
def list_ports(request: Request) -> Any:
    app = app_of(request)

    def work(session: Any, caller: Any) -> Any:
        return port_views(
            app, session, app.ports.list_ports(session, caller, caller.actor.project_id)
        )

    return {"ports": filtered(request, run(request, work), FILTERS)}


@router.post("/ports", status_code=201, **declares("Port", 201))
def create_port(request: Request, body: dict[str, Any] = Body(...)) -> Any:
    app = app_of(request)
    items, bulk = bulk_of(body, "port", "ports")

    def work(session: Any, caller: Any) -> Any:
        project = caller.actor.project_id or ""
        made = [app.ports.create_port(session, caller, project, item) for item in items]
        return port_views(app, session, made)

    views = run(request, work, write=True, action=AuditAction.PORT_CREATE, target_type="port")
    return {"ports": views} if bulk else {"port": views[0]}


@router.get("/ports/{port_id}", **declares("Port"))
def show_port(port_id: str, request: Request) -> Any:
    app = app_of(request)
    views = run(request, lambda s, c: port_views(app, s, [app.ports.get_port(s, c, port_id)]))
    return {"port": cut(request, views[0])}


@router.put("/ports/{port_id}", **declares("Port"))
def update_port(port_id: str, request: Request, body: dict[str, Any] = Body(...)) -> Any:
    app = app_of(request)
    fields = body_of(body, "port")
    views = run(
        request,
        lambda s, c: port_views(app, s, [app.ports.update_port(s, c, port_id, fields)]),
        write=True,
        action=AuditAction.PORT_UPDATE,
        target_type="port",
        target_id=port_id,
    )
    return {"port": views[0]}


@router.delete("/ports/{port_id}", status_code=204, response_class=Response)
def delete_port(port_id: str, request: Request) -> Response:
    return remove(
        request,
        lambda a, s, c: a.ports.delete_port(s, c, port_id),
        AuditAction.PORT_DELETE,
        port_id,
    )
