"""Nova's os-instance-actions at /compute/v2.1: what was done to a server and in which
request, from the audit log; another project's server is not found."""

from typing import Any

from fastapi import APIRouter, Request

from andromede.api.context import app_of, run
from andromede.api.openstack.envelopes import declares
from andromede.api.openstack.nova_views import iso
from andromede.api.openstack.servers import own_server
from andromede.compute.instance_actions import InstanceAction
from andromede.kernel.errors import NotFound

router = APIRouter(prefix="/compute/v2.1", tags=["openstack compute"])


def action_view(server: Any, a: InstanceAction) -> dict[str, Any]:
    return {
        "action": a.action,
        "instance_uuid": server.id,
        "request_id": a.request_id,
        "user_id": a.user_id,
        "project_id": server.project_id,
        "start_time": iso(a.start_time),
        "message": None,
    }


def _actions(request: Request, server_id: str) -> list[dict[str, Any]]:
    app = app_of(request)

    def work(session: Any, caller: Any) -> list[dict[str, Any]]:
        server = own_server(app, session, caller, server_id)
        return [action_view(server, a) for a in app.servers.actions(session, caller, server.id)]

    return run(request, work)


@router.get("/servers/{server_id}/os-instance-actions", **declares("InstanceActions"))
def list_actions(server_id: str, request: Request) -> Any:
    return {"instanceActions": _actions(request, server_id)}


@router.get("/servers/{server_id}/os-instance-actions/{request_id}", **declares("InstanceAction"))
def show_action(server_id: str, request_id: str, request: Request) -> Any:
    """The action of one request, with its one event (the action itself, done)."""
    found = [a for a in _actions(request, server_id) if a["request_id"] == request_id]
    if not found:
        raise NotFound("instance action", request_id)
    action = found[0]
    event = {
        "event": f"compute_{action['action']}_instance",
        "start_time": action["start_time"],
        "finish_time": action["start_time"],
        "result": "Success",
    }
    return {"instanceAction": action | {"events": [event]}}
