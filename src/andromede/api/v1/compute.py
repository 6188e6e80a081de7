"""/v1 servers, keypairs, server groups."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Literal

from fastapi import APIRouter, Request, Response
from pydantic import Field

from andromede.api.context import app_of, page, run
from andromede.api.v1.schemas import Body, Limit, Size
from andromede.compute.service import ServerRequest

if TYPE_CHECKING:
    from andromede.compute.store import Keypair, Server, ServerGroup

router = APIRouter()


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


class ServerPatch(Body):
    name: str


class ActionBody(Body):
    action: str
    type: str = "SOFT"
    flavor: str | None = None  # for resize


class KeypairBody(Body):
    project_id: str
    name: str
    public_key: str


class GroupBody(Body):
    project_id: str
    name: str
    policy: str


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
        "created_at": g.created_at.isoformat(),
    }
    if members is not None:
        view["members"] = members
    return view


# -- servers -------------------------------------------------------------------
@router.post("/servers", status_code=202, tags=["servers"])
def create_server(body: ServerBody, request: Request) -> Any:
    app = app_of(request)
    req = ServerRequest(**{**body.model_dump(), "required_traits": tuple(body.required_traits)})
    return run(
        request,
        lambda s, c: server_view(app.compute.create_server(s, c, req)),
        write=True,
        action="server.create",
        target_type="server",
    )


@router.get("/servers", tags=["servers"])
def list_servers(
    request: Request,
    limit: int = Limit,
    marker: str | None = None,
    project_id: str | None = None,
    status: str | None = None,
    name: str | None = None,
) -> Any:
    app = app_of(request)
    return run(
        request,
        lambda s, c: page(
            app.compute.list_servers(
                s, c, limit=limit, marker=marker, project_id=project_id, status=status, name=name
            ),
            limit,
            server_view,
        ),
    )


@router.get("/servers/{server_id}", tags=["servers"])
def get_server(server_id: str, request: Request) -> Any:
    app = app_of(request)
    return run(request, lambda s, c: server_view(app.compute.get_server(s, c, server_id)))


@router.patch("/servers/{server_id}", tags=["servers"])
def rename_server(server_id: str, body: ServerPatch, request: Request) -> Any:
    app = app_of(request)
    return run(
        request,
        lambda s, c: server_view(app.compute.update_server(s, c, server_id, name=body.name)),
        write=True,
        action="server.update",
        target_type="server",
        target_id=server_id,
    )


@router.post("/servers/{server_id}/actions", status_code=202, tags=["servers"])
def server_action(server_id: str, body: ActionBody, request: Request) -> Any:
    app = app_of(request)
    return run(
        request,
        lambda s, c: server_view(
            app.compute.resize(s, c, server_id, body.flavor or "")
            if body.action == "resize"
            else app.compute.act(s, c, server_id, body.action, body.type)
        ),
        write=True,
        action=f"server.{body.action}",
        target_type="server",
        target_id=server_id,
    )


@router.delete("/servers/{server_id}", status_code=202, tags=["servers"])
def delete_server(server_id: str, request: Request) -> Response:
    app = app_of(request)
    run(
        request,
        lambda s, c: app.compute.act(s, c, server_id, "delete"),
        write=True,
        action="server.delete",
        target_type="server",
        target_id=server_id,
    )
    return Response(status_code=202)


# -- keypairs ------------------------------------------------------------------
@router.post("/keypairs", status_code=201, tags=["keypairs"])
def create_keypair(body: KeypairBody, request: Request) -> Any:
    app = app_of(request)
    return run(
        request,
        lambda s, c: keypair_view(app.compute.create_keypair(s, c, **body.model_dump())),
        write=True,
        action="keypair.create",
        target_type="keypair",
    )


@router.get("/keypairs", tags=["keypairs"])
def list_keypairs(
    request: Request, limit: int = Limit, marker: str | None = None, project_id: str | None = None
) -> Any:
    app = app_of(request)
    return run(
        request,
        lambda s, c: page(
            app.compute.list_keypairs(s, c, limit=limit, marker=marker, project_id=project_id),
            limit,
            keypair_view,
        ),
    )


@router.get("/keypairs/{keypair_id}", tags=["keypairs"])
def get_keypair(keypair_id: str, request: Request) -> Any:
    app = app_of(request)
    return run(request, lambda s, c: keypair_view(app.compute.get_keypair(s, c, keypair_id)))


@router.delete("/keypairs/{keypair_id}", status_code=204, tags=["keypairs"])
def delete_keypair(keypair_id: str, request: Request) -> Response:
    app = app_of(request)
    run(
        request,
        lambda s, c: app.compute.delete_keypair(s, c, keypair_id),
        write=True,
        action="keypair.delete",
        target_type="keypair",
        target_id=keypair_id,
    )
    return Response(status_code=204)


# -- server groups -------------------------------------------------------------
@router.post("/server-groups", status_code=201, tags=["server groups"])
def create_group(body: GroupBody, request: Request) -> Any:
    app = app_of(request)
    return run(
        request,
        lambda s, c: group_view(app.compute.create_group(s, c, **body.model_dump()), []),
        write=True,
        action="server_group.create",
        target_type="server_group",
    )


@router.get("/server-groups", tags=["server groups"])
def list_groups(
    request: Request, limit: int = Limit, marker: str | None = None, project_id: str | None = None
) -> Any:
    app = app_of(request)
    return run(
        request,
        lambda s, c: page(
            app.compute.list_groups(s, c, limit=limit, marker=marker, project_id=project_id),
            limit,
            group_view,
        ),
    )


@router.get("/server-groups/{group_id}", tags=["server groups"])
def get_group(group_id: str, request: Request) -> Any:
    app = app_of(request)

    def work(session: Any, caller: Any) -> dict[str, Any]:
        group = app.compute.get_group(session, caller, group_id)
        return group_view(group, app.compute.group_members(session, group.id))

    return run(request, work)


@router.delete("/server-groups/{group_id}", status_code=204, tags=["server groups"])
def delete_group(group_id: str, request: Request) -> Response:
    app = app_of(request)
    run(
        request,
        lambda s, c: app.compute.delete_group(s, c, group_id),
        write=True,
        action="server_group.delete",
        target_type="server_group",
        target_id=group_id,
    )
    return Response(status_code=204)
