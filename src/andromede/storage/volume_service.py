"""Use cases of volumes: create (empty, from an image, a snapshot, another volume or a
backup), update, extend, retype, transfer to another project of the customer, delete,
attach and detach (compute calls these once it has checked the server), and the storage
quotas.

Each change is one transaction: the project's row lock serialises its quota checks, the
pool's claim is a guarded UPDATE, the billing hold is closed and reopened at the new size
or type, and the audit entry names the volume. The embedded backend makes the volume at
once, so it is ``available`` when the create answers.
"""

from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, TypeVar

from sqlalchemy import select
from sqlalchemy.orm import Session

from andromede.audit.actions import AuditAction
from andromede.catalog.image_service import ImageService
from andromede.catalog.service import CatalogService
from andromede.kernel.clock import Clock
from andromede.kernel.errors import (
    Conflict,
    Forbidden,
    NotFound,
    PolicyViolation,
    QuotaExceeded,
    ValidationFailed,
)
from andromede.kernel.ids import new_id
from andromede.kernel.tenants import TenantRef
from andromede.sovereignty.attestation import Held
from andromede.sovereignty.key_service import KeyService
from andromede.sovereignty.service import SovereigntyService
from andromede.storage import volume_rules as rules
from andromede.storage import volume_store
from andromede.storage.pool_placement import PoolState, VolumeRequest, fits
from andromede.storage.service import StorageService, VolumeType
from andromede.storage.volume_fields import description_field, metadata_field, name_field
from andromede.storage.volume_store import (
    StorageHold,
    Volume,
    VolumeAttachment,
    VolumeBackup,
    VolumeSnapshot,
)
from andromede.tenancy.resources import ProjectResources, ref_of
from andromede.tenancy.scope import Caller, Permission, allowed
from andromede.tenancy.service import Project, TenancyService

Kept = TypeVar("Kept", Volume, VolumeSnapshot, VolumeBackup)  # what a project keeps stored

__all__ = [
    "RootVolume",
    "StorageHold",
    "Volume",
    "VolumeAttachment",
    "VolumeBackup",
    "VolumeInput",
    "VolumeService",
    "VolumeSnapshot",
]

MAX_VOLUME_GIB = 16384  # a volume is billed per GiB: a typo must not cost a fortune


@dataclass(frozen=True)
class VolumeInput:
    project_id: str
    size_gib: int | None = None
    name: str = ""
    description: str = ""
    volume_type: str | None = None
    zone: str | None = None
    region: str | None = None
    image: str | None = None
    snapshot_id: str | None = None
    source_volume_id: str | None = None
    backup_id: str | None = None
    metadata: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class RootVolume:
    """A server's root disk as a volume (boot from volume), in the server's zone."""

    server_id: str
    region: str
    zone: str
    size_gib: int
    image_id: str
    volume_type: str | None = None
    delete_on_termination: bool = False


@dataclass(frozen=True)
class RootPlan:
    """Where a server's root volume can go, decided before its host: the volume type,
    the region's pools as read, and the zones among those allowed where one has room."""

    volume_type: str
    pools: list[PoolState]
    zones: frozenset[str]


@dataclass(frozen=True)
class _Source:
    kind: str  # "", image, snapshot, volume, backup
    id: str | None
    region: str | None
    zone: str | None
    volume_type: str | None
    size_gib: int
    bootable: bool
    image_id: str | None


class VolumeService(ProjectResources):
    def __init__(
        self,
        clock: Clock,
        tenancy: TenancyService,
        catalog: CatalogService,
        sovereignty: SovereigntyService,
        storage: StorageService,
        images: ImageService,
        keys: KeyService,
    ) -> None:
        super().__init__(clock, tenancy)
        self.catalog = catalog
        self.sovereignty = sovereignty
        self.storage = storage
        self.images = images
        self.keys = keys

    # -- create ----------------------------------------------------------------
    def create_volume(self, session: Session, caller: Caller, data: VolumeInput) -> Volume:
        project = self.project_for_write(session, caller, data.project_id, lock=True)
        source = self._source(session, caller, project, data)
        region = self._region(session, project, data, source)
        zone = self._zone(session, data.zone, region) or source.zone
        kind = self._type(session, region, data.volume_type or source.volume_type)
        size = self._size(data.size_gib, source)
        allowed_zones, decision = self.sovereignty.allowed_zones(session, project, region, zone)
        self.check_quota(session, project, rules.wanted_usage("volume", kind.name, size))
        request = VolumeRequest(size, kind.name, region, zone, allowed_zones)
        placement = self.storage.place_and_claim(session, request)
        now = self.clock.now()
        key_id, wrapped = self.keys.new_data_key(session, project.partner_id, project.customer_id)
        volume = Volume(
            id=new_id(),
            key_id=key_id,
            wrapped_key=wrapped.hex(),
            name=name_field(data.name),
            description=description_field(data.description),
            status=rules.AVAILABLE,
            region_code=region,
            zone_code=placement.zone,
            pool_id=placement.pool_id,
            volume_type=kind.name,
            size_gib=size,
            bootable=source.bootable,
            multiattach=kind.multiattach,
            source_kind=source.kind,
            source_id=source.id,
            image_id=source.image_id,
            metadata_=metadata_field(data.metadata),
            created_by=caller.actor.user_id,
            created_at=now,
            updated_at=now,
            partner_id=project.partner_id,
            customer_id=project.customer_id,
            project_id=project.id,
        )
        session.add(volume)
        session.flush()
        volume_store.open_hold(session, "volume", volume)
        self.sovereignty.record_decision(session, AuditAction.VOLUME_CREATE, volume.id, decision)
        self.audit(session, caller, AuditAction.VOLUME_CREATE, volume)
        return volume

    def plan_root(
        self, session: Session, region: str, ref: str | None, size: int, zones: frozenset[str]
    ) -> RootPlan | None:
        """None when the region sells no volumes: a diskless flavor then boots on a root
        disk of the asked size on the host's own storage."""
        kinds = self.storage.types_in(session, region)
        if not kinds:
            return None
        kind = self._pick(session, kinds, region, ref)
        pools = self.storage.pool_states(session, region)
        request = VolumeRequest(size, kind.name, region, None, zones)
        return RootPlan(kind.name, pools, frozenset(p.zone for p in pools if fits(request, p)))

    def create_root(
        self, session: Session, caller: Caller, project: Project, root: RootVolume, plan: RootPlan
    ) -> Volume:
        """Made with its server, in the server's transaction and zone, attached as
        ``/dev/vda``. While it is that server's root it counts in the server's storage
        quota and is billed as the server's disk (as a root disk always was); kept after
        the server (without ``delete_on_termination``) it counts in the volume quotas and
        is billed as a volume like any other.

        Made last in the server's transaction: its claim holds the pool's row to the
        commit on PostgreSQL, and a zone has few pools. The first try takes the pools as
        read when the create began; a claim lost to another transaction reads them again
        and takes another pool of the zone (none left: the create fails whole)."""
        zones = frozenset({root.zone})
        request = VolumeRequest(root.size_gib, plan.volume_type, root.region, root.zone, zones)
        placement = self.storage.place_and_claim(session, request, plan.pools)
        now = self.clock.now()
        key_id, wrapped = self.keys.new_data_key(session, project.partner_id, project.customer_id)
        volume = Volume(
            id=new_id(),
            key_id=key_id,
            wrapped_key=wrapped.hex(),
            name="",
            description="",
            status=rules.IN_USE,
            region_code=root.region,
            zone_code=placement.zone,
            pool_id=placement.pool_id,
            volume_type=plan.volume_type,
            size_gib=root.size_gib,
            bootable=True,
            multiattach=False,
            source_kind="image",
            source_id=root.image_id,
            image_id=root.image_id,
            metadata_={},
            created_by=caller.actor.user_id,
            created_at=now,
            updated_at=now,
            partner_id=project.partner_id,
            customer_id=project.customer_id,
            project_id=project.id,
        )
        session.add(volume)
        session.flush()
        attachment = VolumeAttachment(
            id=new_id(),
            volume_id=volume.id,
            server_id=root.server_id,
            device=rules.ROOT_DEVICE,
            delete_on_termination=root.delete_on_termination,
            attached_at=now,
        )
        session.add(attachment)
        self.audit(session, caller, AuditAction.VOLUME_CREATE, volume)
        return volume

    def _source(
        self, session: Session, caller: Caller, project: Project, data: VolumeInput
    ) -> _Source:
        named = [
            k
            for k, v in (
                ("imageRef", data.image),
                ("snapshot_id", data.snapshot_id),
                ("source_volid", data.source_volume_id),
                ("backup_id", data.backup_id),
            )
            if v
        ]
        if len(named) > 1:
            raise ValidationFailed.one(named[1], f"only one source: {' or '.join(named)}")
        if data.snapshot_id:
            snap = self.visible_row(session, caller, VolumeSnapshot, "snapshot", data.snapshot_id)
            _require_status(snap.status, "snapshot")
            parent = session.get(Volume, snap.volume_id)
            bootable = bool(parent and parent.bootable)
            image = parent.image_id if parent else None
            return _Source(
                "snapshot",
                snap.id,
                snap.region_code,
                snap.zone_code,
                snap.volume_type,
                snap.size_gib,
                bootable,
                image,
            )
        if data.source_volume_id:
            vol = self.visible_row(session, caller, Volume, "volume", data.source_volume_id)
            if vol.status not in (rules.AVAILABLE, rules.IN_USE):
                raise Conflict(f"a volume in status {vol.status!r} cannot be cloned")
            return _Source(
                "volume",
                vol.id,
                vol.region_code,
                vol.zone_code,
                vol.volume_type,
                vol.size_gib,
                vol.bootable,
                vol.image_id,
            )
        if data.backup_id:
            backup = self.visible_row(session, caller, VolumeBackup, "backup", data.backup_id)
            _require_status(backup.status, "backup")
            return _Source(
                "backup",
                backup.id,
                backup.region_code,
                None,
                backup.volume_type,
                backup.size_gib,
                False,
                None,
            )
        if data.image:
            region = self._region(session, project, data, None)
            spec = self.images.spec_for(
                session, self.catalog.image_spec, project.id, data.image, region
            )
            if spec is None:
                raise ValidationFailed.one("imageRef", f"unknown image {data.image!r}")
            return _Source("image", spec.id, region, None, None, spec.min_disk_gib, True, spec.id)
        return _Source("", None, None, None, None, 1, False, None)

    def _region(
        self, session: Session, project: Project, data: VolumeInput, source: _Source | None
    ) -> str:
        """The zone's region, else the source's, else the one named, else the first where
        the project's residency policy allows a zone."""
        if data.zone:
            found = self.catalog.find_zone(session, data.zone)
            if found is None:
                raise ValidationFailed.one("availability_zone", f"no zone {data.zone!r}")
            region = str(found.region_code)
            if source and source.region and source.region != region:
                raise ValidationFailed.one(
                    "availability_zone", f"the source is in region {source.region}"
                )
            return region
        if source and source.region:
            return source.region
        if data.region:
            try:
                return self.catalog.region_code(session, data.region)
            except NotFound:
                raise ValidationFailed.one("region", f"no region {data.region!r}") from None
        refusal: PolicyViolation | None = None
        for place in self.catalog.all_regions(session):
            try:
                self.sovereignty.allowed_zones(session, project, place.code, None)
            except PolicyViolation as refused:
                refusal = refusal or refused
                continue
            return str(place.code)
        if refusal is not None:
            raise refusal
        raise ValidationFailed.one("region", "no region is open yet")

    def _zone(self, session: Session, ref: str | None, region: str) -> str | None:
        if not ref:
            return None
        found = self.catalog.find_zone(session, ref)
        if found is None or found.region_code != region:
            raise ValidationFailed.one("availability_zone", f"no zone {ref!r} in {region}")
        return str(found.code)

    def _type(self, session: Session, region: str, ref: str | None) -> VolumeType:
        """The type named, else the region's default: the first it declared that is not
        multi-attach (a shared disk is asked for, never a surprise)."""
        kinds = self.storage.types_in(session, region)
        if not kinds:
            raise ValidationFailed.one("volume_type", f"region {region} sells no volumes")
        return self._pick(session, kinds, region, ref)

    def _pick(
        self, session: Session, kinds: list[VolumeType], region: str, ref: str | None
    ) -> VolumeType:
        if ref is None:
            return min(kinds, key=lambda k: (k.multiattach, k.created_at, k.name))
        name = self.storage.type_name(session, ref)
        found = next((k for k in kinds if k.name == name), None)
        if found is None:
            raise ValidationFailed.one("volume_type", f"no volume type {ref!r} in {region}")
        return found

    def _size(self, asked: int | None, source: _Source) -> int:
        if asked is None and not source.kind:
            raise ValidationFailed.one("size", "required for an empty volume")
        size = source.size_gib if asked is None else asked
        if isinstance(size, bool) or not isinstance(size, int) or size < 1:
            raise ValidationFailed.one("size", "a whole number of GiB, at least 1")
        if size > MAX_VOLUME_GIB:
            raise ValidationFailed.one("size", f"at most {MAX_VOLUME_GIB} GiB per volume")
        if size < source.size_gib:
            what = "image's minimum disk" if source.kind == "image" else source.kind
            raise ValidationFailed.one("size", f"at least the {what}'s {source.size_gib} GiB")
        return size

    # -- reading ---------------------------------------------------------------
    def get_volume(self, session: Session, caller: Caller, volume_id: str) -> Volume:
        return self.live_row(session, caller, Volume, "volume", volume_id)

    def live_row(
        self,
        session: Session,
        caller: Caller,
        model: type[Kept],
        kind: str,
        obj_id: str,
        write: bool = False,
    ) -> Kept:
        """Deleted volumes, snapshots and backups stay as rows for billing and the audit,
        but to their owner they are gone: a 404 like any unknown id."""
        row = self.visible_row(session, caller, model, kind, obj_id, write=write)
        if row.deleted_at is not None:
            raise NotFound(kind, obj_id)
        return row

    def list_volumes(
        self,
        session: Session,
        caller: Caller,
        *,
        limit: int,
        marker: str | None,
        project_id: str | None = None,
        status: str | None = None,
        name: str | None = None,
        zone: str | None = None,
    ) -> list[Volume]:
        """A page of the live volumes the caller sees (an unknown status: none)."""
        found: list[Volume] = self.page(
            session,
            caller,
            Volume,
            limit=limit,
            marker=marker,
            project_id=project_id,
            status=status,
            name=name,
            zone_code=zone,
            where=(Volume.deleted_at.is_(None),),
        )
        return found

    def attachments(self, session: Session, volume_ids: list[str]) -> dict[str, list[Any]]:
        found: dict[str, list[Any]] = {v: [] for v in volume_ids}
        if volume_ids:
            query = select(VolumeAttachment).where(VolumeAttachment.volume_id.in_(volume_ids))
            for row in session.scalars(query.order_by(VolumeAttachment.attached_at)):
                found[row.volume_id].append(row)
        return found

    # -- changes ---------------------------------------------------------------
    def update_volume(
        self, session: Session, caller: Caller, volume_id: str, changes: dict[str, Any]
    ) -> Volume:
        volume = self.writable(session, caller, volume_id)
        if "name" in changes:
            volume.name = name_field(changes["name"])
        if "description" in changes:
            volume.description = description_field(changes["description"])
        if "metadata" in changes:
            volume.metadata_ = metadata_field(changes["metadata"])
        if "bootable" in changes:
            if not isinstance(changes["bootable"], bool):
                raise ValidationFailed.one("bootable", "must be true or false")
            volume.bootable = changes["bootable"]
        volume.updated_at = self.clock.now()
        self.audit(session, caller, AuditAction.VOLUME_UPDATE, volume)
        return volume

    def extend_volume(self, session: Session, caller: Caller, volume_id: str, size: int) -> Volume:
        volume = self.writable(session, caller, volume_id)
        project = self.project_for_write(session, caller, volume.project_id, lock=True)
        if isinstance(size, bool) or not isinstance(size, int) or size > MAX_VOLUME_GIB:
            raise ValidationFailed.one("new_size", f"a whole number of GiB up to {MAX_VOLUME_GIB}")
        refusal = rules.extend_refusal(volume.status, volume.size_gib, size)
        if refusal:
            raise (
                ValidationFailed.one("new_size", refusal)
                if "size" in refusal
                else Conflict(refusal)
            )
        extra = size - volume.size_gib
        self.check_quota(
            session, project, rules.wanted_usage("volume", volume.volume_type, extra, 0)
        )
        if not self.storage.grow(session, volume.pool_id, extra):
            raise Conflict(f"the volume's storage pool has no room for {extra} more GiB")
        volume.size_gib = size
        self._rehold(session, volume)
        self.audit(session, caller, AuditAction.VOLUME_EXTEND, volume)
        return volume

    def retype_volume(
        self, session: Session, caller: Caller, volume_id: str, new_type: str
    ) -> Volume:
        """Onto a pool offering the new type: the same one if it does, else another of the
        volume's zone (the data moves), within residency."""
        volume = self.writable(session, caller, volume_id)
        project = self.project_for_write(session, caller, volume.project_id, lock=True)
        kinds = self.storage.types_in(session, volume.region_code)
        refusal = rules.retype_refusal(
            volume.status, volume.volume_type, new_type, [k.name for k in kinds]
        )
        if refusal:
            raise ValidationFailed.one("new_type", refusal)
        kind = next(k for k in kinds if k.name == new_type)
        if (
            volume.status == rules.IN_USE
            and not kind.multiattach
            and self._attached(session, volume) > 1
        ):
            raise Conflict(
                "the volume is attached to several servers; the new type is not multi-attach"
            )
        self.check_quota(session, project, rules.wanted_usage("volume", new_type, volume.size_gib))
        if not self.storage.offers(session, volume.pool_id, new_type):
            zones, _ = self.sovereignty.allowed_zones(
                session, project, volume.region_code, volume.zone_code
            )
            request = VolumeRequest(
                volume.size_gib, new_type, volume.region_code, volume.zone_code, zones
            )
            placement = self.storage.place_and_claim(session, request)
            self.storage.grow(session, volume.pool_id, -volume.size_gib)
            volume.pool_id = placement.pool_id
        volume.volume_type = new_type
        volume.multiattach = kind.multiattach
        self._rehold(session, volume)
        self.audit(session, caller, AuditAction.VOLUME_RETYPE, volume)
        return volume

    def transfer_volume(
        self, session: Session, caller: Caller, volume_id: str, project_id: str
    ) -> Volume:
        """To another project of the same customer, with its snapshots; its backups stay
        with the project that made them."""
        volume = self.writable(session, caller, volume_id)
        target = self.project_for_write(session, caller, project_id, lock=True)
        if target.customer_id != volume.customer_id:
            raise NotFound("project", project_id)
        if target.id == volume.project_id:
            raise ValidationFailed.one("project_id", "the volume is in that project already")
        if volume.status != rules.AVAILABLE:
            raise Conflict(f"a volume in status {volume.status!r} cannot be transferred")
        self.sovereignty.allowed_zones(session, target, volume.region_code, volume.zone_code)
        snaps = self._snapshots(session, volume.id)
        wanted = rules.wanted_usage("volume", volume.volume_type, volume.size_gib)
        for snap in snaps:
            more = rules.wanted_usage("snapshot", snap.volume_type, snap.size_gib)
            wanted = {k: wanted.get(k, 0) + more.get(k, 0) for k in {*wanted, *more}}
        self.check_quota(session, target, wanted)
        volume.project_id = target.id
        self._rehold(session, volume)
        for snap in snaps:
            snap.project_id = target.id
            self._rehold(session, snap, "snapshot")
        self.audit(session, caller, AuditAction.VOLUME_TRANSFER, volume)
        return volume

    def delete_volume(self, session: Session, caller: Caller, volume_id: str) -> Volume:
        volume = self.writable(session, caller, volume_id)
        refusal = rules.delete_refusal(
            volume.status, self._attached(session, volume), len(self._snapshots(session, volume.id))
        )
        if refusal:
            raise Conflict(refusal)
        self._drop(session, volume)
        self.audit(session, caller, AuditAction.VOLUME_DELETE, volume)
        return volume

    def _drop(self, session: Session, volume: Volume) -> None:
        now = self.clock.now()
        self.storage.grow(session, volume.pool_id, -volume.size_gib)
        volume.status = "deleted"
        volume.deleted_at = now
        volume.updated_at = now
        volume_store.close_hold(session, volume.id, now)

    # -- attachments (compute calls these for a server it has checked) --------
    def attach(
        self,
        session: Session,
        caller: Caller,
        volume_id: str,
        server: tuple[str, str, str],
        device: str | None = None,
        delete_on_termination: bool = False,
    ) -> VolumeAttachment:
        """``server``: its id, project and region."""
        server_id, project_id, region = server
        volume = self.writable(session, caller, volume_id)
        if volume.project_id != project_id:
            raise NotFound("volume", volume_id)
        if volume.region_code != region:
            raise ValidationFailed.one("volumeId", f"the volume is in region {volume.region_code}")
        current = volume_store.attachments_of(session, volume.id)
        refusal = rules.attach_refusal(
            volume.status, volume.multiattach, [a.server_id for a in current], server_id
        )
        if refusal:
            raise Conflict(refusal)
        used = [a.device for a in volume_store.server_attachments(session, server_id)]
        if device and (not device.startswith("/dev/") or device in used or device == "/dev/vda"):
            raise ValidationFailed.one("device", f"{device!r} is not a free device path")
        attachment = VolumeAttachment(
            id=new_id(),
            volume_id=volume.id,
            server_id=server_id,
            device=device or rules.next_device(used),
            delete_on_termination=delete_on_termination,
            attached_at=self.clock.now(),
        )
        session.add(attachment)
        volume.status = rules.IN_USE
        volume.updated_at = self.clock.now()
        session.flush()
        self.audit(session, caller, AuditAction.VOLUME_ATTACH, volume)
        return attachment

    def attached_by_server(
        self, session: Session, server_ids: list[str]
    ) -> dict[str, list[tuple[str, bool]]]:
        """Each server's volumes and their delete_on_termination, in one query (what a
        Nova list shows per server)."""
        found: dict[str, list[tuple[str, bool]]] = {}
        if server_ids:
            query = select(VolumeAttachment).where(VolumeAttachment.server_id.in_(server_ids))
            for a in session.scalars(query.order_by(VolumeAttachment.device)):
                found.setdefault(a.server_id, []).append((a.volume_id, a.delete_on_termination))
        return found

    def attachments_of_server(self, session: Session, server_id: str) -> list[VolumeAttachment]:
        return volume_store.server_attachments(session, server_id)

    def detach(self, session: Session, caller: Caller, volume_id: str, server_id: str) -> None:
        volume = self.writable(session, caller, volume_id)
        current = volume_store.attachments_of(session, volume.id)
        mine = next((a for a in current if a.server_id == server_id), None)
        if mine is None:
            raise NotFound("volume attachment", volume_id)
        if mine.device == rules.ROOT_DEVICE:
            raise ValidationFailed.one("volume_id", "a server's root volume cannot be detached")
        session.delete(mine)
        if len(current) == 1:
            volume.status = rules.AVAILABLE
        volume.updated_at = self.clock.now()
        self.audit(session, caller, AuditAction.VOLUME_DETACH, volume)

    def set_delete_on_termination(
        self, session: Session, volume_id: str, server_id: str, value: bool
    ) -> VolumeAttachment:
        found = next(
            (
                a
                for a in volume_store.attachments_of(session, volume_id)
                if a.server_id == server_id
            ),
            None,
        )
        if found is None:
            raise NotFound("volume attachment", volume_id)
        found.delete_on_termination = value
        return found

    def server_gone(self, session: Session, server_id: str) -> list[str]:
        """A server was deleted: its volumes are detached, and those marked
        ``delete_on_termination`` deleted with it. The ids deleted."""
        deleted = []
        for attachment in volume_store.server_attachments(session, server_id):
            volume = session.get(Volume, attachment.volume_id)
            session.delete(attachment)
            session.flush()
            if volume is None or volume.deleted_at is not None:
                continue
            if volume_store.attachments_of(session, volume.id):
                continue  # still attached elsewhere (multi-attach)
            volume.status = rules.AVAILABLE
            if attachment.delete_on_termination and not self._snapshots(session, volume.id):
                self._drop(session, volume)
                deleted.append(volume.id)
            elif attachment.device == rules.ROOT_DEVICE:
                self._rehold(session, volume)  # billed as the server's disk until now
        return deleted

    # -- quotas ----------------------------------------------------------------
    def quota_defaults(self) -> dict[str, int]:
        return dict(rules.DEFAULT_QUOTAS)

    def quota_limits(self, session: Session, project_id: str) -> dict[str, int]:
        return {**rules.DEFAULT_QUOTAS, **volume_store.quotas_of(session, project_id)}

    def quota_usage(self, session: Session, caller: Caller, project_id: str) -> dict[str, Any]:
        project = self.tenancy.get_project(session, caller, project_id)
        return {
            "limits": self.quota_limits(session, project.id),
            "in_use": volume_store.project_usage(session, project.id),
        }

    def set_quotas(
        self, session: Session, caller: Caller, project_id: str, limits: dict[str, int]
    ) -> dict[str, int]:
        """The operator sets a project's own limits (-1: unlimited); per type as
        ``volumes_<type>`` / ``gigabytes_<type>``."""
        if not allowed(caller.actor, Permission.MANAGE_CATALOG):
            raise Forbidden("only operator administrators set storage quotas")
        project = self.tenancy.get_project(session, caller, project_id)
        for resource, limit in limits.items():
            per_type = resource.startswith(("volumes_", "gigabytes_"))
            if resource not in rules.QUOTA_NAMES and not per_type:
                raise ValidationFailed.one(resource, "not a storage quota")
            if isinstance(limit, bool) or not isinstance(limit, int) or not -1 <= limit < 2**31:
                raise ValidationFailed.one(resource, "a whole number, or -1 for unlimited")
            row = session.get(volume_store.StorageQuota, (project.id, resource))
            if row is None:
                session.add(
                    volume_store.StorageQuota(project_id=project.id, resource=resource, limit=limit)
                )
            else:
                row.limit = limit
        ref = TenantRef(project.partner_id, project.customer_id, project.id)
        self.tenancy.audit(
            session, caller, AuditAction.STORAGE_QUOTA_SET, "project", project.id, ref
        )
        session.flush()
        return self.quota_limits(session, project.id)

    def check_quota(self, session: Session, project: Project, wanted: dict[str, int]) -> None:
        """Under the project's row lock, taken by the caller."""
        limits = self.quota_limits(session, project.id)
        usage = volume_store.project_usage(session, project.id)
        refusal = rules.quota_refusal(limits, usage, wanted)
        if refusal:
            raise QuotaExceeded(refusal.resource, refusal.limit, refusal.in_use, refusal.wanted)

    def erase_customer(self, session: Session, customer_id: str) -> list[str]:
        """Offboarding: every volume, snapshot and backup of the customer goes, detached
        first, its pool room given back and its billing closed. The ids erased."""
        now = self.clock.now()
        erased = []
        for model in (VolumeSnapshot, VolumeBackup):
            for row in _of_customer(session, model, customer_id, None):
                row.status, row.deleted_at, row.updated_at = "deleted", now, now
                volume_store.close_hold(session, row.id, now)
                erased.append(row.id)
        for volume in _of_customer(session, Volume, customer_id, None):
            for attachment in volume_store.attachments_of(session, volume.id):
                session.delete(attachment)
            self._drop(session, volume)
            erased.append(volume.id)
        return sorted(erased)

    def customer_volumes(self, session: Session, customer_id: str) -> list[Volume]:
        """The customer's live volumes, oldest first (its export)."""
        return _of_customer(session, Volume, customer_id, None)

    # -- billing and reports ---------------------------------------------------
    def held_data(
        self, session: Session, customer_id: str, since: datetime | None = None
    ) -> list[Held]:
        """The customer's volumes, snapshots and backups for the data-location report
        (live ones: ``since`` None) or an attestation (those that existed after
        ``since``)."""
        found: list[Held] = []
        for kind, model in (("volume", Volume), ("snapshot", VolumeSnapshot)):
            found += [_held(kind, row, row.zone_code) for row in _of_customer(
                session, model, customer_id, since
            )]  # fmt: skip
        for backup in _of_customer(session, VolumeBackup, customer_id, since):
            found.append(_held("backup", backup, None))
        return found

    def crypto_erase(self, session: Session, customer_id: str) -> list[str]:
        """The erased customer's keys, destroyed: its volumes' data keys are unreadable."""
        return self.keys.crypto_erase(session, customer_id)

    def tenants_in(self, session: Session, region: str, zone: str | None) -> set[tuple[str, str]]:
        """Who keeps data on a site: (partner, customer) pairs, for a maintenance notice."""
        return volume_store.tenants_in(session, region, zone)

    def held_between(
        self,
        session: Session,
        start: datetime,
        end: datetime,
        customer_id: str | None = None,
        partners: Collection[str] | None = None,
    ) -> list[StorageHold]:
        return volume_store.held_between(session, start, end, customer_id, partners)

    # -- helpers ---------------------------------------------------------------
    def writable(self, session: Session, caller: Caller, volume_id: str) -> Volume:
        return self.live_row(session, caller, Volume, "volume", volume_id, write=True)

    def _attached(self, session: Session, volume: Volume) -> int:
        return len(volume_store.attachments_of(session, volume.id))

    def _snapshots(self, session: Session, volume_id: str) -> list[VolumeSnapshot]:
        query = select(VolumeSnapshot).where(
            VolumeSnapshot.volume_id == volume_id, VolumeSnapshot.deleted_at.is_(None)
        )
        return list(session.scalars(query))

    def _rehold(self, session: Session, row: Volume | VolumeSnapshot, kind: str = "volume") -> None:
        row.updated_at = self.clock.now()
        volume_store.close_hold(session, row.id, row.updated_at)
        volume_store.open_hold(session, kind, row)

    def audit(self, session: Session, caller: Caller, action: AuditAction, row: Any) -> None:
        target = action.value.split(".")[0]
        self.tenancy.audit(session, caller, action, target, row.id, ref_of(row))


def _require_status(status: str, what: str) -> None:
    if status != rules.AVAILABLE:
        raise Conflict(f"a {what} in status {status!r} cannot be used as a source")


def _of_customer(
    session: Session, model: Any, customer_id: str, since: datetime | None
) -> list[Any]:
    gone = model.deleted_at.is_(None)
    if since is not None:
        gone = gone | (model.deleted_at > since)
    query = select(model).where(model.customer_id == customer_id, gone)
    return list(session.scalars(query.order_by(model.created_at)))


def _held(kind: str, row: Any, zone: str | None) -> Held:
    return Held(
        kind,
        row.id,
        row.name,
        row.project_id,
        row.status,
        row.region_code,
        zone,
        row.created_at,
        row.deleted_at,
    )
