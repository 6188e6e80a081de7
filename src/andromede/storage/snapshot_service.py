"""Use cases of volume snapshots: a point-in-time copy kept on the volume's own pool,
counted in the project's ``snapshots`` and ``gigabytes`` quotas and billed per GiB-month
of the volume's size at the time. A volume with snapshots cannot be deleted (Cinder's
rule); a new volume is made from one by ``VolumeService.create_volume``."""

from typing import Any

from sqlalchemy.orm import Session

from andromede.audit.actions import AuditAction
from andromede.kernel.errors import Conflict
from andromede.kernel.ids import new_id
from andromede.storage import volume_rules as rules
from andromede.storage import volume_store
from andromede.storage.volume_fields import description_field, metadata_field, name_field
from andromede.storage.volume_service import VolumeService
from andromede.storage.volume_store import Volume, VolumeSnapshot
from andromede.tenancy.scope import Caller

__all__ = ["SnapshotService", "VolumeSnapshot"]


class SnapshotService:
    def __init__(self, volumes: VolumeService) -> None:
        self.volumes = volumes

    def create_snapshot(
        self,
        session: Session,
        caller: Caller,
        volume_id: str,
        *,
        name: str = "",
        description: str = "",
        force: bool = False,
        metadata: dict[str, str] | None = None,
    ) -> VolumeSnapshot:
        volume = self.volumes.writable(session, caller, volume_id)
        project = self.volumes.project_for_write(session, caller, volume.project_id, lock=True)
        refusal = rules.snapshot_refusal(volume.status, force)
        if refusal:
            raise Conflict(refusal)
        # a snapshot is a new copy of the data where the volume is: a placement like any
        # other, refused where the project's policy now refuses that zone
        _, decision = self.volumes.sovereignty.allowed_zones(
            session, project, volume.region_code, volume.zone_code
        )
        wanted = rules.wanted_usage("snapshot", volume.volume_type, volume.size_gib)
        self.volumes.check_quota(session, project, wanted)
        now = self.volumes.clock.now()
        snap = VolumeSnapshot(
            id=new_id(),
            volume_id=volume.id,
            name=name_field(name),
            description=description_field(description),
            status=rules.AVAILABLE,
            region_code=volume.region_code,
            zone_code=volume.zone_code,
            volume_type=volume.volume_type,
            size_gib=volume.size_gib,
            metadata_=metadata_field(metadata),
            created_at=now,
            updated_at=now,
            partner_id=volume.partner_id,
            customer_id=volume.customer_id,
            project_id=volume.project_id,
        )
        session.add(snap)
        session.flush()
        volume_store.open_hold(session, "snapshot", snap)
        self.volumes.sovereignty.record_decision(
            session, AuditAction.VOLUME_SNAPSHOT_CREATE, snap.id, decision
        )
        self.volumes.audit(session, caller, AuditAction.VOLUME_SNAPSHOT_CREATE, snap)
        return snap

    def get_snapshot(self, session: Session, caller: Caller, snapshot_id: str) -> VolumeSnapshot:
        return self.volumes.live_row(session, caller, VolumeSnapshot, "snapshot", snapshot_id)

    def list_snapshots(
        self,
        session: Session,
        caller: Caller,
        *,
        limit: int,
        marker: str | None,
        volume_id: str | None = None,
        project_id: str | None = None,
        status: str | None = None,
        name: str | None = None,
    ) -> list[VolumeSnapshot]:
        found: list[VolumeSnapshot] = self.volumes.page(
            session,
            caller,
            VolumeSnapshot,
            limit=limit,
            marker=marker,
            volume_id=volume_id,
            project_id=project_id,
            status=status,
            name=name,
            where=(VolumeSnapshot.deleted_at.is_(None),),
        )
        return found

    def update_snapshot(
        self, session: Session, caller: Caller, snapshot_id: str, changes: dict[str, Any]
    ) -> VolumeSnapshot:
        snap = self.writable(session, caller, snapshot_id)
        if "name" in changes:
            snap.name = name_field(changes["name"])
        if "description" in changes:
            snap.description = description_field(changes["description"])
        if "metadata" in changes:
            snap.metadata_ = metadata_field(changes["metadata"])
        snap.updated_at = self.volumes.clock.now()
        return snap

    def delete_snapshot(self, session: Session, caller: Caller, snapshot_id: str) -> None:
        snap = self.writable(session, caller, snapshot_id)
        if snap.status not in (rules.AVAILABLE, "error"):
            raise Conflict(f"a snapshot in status {snap.status!r} cannot be deleted")
        now = self.volumes.clock.now()
        snap.status = "deleted"
        snap.deleted_at = now
        snap.updated_at = now
        volume_store.close_hold(session, snap.id, now)
        self.volumes.audit(session, caller, AuditAction.VOLUME_SNAPSHOT_DELETE, snap)

    def writable(self, session: Session, caller: Caller, snapshot_id: str) -> VolumeSnapshot:
        return self.volumes.live_row(
            session, caller, VolumeSnapshot, "snapshot", snapshot_id, write=True
        )

    def volume_of(self, session: Session, snap: VolumeSnapshot) -> Volume | None:
        return session.get(Volume, snap.volume_id)
