"""A customer's volumes: what each holds, where it lives and what it is attached to; a
volume made, extended or deleted — Horizon's volumes panel, on the same services as
/v1 and Cinder."""

from collections.abc import Mapping
from typing import Any

from fastapi import Form, Request
from fastapi.responses import Response
from sqlalchemy.orm import Session

from andromede.api.context import app_of
from andromede.audit.actions import AuditAction
from andromede.console.forms import submit
from andromede.console.web import area_router, go, page
from andromede.kernel.errors import ValidationFailed
from andromede.storage.volume_service import VolumeInput
from andromede.tenancy.scope import Caller

router = area_router()

MOST = 1000


def _volumes(app: Any, session: Session, caller: Caller) -> Mapping[str, Any]:
    volumes = app.volumes.list_volumes(session, caller, limit=MOST, marker=None)
    attached = app.volumes.attachments(session, [v.id for v in volumes])
    servers = app.servers.list_servers(session, caller, limit=MOST, marker=None)
    return {
        "volumes": volumes,
        "attached": attached,
        "server_names": {s.id: s.name for s in servers},
        "projects": app.tenancy.list_projects(session, caller, limit=MOST, marker=None),
        "types": app.storage.distinct_types(session),
    }


def _size(text: str) -> int:
    if not text.strip().isdigit():
        raise ValidationFailed.one("size", "a whole number of GiB")
    return int(text)


@router.get("/volumes")
def volumes(request: Request) -> Response:
    app = app_of(request)
    return page(request, "volumes.html", lambda s, c: _volumes(app, s, c))


@router.post("/volumes")
def create_volume(
    request: Request,
    csrf: str = Form(""),
    project_id: str = Form(""),
    name: str = Form(""),
    size: str = Form(""),
    volume_type: str = Form(""),
) -> Response:
    app = app_of(request)
    return submit(
        request,
        csrf,
        lambda s, c: app.volumes.create_volume(
            s,
            c,
            VolumeInput(project_id, _size(size), name, volume_type=volume_type or None),
        ),
        lambda _: go("/volumes"),
        action=AuditAction.VOLUME_CREATE,
        again=("volumes.html", lambda s, c: _volumes(app, s, c)),
        values={"project_id": project_id, "name": name, "size": size},
    )


@router.post("/volumes/{volume_id}/extend")
def extend_volume(
    request: Request, volume_id: str, csrf: str = Form(""), size: str = Form("")
) -> Response:
    app = app_of(request)
    return submit(
        request,
        csrf,
        lambda s, c: app.volumes.extend_volume(s, c, volume_id, _size(size)),
        lambda _: go("/volumes"),
        action=AuditAction.VOLUME_EXTEND,
        target_id=volume_id,
        again=("volumes.html", lambda s, c: _volumes(app, s, c)),
    )


@router.post("/volumes/{volume_id}/delete")
def delete_volume(request: Request, volume_id: str, csrf: str = Form("")) -> Response:
    app = app_of(request)
    return submit(
        request,
        csrf,
        lambda s, c: app.volumes.delete_volume(s, c, volume_id),
        lambda _: go("/volumes"),
        action=AuditAction.VOLUME_DELETE,
        target_id=volume_id,
        again=("volumes.html", lambda s, c: _volumes(app, s, c)),
    )
