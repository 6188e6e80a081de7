"""Nova's server tags at /compute/v2.1/servers/{id}/tags (microversion 2.26): the same
tags as /v1 and the schedules read, replaced whole or one at a time. Before 2.26 the
routes are not found, as in Nova; another project's server is not found either."""

from typing import Any

from fastapi import APIRouter, Body, Depends, Request, Response

from andromede.api.context import app_of, run
from andromede.api.openstack.envelopes import declares
from andromede.api.openstack.identity import base_url
from andromede.api.openstack.microversion import from_version
from andromede.api.openstack.servers import own_server
from andromede.audit.actions import AuditAction
from andromede.kernel.errors import NotFound, ValidationFailed

router = APIRouter(
    prefix="/compute/v2.1",
    tags=["openstack compute"],
    dependencies=[Depends(from_version((2, 26), "server tags"))],
)
TAGS = "/servers/{server_id}/tags"


def _current(request: Request, server_id: str) -> list[str]:
    app = app_of(request)

    def work(session: Any, caller: Any) -> list[str]:
        found: list[str] = app.tags.tags(
            session, caller, own_server(app, session, caller, server_id).id
        )
        return found

    return run(request, work)


def _change(request: Request, server_id: str, change: Any) -> list[str]:
    """The server's tags made ``change(current)``, in one transaction."""
    app = app_of(request)

    def work(session: Any, caller: Any) -> list[str]:
        server = own_server(app, session, caller, server_id)
        wanted = change(app.tags.tags(session, caller, server.id))
        found: list[str] = app.tags.set_tags(session, caller, server.id, wanted)
        return found

    found: list[str] = run(
        request,
        work,
        write=True,
        action=AuditAction.SERVER_TAG,
        target_type="server",
        target_id=server_id,
    )
    return found


@router.get(TAGS, **declares("Tags"))
def list_tags(server_id: str, request: Request) -> dict[str, Any]:
    return {"tags": _current(request, server_id)}


@router.put(TAGS, **declares("Tags"))
def replace_tags(server_id: str, request: Request, body: dict[str, Any] = Body(...)) -> Any:
    tags = body.get("tags")
    if not isinstance(tags, list) or set(body) != {"tags"}:
        raise ValidationFailed.one("tags", "a list of tags")
    return {"tags": _change(request, server_id, lambda _: tags)}


@router.delete(TAGS, status_code=204, response_class=Response)
def delete_tags(server_id: str, request: Request) -> Response:
    _change(request, server_id, lambda _: [])
    return Response(status_code=204)


@router.get(TAGS + "/{tag}", status_code=204, response_class=Response)
def check_tag(server_id: str, tag: str, request: Request) -> Response:
    if tag not in _current(request, server_id):
        raise NotFound("tag", tag)
    return Response(status_code=204)


@router.put(TAGS + "/{tag}", status_code=201, response_class=Response)
def add_tag(server_id: str, tag: str, request: Request) -> Response:
    """201 with the tag's address when it is new, 204 when the server had it."""
    had = tag in _current(request, server_id)
    if had:
        return Response(status_code=204)
    _change(request, server_id, lambda current: [*current, tag])
    location = f"{base_url(request)}/compute/v2.1/servers/{server_id}/tags/{tag}"
    return Response(status_code=201, headers={"Location": location})


@router.delete(TAGS + "/{tag}", status_code=204, response_class=Response)
def delete_tag(server_id: str, tag: str, request: Request) -> Response:
    def without(current: list[str]) -> list[str]:
        if tag not in current:
            raise NotFound("tag", tag)
        return [t for t in current if t != tag]

    _change(request, server_id, without)
    return Response(status_code=204)
