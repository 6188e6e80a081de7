"""Nova's volume attachments at /compute/v2.1/servers/{id}/os-volume_attachments: the
same attachments as /v1 (compute checks the server, storage the volume). 2.70 shows the
device tag (none here), 2.79 takes and shows ``delete_on_termination``. Another
project's server or volume is not found; a volume id that is not a UUID is a 400, as in
Nova; a detach answers 202."""

from typing import Any

from fastapi import APIRouter, Body, Request, Response

from andromede.api.context import app_of, run
from andromede.api.openstack.envelopes import declares
from andromede.api.openstack.microversion import compute_version
from andromede.api.openstack.servers import own_server
from andromede.audit.actions import AuditAction
from andromede.kernel.errors import ValidationFailed
from andromede.kernel.ids import is_uuid

router = APIRouter(prefix="/compute/v2.1", tags=["openstack compute"])
ATTACHMENTS = "/servers/{server_id}/os-volume_attachments"


def attachment_view(request: Request, a: Any) -> dict[str, Any]:
    view = {
        "id": a.volume_id,
        "serverId": a.server_id,
        "volumeId": a.volume_id,
        "device": a.device,
    }
    version = compute_version(request)
    if version >= (2, 70):
        view["tag"] = None
    if version >= (2, 79):
        view["delete_on_termination"] = a.delete_on_termination
    return view


@router.get(ATTACHMENTS, **declares("VolumeAttachments"))
def list_attachments(server_id: str, request: Request) -> dict[str, Any]:
    app = app_of(request)

    def work(session: Any, caller: Any) -> list[Any]:
        server = own_server(app, session, caller, server_id)
        found: list[Any] = app.attachments.attachments(session, caller, server.id)
        return found

    found = run(request, work)
    return {"volumeAttachments": [attachment_view(request, a) for a in found]}


@router.get(ATTACHMENTS + "/{volume_id}", **declares("VolumeAttachment"))
def show_attachment(server_id: str, volume_id: str, request: Request) -> dict[str, Any]:
    app = app_of(request)

    def work(session: Any, caller: Any) -> Any:
        server = own_server(app, session, caller, server_id)
        return app.attachments.attachment(session, caller, server.id, volume_id)

    return {"volumeAttachment": attachment_view(request, run(request, work))}


@router.post(ATTACHMENTS, **declares("VolumeAttachment"))
def attach(server_id: str, request: Request, body: dict[str, Any] = Body(...)) -> Any:
    wanted = body.get("volumeAttachment")
    if not isinstance(wanted, dict) or set(body) != {"volumeAttachment"}:
        raise ValidationFailed.one("volumeAttachment", "an object with volumeId")
    volume_id = wanted.get("volumeId")
    if not isinstance(volume_id, str) or not is_uuid(volume_id):
        raise ValidationFailed.one("volumeId", "a volume's UUID")
    device = wanted.get("device")
    if device is not None and not isinstance(device, str):
        raise ValidationFailed.one("device", "a device path such as /dev/vdb")
    allowed = {"volumeId", "device", "tag"}
    delete = False
    if compute_version(request) >= (2, 79):
        allowed.add("delete_on_termination")
        delete = wanted.get("delete_on_termination", False)
        if not isinstance(delete, bool):
            raise ValidationFailed.one("delete_on_termination", "true or false")
    unknown = set(wanted) - allowed
    if unknown:
        raise ValidationFailed.one(sorted(unknown)[0], "not allowed at this microversion")
    app = app_of(request)

    def work(session: Any, caller: Any) -> Any:
        server = own_server(app, session, caller, server_id)
        return app.attachments.attach(
            session, caller, server.id, volume_id, device=device, delete_on_termination=delete
        )

    made = run(
        request,
        work,
        write=True,
        action=AuditAction.VOLUME_ATTACH,
        target_type="volume",
        target_id=volume_id,
    )
    return {"volumeAttachment": attachment_view(request, made)}


@router.delete(ATTACHMENTS + "/{volume_id}", status_code=202, response_class=Response)
def detach(server_id: str, volume_id: str, request: Request) -> Response:
    app = app_of(request)

    def work(session: Any, caller: Any) -> None:
        server = own_server(app, session, caller, server_id)
        app.attachments.detach(session, caller, server.id, volume_id)

    run(
        request,
        work,
        write=True,
        action=AuditAction.VOLUME_DETACH,
        target_type="volume",
        target_id=volume_id,
    )
    return Response(status_code=202)
