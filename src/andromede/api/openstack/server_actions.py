"""Nova's server actions at /compute/v2.1/servers/{id}/action, each as the microversions
shape it: start, stop, reboot; security groups; rebuild (a description from 2.19, a
keypair from 2.54, user data from 2.57, no file injection after 2.56; the whole server in
the answer from 2.75); lock with a reason (2.73); createImage (the image's id in the body
from 2.45, in a Location header before); resize with confirm and revert;
trigger_crash_dump (2.17); os-getConsoleOutput."""

import secrets
from typing import Any

from fastapi import APIRouter, Body, Request, Response
from fastapi.responses import JSONResponse

from andromede.api.context import app_of, run
from andromede.api.openstack.identity import base_url
from andromede.api.openstack.microversion import compute_version
from andromede.api.openstack.server_requests import check_keys, ref, user_data
from andromede.api.openstack.servers import changed_view, own_server
from andromede.audit.actions import AuditAction
from andromede.compute.server_fields import UNSET, RebuildChanges
from andromede.kernel.errors import ValidationFailed

router = APIRouter(prefix="/compute/v2.1", tags=["openstack compute"])
ACTIONS = {"os-start": "start", "os-stop": "stop", "reboot": "reboot"}
GROUP_ACTIONS = {"addSecurityGroup": True, "removeSecurityGroup": False}
OWN_ACTIONS = (  # with bodies of their own
    "rebuild",
    "lock",
    "unlock",
    "createImage",
    "resize",
    "confirmResize",
    "revertResize",
    "os-getConsoleOutput",
    "trigger_crash_dump",
)
REBUILD_FIELDS = {  # Nova's at 2.1; the password, disk and file injection are not kept
    "imageRef",
    "name",
    "metadata",
    "adminPass",
    "accessIPv4",
    "accessIPv6",
    "preserve_ephemeral",
    "OS-DCF:diskConfig",
    "personality",
}
REBUILD_SINCE = {
    "description": (2, 19),
    "key_name": (2, 54),
    "user_data": (2, 57),
    "trusted_image_certificates": (2, 63),
}


@router.post("/servers/{server_id}/action", status_code=202, response_class=Response)
def server_action(server_id: str, request: Request, body: dict[str, Any] = Body(...)) -> Any:
    app = app_of(request)
    if len(body) != 1 or next(iter(body)) not in (*ACTIONS, *GROUP_ACTIONS, *OWN_ACTIONS):
        supported = ", ".join((*ACTIONS, *GROUP_ACTIONS, *OWN_ACTIONS))
        raise ValidationFailed.one("action", f"supported actions: {supported}")
    key = next(iter(body))
    if key in GROUP_ACTIONS:
        return _security_group_action(app, request, server_id, key, body[key])
    if key == "rebuild":
        return _rebuild(app, request, server_id, body[key])
    if key in ("lock", "unlock"):
        return _lock(app, request, server_id, key, body[key])
    if key == "createImage":
        return _create_image(app, request, server_id, body[key])
    if key in ("resize", "confirmResize", "revertResize"):
        return _resize(app, request, server_id, key, body[key])
    if key == "os-getConsoleOutput":
        return _console_output(app, request, server_id, body[key])
    if key == "trigger_crash_dump":
        return _crash_dump(app, request, server_id, body[key])
    reboot_type = "SOFT"
    if key == "reboot":
        reboot_type = str((body["reboot"] or {}).get("type", "SOFT")).upper()

    def work(session: Any, caller: Any) -> None:
        server = own_server(app, session, caller, server_id)
        app.servers.act(session, caller, server.id, ACTIONS[key], reboot_type)

    run(
        request,
        work,
        write=True,
        action=AuditAction(f"server.{ACTIONS[key]}"),
        target_type="server",
        target_id=server_id,
    )
    return Response(status_code=202)


def _security_group_action(
    app: Any, request: Request, server_id: str, key: str, value: Any
) -> Response:
    name = value.get("name") if isinstance(value, dict) else None
    if not isinstance(name, str) or not name:
        raise ValidationFailed.one(f"{key}.name", "the security group's name is required")

    def work(session: Any, caller: Any) -> None:
        server = own_server(app, session, caller, server_id)
        app.servers.change_security_group(session, caller, server.id, name, add=GROUP_ACTIONS[key])

    run(
        request,
        work,
        write=True,
        action=AuditAction.SERVER_SECURITY_GROUPS,
        target_type="server",
        target_id=server_id,
    )
    return Response(status_code=202)


def _rebuild_fields(version: tuple[int, int]) -> set[str]:
    fields = REBUILD_FIELDS | {k for k, first in REBUILD_SINCE.items() if version >= first}
    return fields - {"personality"} if version >= (2, 57) else fields


def _rebuild_changes(data: dict[str, Any]) -> RebuildChanges:
    given = data.get("user_data", UNSET)
    return RebuildChanges(
        description=data.get("description", UNSET),
        key_name=data.get("key_name", UNSET),
        user_data=user_data(given) if given is not UNSET else UNSET,
    )


def _rebuild(app: Any, request: Request, server_id: str, data: Any) -> JSONResponse:
    if not isinstance(data, dict):
        raise ValidationFailed.one("rebuild", "must be an object")
    version = compute_version(request)
    unknown = sorted(set(data) - _rebuild_fields(version))
    if unknown:
        raise ValidationFailed.one(f"rebuild.{unknown[0]}", "not a field of a rebuild")
    check_keys(data, version, "rebuild")
    metadata = data.get("metadata")
    if metadata is not None and not isinstance(metadata, dict):
        raise ValidationFailed.one("metadata", "must be an object")
    items = None if metadata is None else tuple((str(k), str(v)) for k, v in metadata.items())
    name = data.get("name")
    if name is not None and not isinstance(name, str):
        raise ValidationFailed.one("name", "must be a string")
    changes = _rebuild_changes(data)

    def work(session: Any, caller: Any) -> JSONResponse:
        server = own_server(app, session, caller, server_id)
        rebuilt = app.servers.rebuild(
            session,
            caller,
            server.id,
            ref(data.get("imageRef"), "imageRef"),
            name=name,
            metadata=items,
            changes=changes,
        )
        view = changed_view(app, request, session, rebuilt)
        view["server"]["adminPass"] = data.get("adminPass") or secrets.token_urlsafe(12)
        return JSONResponse(view, status_code=202)

    return run(
        request,
        work,
        write=True,
        action=AuditAction.SERVER_REBUILD,
        target_type="server",
        target_id=server_id,
    )


def _resize(app: Any, request: Request, server_id: str, key: str, value: Any) -> Response:
    """Nova's resize, then confirmResize or revertResize: a running server is restarted at
    its new size, a stopped one stays stopped; either waits in VERIFY_RESIZE."""
    if key == "resize":
        if not isinstance(value, dict) or not value.get("flavorRef"):
            raise ValidationFailed.one("resize.flavorRef", "the new flavor is required")
        flavor = str(value["flavorRef"])
    elif value is not None:
        raise ValidationFailed.one(key, "must be null")

    def work(session: Any, caller: Any) -> None:
        server = own_server(app, session, caller, server_id)
        if key == "resize":
            app.servers.resize(session, caller, server.id, flavor, to_confirm=True)
        elif key == "confirmResize":
            app.servers.confirm_resize(session, caller, server.id)
        else:
            app.servers.revert_resize(session, caller, server.id)

    action = {
        "resize": AuditAction.SERVER_RESIZE,
        "confirmResize": AuditAction.SERVER_RESIZE_CONFIRM,
        "revertResize": AuditAction.SERVER_RESIZE_REVERT,
    }[key]
    run(request, work, write=True, action=action, target_type="server", target_id=server_id)
    return Response(status_code=202 if key != "confirmResize" else 204)


def _create_image(app: Any, request: Request, server_id: str, value: Any) -> Response:
    """A snapshot: 202 with the image's address (before 2.45) or its id in the body; it is
    saving until the region has copied the disk."""
    if not isinstance(value, dict):
        raise ValidationFailed.one("createImage", "must be an object")

    def work(session: Any, caller: Any) -> str:
        server = own_server(app, session, caller, server_id)
        image = app.servers.create_image(
            session, caller, server.id, value.get("name"), value.get("metadata")
        )
        return str(image.id)

    image_id = run(
        request,
        work,
        write=True,
        action=AuditAction.SERVER_SNAPSHOT,
        target_type="server",
        target_id=server_id,
    )
    if compute_version(request) >= (2, 45):
        return JSONResponse({"image_id": image_id}, status_code=202)
    location = f"{base_url(request)}/image/v2/images/{image_id}"
    return Response(status_code=202, headers={"Location": location})


def _lock(app: Any, request: Request, server_id: str, key: str, value: Any) -> Response:
    """``{"lock": null}`` or ``{"lock": {"locked_reason": …}}`` (2.73), ``{"unlock": null}``."""
    if value is not None and not isinstance(value, dict):
        raise ValidationFailed.one(key, "must be null or an object")
    if value and compute_version(request) < (2, 73):
        raise ValidationFailed.one("locked_reason", "a lock's reason needs microversion 2.73")
    reason = (value or {}).get("locked_reason") if key == "lock" else None

    def work(session: Any, caller: Any) -> None:
        server = own_server(app, session, caller, server_id)
        app.servers.set_lock(session, caller, server.id, locked=key == "lock", reason=reason)

    action = AuditAction.SERVER_LOCK if key == "lock" else AuditAction.SERVER_UNLOCK
    run(request, work, write=True, action=action, target_type="server", target_id=server_id)
    return Response(status_code=202)


def _console_output(app: Any, request: Request, server_id: str, value: Any) -> JSONResponse:
    """The serial console's last ``length`` lines (all of them without one)."""
    if value is not None and not isinstance(value, dict):
        raise ValidationFailed.one("os-getConsoleOutput", "must be null or an object")
    length = (value or {}).get("length")

    def work(session: Any, caller: Any) -> str:
        server = own_server(app, session, caller, server_id)
        found: str = app.consoles.output(session, caller, server.id, length)
        return found

    return JSONResponse({"output": run(request, work)})


def _crash_dump(app: Any, request: Request, server_id: str, value: Any) -> Response:
    """2.17: recorded, then the interrupt sent to the guest."""
    if compute_version(request) < (2, 17):
        raise ValidationFailed.one("trigger_crash_dump", "needs microversion 2.17")
    if value is not None:
        raise ValidationFailed.one("trigger_crash_dump", "must be null")

    def work(session: Any, caller: Any) -> tuple[str, str]:
        server = own_server(app, session, caller, server_id)
        server = app.servers.request_crash_dump(session, caller, server.id)
        return str(server.region_code), str(server.id)

    region, found = run(
        request,
        work,
        write=True,
        action=AuditAction.SERVER_CRASH_DUMP,
        target_type="server",
        target_id=server_id,
    )
    app.consoles.crash_dump(region, found)
    return Response(status_code=202)
