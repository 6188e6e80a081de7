"""Use cases of volume backups: a full copy of a volume (or of one of its snapshots) in
its region's backup store — never another region's, so a backup stays where residency
put the volume, and the region must still be allowed for the project when the backup is
made. A backup outlives its volume; restoring makes a new volume
(``VolumeService.create_volume`` with ``backup_id``) or overwrites an available volume
of the same project and region that is at least as large."""

from sqlalchemy.orm import Session

from andromede.audit.actions import AuditAction
from andromede.kernel.errors import Conflict, NotFound, ValidationFailed
from andromede.kernel.ids import new_id
from andromede.storage import volume_rules as rules
from andromede.storage import volume_store
from andromede.storage.volume_fields import description_field, name_field
from andromede.storage.volume_service import VolumeInput, VolumeService
from andromede.storage.volume_store import Volume, VolumeBackup, VolumeSnapshot
from andromede.tenancy.scope import Caller

__all__ = ["BackupService", "VolumeBackup"]


def backup_store(region: str) -> str:
    return f"{region}-backup"


class BackupService:
    def __init__(self, volumes: VolumeService) -> None:
        self.volumes = volumes

    def create_backup(
        self,
        session: Session,
        caller: Caller,
        volume_id: str,
        *,
        name: str = "",
        description: str = "",
        snapshot_id: str | None = None,
        force: bool = False,
    ) -> VolumeBackup:
        volumes = self.volumes
        volume = volumes.writable(session, caller, volume_id)
        project = volumes.project_for_write(session, caller, volume.project_id, lock=True)
        if snapshot_id:
            snap = volumes.visible_row(session, caller, VolumeSnapshot, "snapshot", snapshot_id)
            if snap.volume_id != volume.id or snap.deleted_at is not None:
                raise ValidationFailed.one("snapshot_id", "not a snapshot of this volume")
        elif volume.status == rules.IN_USE and not force:
            raise Conflict("the volume is attached: pass force to back it up anyway")
        elif volume.status not in (rules.AVAILABLE, rules.IN_USE):
            raise Conflict(f"a volume in status {volume.status!r} cannot be backed up")
        _, decision = volumes.sovereignty.allowed_zones(session, project, volume.region_code, None)
        volumes.check_quota(
            session, project, rules.wanted_usage("backup", volume.volume_type, volume.size_gib)
        )
        now = volumes.clock.now()
        backup = VolumeBackup(
            id=new_id(),
            volume_id=volume.id,
            snapshot_id=snapshot_id,
            name=name_field(name),
            description=description_field(description),
            status=rules.AVAILABLE,
            region_code=volume.region_code,
            backup_store=backup_store(volume.region_code),
            volume_type=volume.volume_type,
            size_gib=volume.size_gib,
            created_at=now,
            updated_at=now,
            partner_id=volume.partner_id,
            customer_id=volume.customer_id,
            project_id=volume.project_id,
        )
        session.add(backup)
        session.flush()
        volume_store.open_hold(session, "backup", backup)
        volumes.sovereignty.record_decision(
            session, AuditAction.VOLUME_BACKUP_CREATE, backup.id, decision
        )
        volumes.audit(session, caller, AuditAction.VOLUME_BACKUP_CREATE, backup)
        return backup

    def get_backup(self, session: Session, caller: Caller, backup_id: str) -> VolumeBackup:
        return self.volumes.live_row(session, caller, VolumeBackup, "backup", backup_id)

    def list_backups(
        self,
        session: Session,
        caller: Caller,
        *,
        limit: int,
        marker: str | None,
        volume_id: str | None = None,
        project_id: str | None = None,
    ) -> list[VolumeBackup]:
        found: list[VolumeBackup] = self.volumes.page(
            session,
            caller,
            VolumeBackup,
            limit=limit,
            marker=marker,
            volume_id=volume_id,
            project_id=project_id,
            where=(VolumeBackup.deleted_at.is_(None),),
        )
        return found

    def restore(
        self,
        session: Session,
        caller: Caller,
        backup_id: str,
        *,
        volume_id: str | None = None,
        name: str = "",
    ) -> Volume:
        backup = self.get_backup(session, caller, backup_id)
        if backup.status != rules.AVAILABLE:
            raise Conflict(f"a backup in status {backup.status!r} cannot be restored")
        if volume_id is None:
            data = VolumeInput(backup.project_id, name=name or "", backup_id=backup.id)
            volume = self.volumes.create_volume(session, caller, data)
        else:
            volume = self.volumes.writable(session, caller, volume_id)
            if volume.project_id != backup.project_id or volume.region_code != backup.region_code:
                raise NotFound("volume", volume_id)
            if volume.status != rules.AVAILABLE:
                raise Conflict(f"a volume in status {volume.status!r} cannot be restored onto")
            if volume.size_gib < backup.size_gib:
                raise ValidationFailed.one(
                    "volume_id", f"smaller than the backup's {backup.size_gib} GiB"
                )
            volume.source_kind, volume.source_id = "backup", backup.id
            volume.updated_at = self.volumes.clock.now()
        self.volumes.audit(session, caller, AuditAction.VOLUME_BACKUP_RESTORE, backup)
        return volume

    def delete_backup(self, session: Session, caller: Caller, backup_id: str) -> None:
        backup = self.volumes.live_row(
            session, caller, VolumeBackup, "backup", backup_id, write=True
        )
        if backup.status not in (rules.AVAILABLE, "error"):
            raise Conflict(f"a backup in status {backup.status!r} cannot be deleted")
        now = self.volumes.clock.now()
        backup.status = "deleted"
        backup.deleted_at = now
        backup.updated_at = now
        volume_store.close_hold(session, backup.id, now)
        self.volumes.audit(session, caller, AuditAction.VOLUME_BACKUP_DELETE, backup)
