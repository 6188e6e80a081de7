"""Volumes, snapshots, backups and types as Cinder v3 shows them (the fields
openstacksdk's block-storage resources and the openstack CLI read), and the version
document clients discover the service by."""

from datetime import datetime
from typing import Any

__all__ = [
    "MAX_VERSION",
    "backup_view",
    "cinder_time",
    "snapshot_view",
    "type_view",
    "version_doc",
    "volume_view",
]

MIN_VERSION = "3.0"
MAX_VERSION = "3.70"  # 3.67: URLs without the project id, which the catalog gives


def cinder_time(moment: datetime | None) -> str | None:
    """Cinder's timestamps: ISO 8601 with microseconds and no offset (UTC)."""
    if moment is None:
        return None
    return moment.replace(tzinfo=None).isoformat(timespec="microseconds")


def version_doc(base: str) -> dict[str, Any]:
    return {
        "id": "v3.0",
        "status": "CURRENT",
        "version": MAX_VERSION,
        "min_version": MIN_VERSION,
        "updated": "2023-08-31T00:00:00Z",
        "links": [{"rel": "self", "href": f"{base}/block-storage/v3/"}],
        "media-types": [
            {"base": "application/json", "type": "application/vnd.openstack.volume+json;version=3"}
        ],
    }


def _links(base: str, kind: str, obj_id: str) -> list[dict[str, str]]:
    return [
        {"rel": "self", "href": f"{base}/block-storage/v3/{kind}/{obj_id}"},
        {"rel": "bookmark", "href": f"{base}/block-storage/{kind}/{obj_id}"},
    ]


def attachment_view(a: Any) -> dict[str, Any]:
    return {
        "id": a.id,
        "attachment_id": a.id,
        "volume_id": a.volume_id,
        "server_id": a.server_id,
        "host_name": None,
        "device": a.device,
        "attached_at": cinder_time(a.attached_at),
    }


def volume_view(
    base: str,
    v: Any,
    attachments: list[Any],
    *,
    brief: bool = False,
    version: tuple[int, int] = (3, 0),
    full: bool = True,
) -> Any:
    """``full``: a show or a detailed list; a create or an update answers without the
    project and the image's metadata (Cinder's own create view). Later microversions add
    their fields."""
    if brief:
        return {"id": v.id, "name": v.name, "links": _links(base, "volumes", v.id)}
    view = {
        "id": v.id,
        "name": v.name,
        "description": v.description,
        "status": v.status,
        "size": v.size_gib,
        "availability_zone": v.zone_code,
        "bootable": "true" if v.bootable else "false",
        "encrypted": False,
        "multiattach": v.multiattach,
        "volume_type": v.volume_type,
        "attachments": [attachment_view(a) for a in attachments],
        "metadata": dict(v.metadata_ or {}),
        "created_at": cinder_time(v.created_at),
        "updated_at": cinder_time(v.updated_at),
        "user_id": v.created_by,
        "snapshot_id": v.source_id if v.source_kind == "snapshot" else None,
        "source_volid": v.source_id if v.source_kind == "volume" else None,
        "replication_status": None,
        "consistencygroup_id": None,
        "group_id": None,
        "migration_status": None,
        "shared_targets": False,
        "service_uuid": None,
        "provider_id": None,
        "links": _links(base, "volumes", v.id),
    }
    if full:
        view["os-vol-tenant-attr:tenant_id"] = v.project_id
        if v.image_id:
            view["volume_image_metadata"] = {"image_id": v.image_id}
    for since, key, value in (
        ((3, 47), "backup_id", v.source_id if v.source_kind == "backup" else None),
        ((3, 63), "volume_type_id", None),
        ((3, 64), "encryption_key_id", None),
        ((3, 65), "consumes_quota", True),
    ):
        if version >= since:
            view[key] = value
    return view


def snapshot_view(
    s: Any, *, detail: bool = True, version: tuple[int, int] = (3, 0)
) -> dict[str, Any]:
    """``detail``: a show or a detailed list (progress and project); a create, an update
    or a short list answers without them, as Cinder does."""
    view = {
        "id": s.id,
        "name": s.name,
        "description": s.description,
        "status": s.status,
        "size": s.size_gib,
        "volume_id": s.volume_id,
        "metadata": dict(s.metadata_ or {}),
        "created_at": cinder_time(s.created_at),
        "updated_at": cinder_time(s.updated_at),
    }
    if detail:
        view["os-extended-snapshot-attributes:progress"] = "100%"
        view["os-extended-snapshot-attributes:project_id"] = s.project_id
    for since, key, value in (
        ((3, 14), "group_snapshot_id", None),
        ((3, 65), "consumes_quota", True),
    ):
        if version >= since:
            view[key] = value
    return view


def backup_view(
    base: str, b: Any, *, brief: bool = False, version: tuple[int, int] = (3, 0)
) -> dict[str, Any]:
    if brief:
        return {"id": b.id, "name": b.name, "links": _links(base, "backups", b.id)}
    view = {
        "id": b.id,
        "name": b.name,
        "description": b.description,
        "status": b.status,
        "size": b.size_gib,
        "volume_id": b.volume_id,
        "snapshot_id": b.snapshot_id,
        "availability_zone": None,
        "container": b.backup_store,
        "object_count": 0,
        "fail_reason": None,
        "is_incremental": False,
        "has_dependent_backups": False,
        "created_at": cinder_time(b.created_at),
        "updated_at": cinder_time(b.updated_at),
        "data_timestamp": cinder_time(b.created_at),
        "os-backup-project-attr:project_id": b.project_id,
        "metadata": {},
        "links": _links(base, "backups", b.id),
    }
    if version >= (3, 64):
        view["encryption_key_id"] = None
    return view


def type_view(t: Any) -> dict[str, Any]:
    specs = {"multiattach": "<is> True"} if t.multiattach else {}
    if t.certification:
        specs["certification"] = t.certification
    return {
        "id": t.id,
        "name": t.name,
        "description": t.description or None,
        "is_public": True,
        "os-volume-type-access:is_public": True,
        "extra_specs": specs,
        "qos_specs_id": None,
    }
