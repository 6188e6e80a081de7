"""/v1 servers, keypairs, server groups."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Literal

from fastapi import Request, Response
from pydantic import Field

from andromede.api.context import app_of
from andromede.api.resource_routes import create, listing, one, remove, update
from andromede.api.v1.responses import (
    ConsoleOut,
    GroupOut,
    KeypairOut,
    Page,
    ServerOut,
    answers,
)
from andromede.api.v1.router import v1_router
from andromede.api.v1.schemas import Body, Limit, Size
from andromede.audit.actions import AuditAction
from andromede.compute.server_fields import UNSET
from andromede.compute.server_service import ServerRequest

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from andromede.bootstrap import App
    from andromede.compute.server_service import Keypair, Server, ServerGroup
    from andromede.tenancy.scope import Caller

router = v1_router()


class ServerBody(Body):
    project_id: str
    name: str
    flavor: str
    image: str
    region: str
    zone: str | None = None
    server_group: str | None = None
    key_name: str | None = None
    root_volume_gib: Size | None = None
    required_traits: list[str] = Field(default_factory=list)
    weigher: Literal["spread", "pack"] = "spread"
    security_groups: list[str] = Field(default_factory=list)  # names or ids; none: default
    networks: list[str] | None = None  # network ids; none said: the region's provider network
    description: str | None = None


class ServerPatch(Body):
    name: str | None = None
    description: str | None = None  # null clears it


class ActionBody(Body):
    action: str
    type: str = "SOFT"
    flavor: str | None = None  # for resize
    image: str | None = None  # for rebuild
    reason: str | None = None  # for lock


class KeypairBody(Body):
    project_id: str
    name: str
    public_key: str


class GroupBody(Body):
    project_id: str
    name: str
    policy: str
    max_per_host: int | None = None  # anti-affinity only: members one host may take


def server_view(s: Server) -> dict[str, Any]:
    return {
        "id": s.id,
        "name": s.name,
        "status": s.status,
        "desired_status": s.desired,
        "fault": s.fault,
        "project_id": s.project_id,
        "customer_id": s.customer_id,
        "flavor_id": s.flavor_id,
        "image_id": s.image_id,
        "region": s.region_code,
        "zone": s.zone_code,
        "host_id": s.host_id,
        "server_group_id": s.server_group_id,
        "key_name": s.key_name,
        "vcpus": s.vcpus,
        "ram_mib": s.ram_mib,
        "disk_gib": s.disk_gib,
        "root_volume_gib": s.root_volume_gib,
        "locked": s.locked,
        "locked_reason": s.locked_reason,
        "description": s.description,
        "created_at": s.created_at.isoformat(),
        "updated_at": s.updated_at.isoformat(),
    }


def keypair_view(k: Keypair) -> dict[str, Any]:
    return {
        "id": k.id,
        "name": k.name,
        "project_id": k.project_id,
        "type": k.key_type,
        "public_key": k.public_key,
        "fingerprint": k.fingerprint,
        "created_at": k.created_at.isoformat(),
    }


def group_view(g: ServerGroup, members: list[str] | None = None) -> dict[str, Any]:
    view: dict[str, Any] = {
        "id": g.id,
        "name": g.name,
        "project_id": g.project_id,
        "policy": g.policy,
        "max_per_host": g.max_per_host,
        "created_at": g.created_at.isoformat(),
    }
    if members is not None:
        view["members"] = members
    return view


# -- servers -------------------------------------------------------------------
@router.post("/servers", status_code=202, tags=["servers"], **answers(ServerOut))
def create_server(body: ServerBody, request: Request) -> Any:
    fields = body.model_dump()
    fields |= {
        "required_traits": tuple(body.required_traits),
        "security_groups": tuple(body.security_groups),
        "networks": None if body.networks is None else tuple(body.networks),
    }
    req = ServerRequest(**fields)
    return create(
        request,
        lambda a, s, c: a.servers.create_server(s, c, req),
        server_view,
        AuditAction.SERVER_CREATE,
    )


@router.get("/servers", tags=["servers"], **answers(Page[ServerOut]))
def list_servers(
    request: Request,
    limit: int = Limit,
    marker: str | None = None,
    project_id: str | None = None,
    status: str | None = None,
    name: str | None = None,
) -> Any:
    filters = {"project_id": project_id, "status": status, "name": name}
    return listing(
        request,
        lambda a, s, c: a.servers.list_servers(s, c, limit=limit, marker=marker, **filters),
        server_view,
        limit,
    )


@router.get("/servers/{server_id}", tags=["servers"], **answers(ServerOut))
def get_server(server_id: str, request: Request) -> Any:
    """One server, with its tags (``schedule=<name>`` puts it on a schedule), groups and
    addresses (fixed and floating, by network)."""

    def view(app: App, session: Session, caller: Caller) -> dict[str, Any]:
        server = app.servers.get_server(session, caller, server_id)
        groups = app.security_groups.groups_of(session, [server.id]).get(server.id, [])
        tags = app.tags.tags(session, caller, server.id)
        ports = app.networks.addresses(session, [server.id]).get(server.id, {})
        addresses = {
            network: [{"address": a, "mac": m, "kind": k} for a, m, k in found]
            for network, found in ports.items()
        }
        return server_view(server) | {
            "tags": tags,
            "security_groups": groups,
            "addresses": addresses,
        }

    return one(request, view, lambda found: found)


@router.patch("/servers/{server_id}", tags=["servers"], **answers(ServerOut))
def update_server(server_id: str, body: ServerPatch, request: Request) -> Any:
    """A new name, or a description (null removes it)."""
    given = body.model_fields_set
    description = body.description if "description" in given else UNSET
    return update(
        request,
        lambda a, s, c: a.servers.update_server(
            s, c, server_id, name=body.name, description=description
        ),
        server_view,
        AuditAction.SERVER_UPDATE,
        server_id,
    )


@router.get("/servers/{server_id}/console", tags=["servers"], **answers(ConsoleOut))
def console_output(server_id: str, request: Request, lines: int | None = None) -> Any:
    """What the server wrote to its serial console, its last ``lines`` lines (all of them
    without); read from the region's hypervisor, never kept here."""
    return one(
        request,
        lambda a, s, c: {"output": a.consoles.output(s, c, server_id, lines)},
        lambda found: found,
    )


@router.post(
    "/servers/{server_id}/actions", status_code=202, tags=["servers"], **answers(ServerOut)
)
def server_action(server_id: str, body: ActionBody, request: Request) -> Any:
    """start, stop, reboot, resize, rebuild, lock, unlock, or crash_dump (an interrupt that
    makes the guest's kernel dump its memory and boot again)."""
    if body.action == "crash_dump":
        return _crash_dump(server_id, request)

    def act(app: App, session: Session, caller: Caller) -> Server:
        if body.action == "resize":
            return app.servers.resize(session, caller, server_id, body.flavor or "")
        if body.action == "rebuild":
            return app.servers.rebuild(session, caller, server_id, body.image or "")
        if body.action in ("lock", "unlock"):
            locked = body.action == "lock"
            return app.servers.set_lock(
                session, caller, server_id, locked=locked, reason=body.reason
            )
        return app.servers.act(session, caller, server_id, body.action, body.type)

    action = AuditAction.named(f"server.{body.action}") or AuditAction.SERVER_ACTION
    return update(request, act, server_view, action, server_id)


def _crash_dump(server_id: str, request: Request) -> Any:
    view = update(
        request,
        lambda a, s, c: a.servers.request_crash_dump(s, c, server_id),
        server_view,
        AuditAction.SERVER_CRASH_DUMP,
        server_id,
    )
    app_of(request).consoles.crash_dump(view["region"], view["id"])
    return view


@router.delete("/servers/{server_id}", status_code=202, tags=["servers"], response_class=Response)
def delete_server(server_id: str, request: Request) -> Response:
    return remove(
        request,
        lambda a, s, c: a.servers.act(s, c, server_id, "delete"),
        AuditAction.SERVER_DELETE,
        server_id,
        status=202,
    )


# -- keypairs ------------------------------------------------------------------
@router.post("/keypairs", status_code=201, tags=["keypairs"], **answers(KeypairOut))
def create_keypair(body: KeypairBody, request: Request) -> Any:
    return create(
        request,
        lambda a, s, c: a.keypairs.create_keypair(s, c, **body.model_dump()),
        keypair_view,
        AuditAction.KEYPAIR_CREATE,
    )


@router.get("/keypairs", tags=["keypairs"], **answers(Page[KeypairOut]))
def list_keypairs(
    request: Request, limit: int = Limit, marker: str | None = None, project_id: str | None = None
) -> Any:
    return listing(
        request,
        lambda a, s, c: a.keypairs.list_keypairs(
            s, c, limit=limit, marker=marker, project_id=project_id
        ),
        keypair_view,
        limit,
    )


@router.get("/keypairs/{keypair_id}", tags=["keypairs"], **answers(KeypairOut))
def get_keypair(keypair_id: str, request: Request) -> Any:
    return one(request, lambda a, s, c: a.keypairs.get_keypair(s, c, keypair_id), keypair_view)


@router.delete("/keypairs/{keypair_id}", status_code=204, tags=["keypairs"])
def delete_keypair(keypair_id: str, request: Request) -> Response:
    return remove(
        request,
        lambda a, s, c: a.keypairs.delete_keypair(s, c, keypair_id),
        AuditAction.KEYPAIR_DELETE,
        keypair_id,
    )


# -- server groups -------------------------------------------------------------
@router.post("/server-groups", status_code=201, tags=["server groups"], **answers(GroupOut))
def create_group(body: GroupBody, request: Request) -> Any:
    return create(
        request,
        lambda a, s, c: a.keypairs.create_group(s, c, **body.model_dump()),
        lambda g: group_view(g, []),
        AuditAction.SERVER_GROUP_CREATE,
    )


@router.get("/server-groups", tags=["server groups"], **answers(Page[GroupOut]))
def list_groups(
    request: Request, limit: int = Limit, marker: str | None = None, project_id: str | None = None
) -> Any:
    return listing(
        request,
        lambda a, s, c: a.keypairs.list_groups(
            s, c, limit=limit, marker=marker, project_id=project_id
        ),
        group_view,
        limit,
    )


@router.get("/server-groups/{group_id}", tags=["server groups"], **answers(GroupOut))
def get_group(group_id: str, request: Request) -> Any:
    def with_members(app: App, session: Session, caller: Caller) -> dict[str, Any]:
        group = app.keypairs.get_group(session, caller, group_id)
        return group_view(group, app.keypairs.group_members(session, group.id))

    return one(request, with_members, lambda view: view)


@router.delete("/server-groups/{group_id}", status_code=204, tags=["server groups"])
def delete_group(group_id: str, request: Request) -> Response:
    return remove(
        request,
        lambda a, s, c: a.keypairs.delete_group(s, c, group_id),
        AuditAction.SERVER_GROUP_DELETE,
        group_id,
    )
