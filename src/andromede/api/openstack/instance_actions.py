"""Nova's os-instance-actions at /compute/v2.1: what was done to a server and in which
request, from the audit log; another project's server is not found. From 2.58 an action
has ``updated_at`` and the list pages (``limit``, ``marker`` a request id) and filters on
``changes-since`` (and ``changes-before`` from 2.66), newest first as Nova lists them; from
2.62 an event names the hashed host (``hostId``) it ran on."""

from typing import Any

from fastapi import APIRouter, Request

from andromede.api.context import app_of, run
from andromede.api.openstack.compute import PAGE_MAX, integer
from andromede.api.openstack.envelopes import declares
from andromede.api.openstack.microversion import compute_version
from andromede.api.openstack.nova_views import ListContext, iso
from andromede.api.openstack.server_filters import instant
from andromede.api.openstack.servers import own_server
from andromede.compute.instance_actions import InstanceAction
from andromede.kernel.errors import NotFound, ValidationFailed

router = APIRouter(prefix="/compute/v2.1", tags=["openstack compute"])


def action_view(server: Any, a: InstanceAction, version: tuple[int, int]) -> dict[str, Any]:
    view = {
        "action": a.action,
        "instance_uuid": server.id,
        "request_id": a.request_id,
        "user_id": a.user_id,
        "project_id": server.project_id,
        "start_time": iso(a.start_time),
        "message": None,
    }
    if version >= (2, 58):
        view["updated_at"] = iso(a.start_time)  # an action is done in its request here
    return view


def _actions(request: Request, server_id: str) -> tuple[Any, list[dict[str, Any]]]:
    app = app_of(request)
    version = compute_version(request)

    def work(session: Any, caller: Any) -> tuple[Any, list[dict[str, Any]]]:
        server = own_server(app, session, caller, server_id)
        done = app.servers.actions(session, caller, server.id)
        return server, [action_view(server, a, version) for a in done]

    return run(request, work)


def _window(request: Request, actions: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """2.58's paging and time filters, newest first."""
    params = request.query_params
    version = compute_version(request)
    if version < (2, 58):
        return actions
    newest = actions[::-1]  # the log's order, oldest first: instants tie within a second
    since = instant(params, "changes-since")
    before = instant(params, "changes-before") if version >= (2, 66) else None
    if since is not None:
        newest = [a for a in newest if a["updated_at"] >= iso(since)]
    if before is not None:
        newest = [a for a in newest if a["updated_at"] <= iso(before)]
    marker = params.get("marker")
    if marker is not None:
        ids = [a["request_id"] for a in newest]
        if marker not in ids:
            raise ValidationFailed.one("marker", f"marker [{marker}] not found")
        newest = newest[ids.index(marker) + 1 :]
    return newest[: integer(params, "limit", PAGE_MAX, PAGE_MAX)]


@router.get("/servers/{server_id}/os-instance-actions", **declares("InstanceActions"))
def list_actions(server_id: str, request: Request) -> Any:
    return {"instanceActions": _window(request, _actions(request, server_id)[1])}


@router.get("/servers/{server_id}/os-instance-actions/{request_id}", **declares("InstanceAction"))
def show_action(server_id: str, request_id: str, request: Request) -> Any:
    """The action of one request, with its one event (the action itself, done)."""
    server, actions = _actions(request, server_id)
    found = [a for a in actions if a["request_id"] == request_id]
    if not found:
        raise NotFound("instance action", request_id)
    action = found[0]
    event = {
        "event": f"compute_{action['action']}_instance",
        "start_time": action["start_time"],
        "finish_time": action["start_time"],
        "result": "Success",
    }
    if compute_version(request) >= (2, 62):
        event["hostId"] = ListContext("").host_id(server.project_id, server.host_id)
    return {"instanceAction": action | {"events": [event]}}
