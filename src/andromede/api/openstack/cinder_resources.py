"""Cinder v3's snapshots, backups (with restore), volume types, quota sets, limits and
availability zones, on the same services as /v1; the token's project's only."""

from typing import Any

from fastapi import APIRouter, Body, Request, Response

from andromede.api.context import app_of, run
from andromede.api.openstack.block_storage import (
    MAX_LIMIT,
    V3,
    WRITABLE,
    next_link,
    own_volume,
    page_params,
    sort_order,
    sorted_page,
    text_field,
    wrapped,
)
from andromede.api.openstack.cinder_metadata import add_metadata_routes
from andromede.api.openstack.cinder_views import backup_view, snapshot_view, type_view
from andromede.api.openstack.compute import project_of
from andromede.api.openstack.envelopes import declares
from andromede.api.openstack.identity import base_url
from andromede.api.openstack.microversion import volume_version
from andromede.audit.actions import AuditAction
from andromede.kernel.errors import NotFound

router = APIRouter(tags=["openstack block storage"])


def _force(value: Any) -> bool:
    if isinstance(value, str):
        return value.lower() in ("true", "1", "yes")
    return bool(value)


def _own(row: Any, caller: Any, kind: str, ref: str) -> Any:
    if row.project_id != project_of(caller):
        raise NotFound(kind, ref)
    return row


# -- snapshots -------------------------------------------------------------------
@router.post(V3 + "/snapshots", status_code=202, **declares("Snapshot", 202))
def create_snapshot(request: Request, body: dict[str, Any] = Body(...)) -> Any:
    wanted = wrapped(body, "snapshot")
    volume_id = text_field(wanted.get("volume_id"), "volume_id") or ""
    app = app_of(request)

    def work(session: Any, caller: Any) -> Any:
        own_volume(app, session, caller, volume_id)
        snap = app.snapshots.create_snapshot(
            session,
            caller,
            volume_id,
            name=text_field(wanted.get("name"), "name") or "",
            description=text_field(wanted.get("description"), "description") or "",
            force=True,  # as from Cinder 3.66: an in-use volume is snapshotted as it is
            metadata=wanted.get("metadata"),
        )
        return {"snapshot": snapshot_view(snap, detail=False, version=volume_version(request))}

    return run(
        request, work, write=True, action=AuditAction.VOLUME_SNAPSHOT_CREATE, target_type="volume"
    )


def _snapshots(request: Request, brief: bool) -> dict[str, Any]:
    limit, marker = page_params(request)
    params = request.query_params
    order = sort_order(params)
    app = app_of(request)

    def work(session: Any, caller: Any) -> list[Any]:
        found = app.snapshots.list_snapshots(
            session,
            caller,
            limit=MAX_LIMIT if order else limit,
            marker=None if order else marker,
            volume_id=params.get("volume_id"),
            project_id=project_of(caller),
            status=params.get("status"),
            name=params.get("name"),
        )
        if order:
            found = sorted_page(found, order, marker, limit)
        version = volume_version(request)
        return [snapshot_view(s, detail=not brief, version=version) for s in found]

    views = run(request, work)
    return {"snapshots": views, **next_link(request, "snapshots", views, limit)}


@router.get(V3 + "/snapshots", **declares("Snapshots"))
def list_snapshots(request: Request) -> dict[str, Any]:
    return _snapshots(request, brief=True)


@router.get(V3 + "/snapshots/detail", **declares("Snapshots"))
def list_snapshots_detail(request: Request) -> dict[str, Any]:
    return _snapshots(request, brief=False)


def _snapshot(app: Any, session: Any, caller: Any, snapshot_id: str) -> Any:
    found = app.snapshots.get_snapshot(session, caller, snapshot_id)
    return _own(found, caller, "snapshot", snapshot_id)


@router.get(V3 + "/snapshots/{snapshot_id}", **declares("Snapshot"))
def show_snapshot(snapshot_id: str, request: Request) -> Any:
    app = app_of(request)

    def work(session: Any, caller: Any) -> Any:
        snap = _snapshot(app, session, caller, snapshot_id)
        return {"snapshot": snapshot_view(snap, version=volume_version(request))}

    return run(request, work)


@router.put(V3 + "/snapshots/{snapshot_id}", **declares("Snapshot"))
def update_snapshot(snapshot_id: str, request: Request, body: dict[str, Any] = Body(...)) -> Any:
    wanted = wrapped(body, "snapshot")
    changes: dict[str, Any] = {k: v for k, v in wanted.items() if k in WRITABLE}
    app = app_of(request)

    def work(session: Any, caller: Any) -> Any:
        _snapshot(app, session, caller, snapshot_id)
        snap = app.snapshots.update_snapshot(session, caller, snapshot_id, changes)
        return {"snapshot": snapshot_view(snap, detail=False, version=volume_version(request))}

    return run(
        request,
        work,
        write=True,
        action=AuditAction.VOLUME_SNAPSHOT_UPDATE,
        target_type="volume_snapshot",
        target_id=snapshot_id,
    )


@router.delete(V3 + "/snapshots/{snapshot_id}", status_code=202, response_class=Response)
def delete_snapshot(snapshot_id: str, request: Request) -> Response:
    app = app_of(request)

    def work(session: Any, caller: Any) -> None:
        _snapshot(app, session, caller, snapshot_id)
        app.snapshots.delete_snapshot(session, caller, snapshot_id)

    run(
        request,
        work,
        write=True,
        action=AuditAction.VOLUME_SNAPSHOT_DELETE,
        target_type="volume_snapshot",
        target_id=snapshot_id,
    )
    return Response(status_code=202)


add_metadata_routes(
    router,
    V3 + "/snapshots/{obj_id}/metadata",
    _snapshot,
    lambda app, s, c, row, meta: app.snapshots.update_snapshot(s, c, row.id, {"metadata": meta}),
    AuditAction.VOLUME_SNAPSHOT_UPDATE,
)


# -- backups ---------------------------------------------------------------------
@router.post(V3 + "/backups", status_code=202, **declares("Backup", 202))
def create_backup(request: Request, body: dict[str, Any] = Body(...)) -> Any:
    """``incremental`` is taken and ignored: each backup is a full copy."""
    wanted = wrapped(body, "backup")
    volume_id = text_field(wanted.get("volume_id"), "volume_id") or ""
    app = app_of(request)

    def work(session: Any, caller: Any) -> Any:
        own_volume(app, session, caller, volume_id)
        backup = app.backups.create_backup(
            session,
            caller,
            volume_id,
            name=text_field(wanted.get("name"), "name") or "",
            description=text_field(wanted.get("description"), "description") or "",
            snapshot_id=text_field(wanted.get("snapshot_id"), "snapshot_id"),
            force=_force(wanted.get("force", False)),
        )
        return {"backup": backup_view(base_url(request), backup, brief=True)}

    return run(
        request, work, write=True, action=AuditAction.VOLUME_BACKUP_CREATE, target_type="volume"
    )


def _backups(request: Request, brief: bool) -> dict[str, Any]:
    limit, marker = page_params(request)
    volume_id = request.query_params.get("volume_id")
    app = app_of(request)

    def work(session: Any, caller: Any) -> list[Any]:
        found = app.backups.list_backups(
            session,
            caller,
            limit=limit,
            marker=marker,
            volume_id=volume_id,
            project_id=project_of(caller),
        )
        return [backup_view(base_url(request), b, brief=brief) for b in found]

    return {"backups": run(request, work)}


@router.get(V3 + "/backups", **declares("Backups"))
def list_backups(request: Request) -> dict[str, Any]:
    return _backups(request, brief=True)


@router.get(V3 + "/backups/detail", **declares("Backups"))
def list_backups_detail(request: Request) -> dict[str, Any]:
    return _backups(request, brief=False)


def _backup(app: Any, session: Any, caller: Any, backup_id: str) -> Any:
    return _own(app.backups.get_backup(session, caller, backup_id), caller, "backup", backup_id)


@router.get(V3 + "/backups/{backup_id}", **declares("Backup"))
def show_backup(backup_id: str, request: Request) -> Any:
    app = app_of(request)

    def work(session: Any, caller: Any) -> Any:
        return {"backup": backup_view(base_url(request), _backup(app, session, caller, backup_id))}

    return run(request, work)


@router.post(V3 + "/backups/{backup_id}/restore", status_code=202, **declares("Restore", 202))
def restore_backup(backup_id: str, request: Request, body: dict[str, Any] = Body(...)) -> Any:
    wanted = wrapped(body, "restore")
    app = app_of(request)

    def work(session: Any, caller: Any) -> Any:
        _backup(app, session, caller, backup_id)
        volume = app.backups.restore(
            session,
            caller,
            backup_id,
            volume_id=text_field(wanted.get("volume_id"), "volume_id"),
            name=text_field(wanted.get("name"), "name") or "",
        )
        return {
            "restore": {"backup_id": backup_id, "volume_id": volume.id, "volume_name": volume.name}
        }

    return run(
        request,
        work,
        write=True,
        action=AuditAction.VOLUME_BACKUP_RESTORE,
        target_type="volume_backup",
        target_id=backup_id,
    )


@router.delete(V3 + "/backups/{backup_id}", status_code=202, response_class=Response)
def delete_backup(backup_id: str, request: Request) -> Response:
    app = app_of(request)

    def work(session: Any, caller: Any) -> None:
        _backup(app, session, caller, backup_id)
        app.backups.delete_backup(session, caller, backup_id)

    run(
        request,
        work,
        write=True,
        action=AuditAction.VOLUME_BACKUP_DELETE,
        target_type="volume_backup",
        target_id=backup_id,
    )
    return Response(status_code=202)


# -- types, quotas, limits, zones, extensions ------------------------------------
UPDATED = "2023-08-31T00:00:00+00:00"
EXTENSIONS = (
    ("AvailabilityZones", "os-availability-zone", "Describe availability zones."),
    ("Backups", "backups", "Backups support."),
    ("Quotas", "os-quota-sets", "Quota management support."),
    ("VolumeActions", "os-volume-actions", "Enable volume actions."),
    ("VolumeTenantAttribute", "os-vol-tenant-attr", "Expose the project of a volume."),
    ("Types", "types", "Volume types support."),
)


@router.get(V3 + "/extensions", **declares("Extensions"))
def extensions() -> dict[str, Any]:
    listed = [
        {"name": n, "alias": a, "description": d, "links": [], "updated": UPDATED}
        for n, a, d in EXTENSIONS
    ]
    return {"extensions": listed}


@router.get(V3 + "/types", **declares("VolumeTypes"))
def list_types(request: Request) -> dict[str, Any]:
    app = app_of(request)
    kinds = run(request, lambda s, c: app.storage.distinct_types(s))
    return {"volume_types": [type_view(k) for k in kinds]}


@router.get(V3 + "/types/{type_id}", **declares("VolumeType"))
def show_type(type_id: str, request: Request) -> dict[str, Any]:
    """By id or name; ``default`` is the type a volume gets when none is asked for."""
    app = app_of(request)

    def work(session: Any, caller: Any) -> Any:
        kinds = app.storage.distinct_types(session)
        if type_id == "default":
            return min(kinds, key=lambda k: (k.multiattach, k.created_at, k.name), default=None)
        name = app.storage.type_name(session, type_id)
        return next((k for k in kinds if k.name == name), None)

    found = run(request, work)
    if found is None:
        raise NotFound("volume type", type_id)
    return {"volume_type": type_view(found)}


def _quota_set(request: Request, project_id: str, usage: bool, defaults: bool) -> dict[str, Any]:
    app = app_of(request)

    def work(session: Any, caller: Any) -> dict[str, Any]:
        if project_id != project_of(caller):
            raise NotFound("project", project_id)
        return app.volumes.quota_usage(session, caller, project_id)

    found = run(request, work)
    limits = dict(found["limits"])
    if defaults:
        limits = app_of(request).volumes.quota_defaults()
    quota: dict[str, Any] = {"id": project_id, "per_volume_gigabytes": -1, "groups": 0}
    for name, limit in limits.items():
        quota[name] = (
            {"limit": limit, "in_use": found["in_use"].get(name, 0), "reserved": 0, "allocated": 0}
            if usage
            else limit
        )
    return {"quota_set": quota}


@router.get(V3 + "/os-quota-sets/{project_id}", **declares("QuotaSet"))
def show_quotas(project_id: str, request: Request) -> dict[str, Any]:
    usage = request.query_params.get("usage", "").lower() in ("true", "1")
    return _quota_set(request, project_id, usage, defaults=False)


@router.get(V3 + "/os-quota-sets/{project_id}/defaults", **declares("QuotaSet"))
def default_quotas(project_id: str, request: Request) -> dict[str, Any]:
    return _quota_set(request, project_id, False, defaults=True)


@router.get(V3 + "/limits", **declares("Limits"))
def limits(request: Request) -> dict[str, Any]:
    app = app_of(request)
    found = run(request, lambda s, c: app.volumes.quota_usage(s, c, project_of(c)))
    limit, used = found["limits"], found["in_use"]
    absolute = {
        "maxTotalVolumes": limit["volumes"],
        "maxTotalVolumeGigabytes": limit["gigabytes"],
        "maxTotalSnapshots": limit["snapshots"],
        "maxTotalBackups": limit["backups"],
        "maxTotalBackupGigabytes": limit["backup_gigabytes"],
        "totalVolumesUsed": used.get("volumes", 0),
        "totalGigabytesUsed": used.get("gigabytes", 0),
        "totalSnapshotsUsed": used.get("snapshots", 0),
        "totalBackupsUsed": used.get("backups", 0),
        "totalBackupGigabytesUsed": used.get("backup_gigabytes", 0),
    }
    return {"limits": {"rate": [], "absolute": absolute}}


@router.get(V3 + "/os-availability-zone", **declares("AvailabilityZones"))
def availability_zones(request: Request) -> dict[str, Any]:
    """The zones that hold storage pools."""
    app = app_of(request)
    zones = run(request, lambda s, c: app.storage.pool_zones(s))
    info = [{"zoneName": z, "zoneState": {"available": True}} for z in zones]
    return {"availabilityZoneInfo": info}
