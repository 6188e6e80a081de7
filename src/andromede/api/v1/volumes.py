"""/v1 volumes, their snapshots and backups, volumes on servers, and storage quotas."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from fastapi import Request, Response
from fastapi.responses import StreamingResponse
from pydantic import Field
from starlette.concurrency import iterate_in_threadpool

from andromede.api.context import app_of, run
from andromede.api.resource_routes import create, listing, one, remove, update
from andromede.api.v1.responses import (
    Page,
    StorageQuotaOut,
    VolumeAttachmentOut,
    VolumeBackupOut,
    VolumeOut,
    VolumeSnapshotOut,
    answers,
)
from andromede.api.v1.router import v1_router
from andromede.api.v1.schemas import Body, Limit, Size
from andromede.audit.actions import AuditAction
from andromede.storage.volume_service import VolumeInput

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from andromede.bootstrap import App
    from andromede.storage.volume_service import (
        Volume,
        VolumeAttachment,
        VolumeBackup,
        VolumeSnapshot,
    )
    from andromede.tenancy.scope import Caller

router = v1_router(tags=["volumes"])


class VolumeBody(Body):
    project_id: str
    size_gib: Size | None = None
    name: str = ""
    description: str = ""
    volume_type: str | None = None
    zone: str | None = None
    region: str | None = None
    image: str | None = None
    snapshot_id: str | None = None
    source_volume_id: str | None = None
    backup_id: str | None = None
    metadata: dict[str, str] = Field(default_factory=dict)


class VolumePatch(Body):
    name: str | None = None
    description: str | None = None
    metadata: dict[str, str] | None = None
    bootable: bool | None = None


class ExtendBody(Body):
    size_gib: Size


class RetypeBody(Body):
    volume_type: str


class TransferBody(Body):
    project_id: str


class SnapshotBody(Body):
    volume_id: str
    name: str = ""
    description: str = ""
    force: bool = False


class BackupBody(Body):
    volume_id: str
    name: str = ""
    description: str = ""
    snapshot_id: str | None = None
    force: bool = False


class RestoreBody(Body):
    volume_id: str | None = None
    name: str = ""


class AttachBody(Body):
    volume_id: str
    device: str | None = None
    delete_on_termination: bool = False


def _iso(moment: Any) -> str:
    return str(moment.isoformat())


def attachment_view(a: VolumeAttachment) -> dict[str, Any]:
    return {
        "volume_id": a.volume_id,
        "server_id": a.server_id,
        "device": a.device,
        "delete_on_termination": a.delete_on_termination,
        "attached_at": _iso(a.attached_at),
    }


def volume_view(pair: tuple[Volume, list[VolumeAttachment]]) -> dict[str, Any]:
    v, attached = pair
    return {
        "id": v.id,
        "project_id": v.project_id,
        "name": v.name,
        "description": v.description,
        "status": v.status,
        "region": v.region_code,
        "zone": v.zone_code,
        "volume_type": v.volume_type,
        "size_gib": v.size_gib,
        "bootable": v.bootable,
        "multiattach": v.multiattach,
        "source": f"{v.source_kind}:{v.source_id}" if v.source_kind else None,
        "image_id": v.image_id,
        "metadata": v.metadata_,
        "attachments": [attachment_view(a) for a in attached],
        "created_at": _iso(v.created_at),
        "updated_at": _iso(v.updated_at),
    }


def snapshot_view(s: VolumeSnapshot) -> dict[str, Any]:
    return {
        "id": s.id,
        "project_id": s.project_id,
        "volume_id": s.volume_id,
        "name": s.name,
        "description": s.description,
        "status": s.status,
        "region": s.region_code,
        "volume_type": s.volume_type,
        "size_gib": s.size_gib,
        "metadata": s.metadata_,
        "created_at": _iso(s.created_at),
    }


def backup_view(b: VolumeBackup) -> dict[str, Any]:
    return {
        "id": b.id,
        "project_id": b.project_id,
        "volume_id": b.volume_id,
        "snapshot_id": b.snapshot_id,
        "name": b.name,
        "description": b.description,
        "status": b.status,
        "region": b.region_code,
        "backup_store": b.backup_store,
        "volume_type": b.volume_type,
        "size_gib": b.size_gib,
        "created_at": _iso(b.created_at),
    }


def _with_attachments(
    app: App, session: Session, volumes: list[Volume]
) -> list[tuple[Volume, list[VolumeAttachment]]]:
    attached = app.volumes.attachments(session, [v.id for v in volumes])
    return [(v, attached[v.id]) for v in volumes]


def _one(app: App, session: Session, volume: Volume) -> tuple[Volume, list[VolumeAttachment]]:
    return _with_attachments(app, session, [volume])[0]


# -- volumes ---------------------------------------------------------------------
@router.post("/volumes", status_code=201, **answers(VolumeOut))
def create_volume(body: VolumeBody, request: Request) -> Any:
    data = VolumeInput(**body.model_dump())
    return create(
        request,
        lambda a, s, c: _one(a, s, a.volumes.create_volume(s, c, data)),
        volume_view,
        AuditAction.VOLUME_CREATE,
    )


@router.get("/volumes", **answers(Page[VolumeOut]))
def list_volumes(
    request: Request,
    limit: int = Limit,
    marker: str | None = None,
    project_id: str | None = None,
    status: str | None = None,
    name: str | None = None,
) -> Any:
    def fetch(app: App, session: Session, caller: Caller) -> list[Any]:
        found = app.volumes.list_volumes(
            session,
            caller,
            limit=limit,
            marker=marker,
            project_id=project_id,
            status=status,
            name=name,
        )
        return _with_attachments(app, session, found)

    return listing(request, fetch, volume_view, limit)


@router.get("/volumes/{volume_id}", **answers(VolumeOut))
def get_volume(volume_id: str, request: Request) -> Any:
    return one(
        request, lambda a, s, c: _one(a, s, a.volumes.get_volume(s, c, volume_id)), volume_view
    )


BINARY = {"schema": {"type": "string", "format": "binary"}}
RAW: dict[int | str, dict[str, Any]] = {200: {"content": {"application/octet-stream": BINARY}}}


@router.get("/volumes/{volume_id}/content", response_class=Response, responses=RAW)
def volume_content(volume_id: str, request: Request) -> Any:
    """The volume's contents, raw, streamed: the link the customer's export gives for
    each volume (SecNumCloud 19.1: the data leaves with the customer)."""
    app = app_of(request)
    source = run(request, lambda s, c: app.volume_images.readable(s, c, volume_id))
    headers = {"Content-Disposition": f'attachment; filename="{source.volume_id}.raw"'}
    return StreamingResponse(
        iterate_in_threadpool(app.volume_images.content(source)),
        media_type="application/octet-stream",
        headers=headers,
    )


@router.patch("/volumes/{volume_id}", **answers(VolumeOut))
def update_volume(volume_id: str, body: VolumePatch, request: Request) -> Any:
    changes = body.model_dump(exclude_none=True)
    return update(
        request,
        lambda a, s, c: _one(a, s, a.volumes.update_volume(s, c, volume_id, changes)),
        volume_view,
        AuditAction.VOLUME_UPDATE,
        volume_id,
    )


@router.post("/volumes/{volume_id}/extend", **answers(VolumeOut))
def extend_volume(volume_id: str, body: ExtendBody, request: Request) -> Any:
    """Online (attached) or offline; a volume never shrinks."""
    return update(
        request,
        lambda a, s, c: _one(a, s, a.volumes.extend_volume(s, c, volume_id, body.size_gib)),
        volume_view,
        AuditAction.VOLUME_EXTEND,
        volume_id,
    )


@router.post("/volumes/{volume_id}/retype", **answers(VolumeOut))
def retype_volume(volume_id: str, body: RetypeBody, request: Request) -> Any:
    return update(
        request,
        lambda a, s, c: _one(a, s, a.volumes.retype_volume(s, c, volume_id, body.volume_type)),
        volume_view,
        AuditAction.VOLUME_RETYPE,
        volume_id,
    )


@router.post("/volumes/{volume_id}/transfer", **answers(VolumeOut))
def transfer_volume(volume_id: str, body: TransferBody, request: Request) -> Any:
    """To another project of the same customer, with its snapshots."""
    return update(
        request,
        lambda a, s, c: _one(a, s, a.volumes.transfer_volume(s, c, volume_id, body.project_id)),
        volume_view,
        AuditAction.VOLUME_TRANSFER,
        volume_id,
    )


@router.delete("/volumes/{volume_id}", status_code=204, response_class=Response)
def delete_volume(volume_id: str, request: Request) -> Response:
    """Refused (409) while attached or with snapshots."""
    return remove(
        request,
        lambda a, s, c: a.volumes.delete_volume(s, c, volume_id),
        AuditAction.VOLUME_DELETE,
        volume_id,
    )


# -- snapshots ------------------------------------------------------------------
@router.post("/volume-snapshots", status_code=201, **answers(VolumeSnapshotOut))
def create_snapshot(body: SnapshotBody, request: Request) -> Any:
    return create(
        request,
        lambda a, s, c: a.snapshots.create_snapshot(
            s, c, body.volume_id, name=body.name, description=body.description, force=body.force
        ),
        snapshot_view,
        AuditAction.VOLUME_SNAPSHOT_CREATE,
    )


@router.get("/volume-snapshots", **answers(Page[VolumeSnapshotOut]))
def list_snapshots(
    request: Request, limit: int = Limit, marker: str | None = None, volume_id: str | None = None
) -> Any:
    return listing(
        request,
        lambda a, s, c: a.snapshots.list_snapshots(
            s, c, limit=limit, marker=marker, volume_id=volume_id
        ),
        snapshot_view,
        limit,
    )


@router.get("/volume-snapshots/{snapshot_id}", **answers(VolumeSnapshotOut))
def get_snapshot(snapshot_id: str, request: Request) -> Any:
    return one(request, lambda a, s, c: a.snapshots.get_snapshot(s, c, snapshot_id), snapshot_view)


@router.delete("/volume-snapshots/{snapshot_id}", status_code=204, response_class=Response)
def delete_snapshot(snapshot_id: str, request: Request) -> Response:
    return remove(
        request,
        lambda a, s, c: a.snapshots.delete_snapshot(s, c, snapshot_id),
        AuditAction.VOLUME_SNAPSHOT_DELETE,
        snapshot_id,
    )


# -- backups --------------------------------------------------------------------
@router.post("/volume-backups", status_code=201, **answers(VolumeBackupOut))
def create_backup(body: BackupBody, request: Request) -> Any:
    """In the volume's region's backup store, never elsewhere."""
    return create(
        request,
        lambda a, s, c: a.backups.create_backup(
            s,
            c,
            body.volume_id,
            name=body.name,
            description=body.description,
            snapshot_id=body.snapshot_id,
            force=body.force,
        ),
        backup_view,
        AuditAction.VOLUME_BACKUP_CREATE,
    )


@router.get("/volume-backups", **answers(Page[VolumeBackupOut]))
def list_backups(
    request: Request, limit: int = Limit, marker: str | None = None, volume_id: str | None = None
) -> Any:
    return listing(
        request,
        lambda a, s, c: a.backups.list_backups(
            s, c, limit=limit, marker=marker, volume_id=volume_id
        ),
        backup_view,
        limit,
    )


@router.get("/volume-backups/{backup_id}", **answers(VolumeBackupOut))
def get_backup(backup_id: str, request: Request) -> Any:
    return one(request, lambda a, s, c: a.backups.get_backup(s, c, backup_id), backup_view)


@router.post("/volume-backups/{backup_id}/restore", status_code=201, **answers(VolumeOut))
def restore_backup(backup_id: str, body: RestoreBody, request: Request) -> Any:
    """To a new volume, or onto an available volume at least as large."""
    return create(
        request,
        lambda a, s, c: _one(
            a, s, a.backups.restore(s, c, backup_id, volume_id=body.volume_id, name=body.name)
        ),
        volume_view,
        AuditAction.VOLUME_BACKUP_RESTORE,
    )


@router.delete("/volume-backups/{backup_id}", status_code=204, response_class=Response)
def delete_backup(backup_id: str, request: Request) -> Response:
    return remove(
        request,
        lambda a, s, c: a.backups.delete_backup(s, c, backup_id),
        AuditAction.VOLUME_BACKUP_DELETE,
        backup_id,
    )


# -- volumes on servers ---------------------------------------------------------
@router.post("/servers/{server_id}/volumes", status_code=201, **answers(VolumeAttachmentOut))
def attach_volume(server_id: str, body: AttachBody, request: Request) -> Any:
    return create(
        request,
        lambda a, s, c: a.attachments.attach(
            s,
            c,
            server_id,
            body.volume_id,
            device=body.device,
            delete_on_termination=body.delete_on_termination,
        ),
        attachment_view,
        AuditAction.VOLUME_ATTACH,
    )


@router.get("/servers/{server_id}/volumes", **answers(Page[VolumeAttachmentOut]))
def list_attachments(server_id: str, request: Request) -> Any:
    return listing(
        request,
        lambda a, s, c: a.attachments.attachments(s, c, server_id),
        attachment_view,
        1000,
    )


@router.delete("/servers/{server_id}/volumes/{volume_id}", status_code=204, response_class=Response)
def detach_volume(server_id: str, volume_id: str, request: Request) -> Response:
    return remove(
        request,
        lambda a, s, c: a.attachments.detach(s, c, server_id, volume_id),
        AuditAction.VOLUME_DETACH,
        volume_id,
    )


# -- quotas ---------------------------------------------------------------------
@router.get("/projects/{project_id}/storage-quotas", **answers(StorageQuotaOut))
def storage_quotas(project_id: str, request: Request) -> Any:
    return one(
        request,
        lambda a, s, c: {"project_id": project_id, **a.volumes.quota_usage(s, c, project_id)},
        dict,
    )


@router.put("/projects/{project_id}/storage-quotas", **answers(StorageQuotaOut))
def set_storage_quotas(project_id: str, body: dict[str, int], request: Request) -> Any:
    """Operator administrators: ``volumes``, ``gigabytes``, ``snapshots``, ``backups``,
    ``backup_gigabytes``, and per type ``volumes_<type>`` / ``gigabytes_<type>``; -1 is
    unlimited."""

    def change(app: App, session: Session, caller: Caller) -> dict[str, Any]:
        app.volumes.set_quotas(session, caller, project_id, body)
        return {"project_id": project_id, **app.volumes.quota_usage(session, caller, project_id)}

    return update(request, change, dict, AuditAction.STORAGE_QUOTA_SET, project_id)
