"""The tables of volumes and what is made of them: attachments to servers, snapshots,
backups, the usage holds billing reads, and the projects' own storage quotas.

A hold is one stretch of a billed object at one size and type: extending or retyping a
volume closes its hold and opens the next, deleting closes it — so metering reads
GiB x seconds without replaying the volume's history."""

from collections.abc import Collection
from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
    func,
    select,
    update,
)
from sqlalchemy.orm import Mapped, Session, mapped_column

from andromede.db import Base, UTCDateTime
from andromede.storage.volume_rules import ROOT_DEVICE

__all__ = [
    "StorageHold",
    "StorageQuota",
    "Volume",
    "VolumeAttachment",
    "VolumeBackup",
    "VolumeSnapshot",
    "attachments_of",
    "close_hold",
    "held_between",
    "open_hold",
    "project_usage",
    "quotas_of",
    "server_attachments",
]


class _Tenanted:
    partner_id: Mapped[str] = mapped_column(String(36), index=True)
    customer_id: Mapped[str] = mapped_column(String(36), index=True)
    project_id: Mapped[str] = mapped_column(ForeignKey("projects.id"), index=True)


class Volume(_Tenanted, Base):
    __tablename__ = "volumes"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    name: Mapped[str] = mapped_column(String(255), default="")
    description: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(20), index=True)
    region_code: Mapped[str] = mapped_column(ForeignKey("regions.code"), index=True)
    zone_code: Mapped[str] = mapped_column(String(40))
    pool_id: Mapped[str] = mapped_column(ForeignKey("storage_pools.id"), index=True)
    volume_type: Mapped[str] = mapped_column(String(64))
    size_gib: Mapped[int] = mapped_column(Integer)
    bootable: Mapped[bool] = mapped_column(Boolean, default=False)
    multiattach: Mapped[bool] = mapped_column(Boolean, default=False)
    # what it was made from: "" (empty), image, snapshot, volume, backup — and its id
    source_kind: Mapped[str] = mapped_column(String(20), default="")
    source_id: Mapped[str | None] = mapped_column(String(36))
    image_id: Mapped[str | None] = mapped_column(String(36))  # the image its data came from
    metadata_: Mapped[dict[str, str]] = mapped_column("metadata", JSON, default=dict)
    created_by: Mapped[str] = mapped_column(String(36))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())
    deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # its data key, wrapped by its customer's key-encryption key (key_id, in the KMS);
    # volumes made before 0042 have none
    key_id: Mapped[str | None] = mapped_column(String(60))
    wrapped_key: Mapped[str | None] = mapped_column(String(120))


class VolumeAttachment(Base):
    """A volume attached to a server, at a device; ``delete_on_termination``: the volume
    goes with the server (Nova 2.79)."""

    __tablename__ = "volume_attachments"
    __table_args__ = (UniqueConstraint("volume_id", "server_id"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    volume_id: Mapped[str] = mapped_column(ForeignKey("volumes.id"), index=True)
    server_id: Mapped[str] = mapped_column(ForeignKey("servers.id"), index=True)
    device: Mapped[str] = mapped_column(String(64))
    delete_on_termination: Mapped[bool] = mapped_column(Boolean, default=False)
    attached_at: Mapped[datetime] = mapped_column(UTCDateTime())


class VolumeSnapshot(_Tenanted, Base):
    __tablename__ = "volume_snapshots"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    volume_id: Mapped[str] = mapped_column(ForeignKey("volumes.id"), index=True)
    name: Mapped[str] = mapped_column(String(255), default="")
    description: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(20), index=True)
    region_code: Mapped[str] = mapped_column(String(30))
    zone_code: Mapped[str] = mapped_column(String(40))
    volume_type: Mapped[str] = mapped_column(String(64))
    size_gib: Mapped[int] = mapped_column(Integer)
    metadata_: Mapped[dict[str, str]] = mapped_column("metadata", JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())
    deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class VolumeBackup(_Tenanted, Base):
    """A copy of a volume in its region's backup store: it outlives the volume."""

    __tablename__ = "volume_backups"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    volume_id: Mapped[str] = mapped_column(String(36), index=True)  # may be gone since
    snapshot_id: Mapped[str | None] = mapped_column(String(36))
    name: Mapped[str] = mapped_column(String(255), default="")
    description: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(20), index=True)
    region_code: Mapped[str] = mapped_column(ForeignKey("regions.code"))
    backup_store: Mapped[str] = mapped_column(String(100))
    volume_type: Mapped[str] = mapped_column(String(64))
    size_gib: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())
    deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class StorageHold(_Tenanted, Base):
    __tablename__ = "storage_holds"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    kind: Mapped[str] = mapped_column(String(20))  # volume | snapshot | backup
    object_id: Mapped[str] = mapped_column(String(36), index=True)
    name: Mapped[str] = mapped_column(String(255))
    volume_type: Mapped[str] = mapped_column(String(64))
    region_code: Mapped[str] = mapped_column(String(30))
    gib: Mapped[int] = mapped_column(Integer)
    start: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    end: Mapped[datetime | None] = mapped_column(UTCDateTime(), index=True)


class StorageQuota(Base):
    """A project's own limit for one storage quota (``volumes``, ``gigabytes_ssd``...),
    set by the operator; a quota without a row is the default."""

    __tablename__ = "storage_quotas"

    project_id: Mapped[str] = mapped_column(ForeignKey("projects.id"), primary_key=True)
    resource: Mapped[str] = mapped_column(String(100), primary_key=True)
    limit: Mapped[int] = mapped_column(Integer)


def open_hold(session: Session, kind: str, obj: Volume | VolumeSnapshot | VolumeBackup) -> None:
    session.add(
        StorageHold(
            kind=kind,
            object_id=obj.id,
            name=obj.name or obj.id,
            volume_type=obj.volume_type,
            region_code=obj.region_code,
            gib=obj.size_gib,
            start=obj.updated_at,
            end=None,
            partner_id=obj.partner_id,
            customer_id=obj.customer_id,
            project_id=obj.project_id,
        )
    )


def close_hold(session: Session, object_id: str, at: datetime) -> None:
    session.execute(
        update(StorageHold)
        .where(StorageHold.object_id == object_id, StorageHold.end.is_(None))
        .values(end=at)
        .execution_options(synchronize_session=False)
    )


def held_between(
    session: Session,
    start: datetime,
    end: datetime,
    customer_id: str | None,
    partners: Collection[str] | None = None,
) -> list[StorageHold]:
    """What was held at some time in [start, end) (by ``partners``' customers, if given)."""
    query = select(StorageHold).where(
        StorageHold.start < end, StorageHold.end.is_(None) | (StorageHold.end > start)
    )
    if customer_id is not None:
        query = query.where(StorageHold.customer_id == customer_id)
    if partners is not None:
        query = query.where(StorageHold.partner_id.in_(sorted(partners)))
    return list(session.scalars(query.order_by(StorageHold.id)))


def attachments_of(session: Session, volume_id: str) -> list[VolumeAttachment]:
    query = select(VolumeAttachment).where(VolumeAttachment.volume_id == volume_id)
    return list(session.scalars(query.order_by(VolumeAttachment.attached_at)))


def server_attachments(session: Session, server_id: str) -> list[VolumeAttachment]:
    query = select(VolumeAttachment).where(VolumeAttachment.server_id == server_id)
    return list(session.scalars(query.order_by(VolumeAttachment.device)))


def project_usage(session: Session, project_id: str) -> dict[str, int]:
    """What the project's live volumes, snapshots and backups count against its quotas,
    in total and per type (``volumes_ssd``, ``gigabytes_ssd``). A server's root volume
    counts in the server's own quota while it is that server's root, not here."""
    usage: dict[str, int] = {}

    def add(key: str, value: int) -> None:
        usage[key] = usage.get(key, 0) + int(value)

    a_root = (
        select(VolumeAttachment.id)
        .where(VolumeAttachment.volume_id == Volume.id, VolumeAttachment.device == ROOT_DEVICE)
        .exists()
    )
    rows = session.execute(
        select(Volume.volume_type, func.count(), func.sum(Volume.size_gib))
        .where(Volume.project_id == project_id, Volume.deleted_at.is_(None), ~a_root)
        .group_by(Volume.volume_type)
    )
    for kind, count, gib in rows:
        add("volumes", count)
        add("gigabytes", gib)
        add(f"volumes_{kind}", count)
        add(f"gigabytes_{kind}", gib)
    for model, name, gib_name in (
        (VolumeSnapshot, "snapshots", "gigabytes"),
        (VolumeBackup, "backups", "backup_gigabytes"),
    ):
        count, gib = session.execute(
            select(func.count(), func.coalesce(func.sum(model.size_gib), 0)).where(
                model.project_id == project_id, model.deleted_at.is_(None)
            )
        ).one()
        add(name, count)
        add(gib_name, gib)
    return usage


def quotas_of(session: Session, project_id: str) -> dict[str, int]:
    query = select(StorageQuota).where(StorageQuota.project_id == project_id)
    return {q.resource: q.limit for q in session.scalars(query)}


def tenants_in(session: Session, region: str, zone: str | None) -> set[tuple[str, str]]:
    """(partner, customer) of every live volume, snapshot or backup on a site: a backup
    lives in its region's store, so only a region-wide site holds it."""
    found: set[tuple[str, str]] = set()
    models: list[Any] = [Volume, VolumeSnapshot] + ([VolumeBackup] if zone is None else [])
    for model in models:
        query = select(model.partner_id, model.customer_id).distinct()
        query = query.where(model.region_code == region, model.deleted_at.is_(None))
        if zone is not None:
            query = query.where(model.zone_code == zone)
        found.update((p, c) for p, c in session.execute(query))
    return found
