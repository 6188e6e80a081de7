"""Use cases of block storage's capacity: operator administrators declare the volume
types a region sells and the pools that hold volumes (a zone, a backend, the types it
serves, a size and an over-subscription ratio), disable a pool or grow it; operator staff
read the pools with their claims; everyone reads a region's types. A volume's place is
chosen by the pure ``pool_placement`` over the region's pools and claimed in the same
transaction by a guarded UPDATE, retried without a pool lost to a concurrent claim."""

import re
from dataclasses import dataclass, replace
from decimal import Decimal, InvalidOperation
from typing import Any

from sqlalchemy.orm import Session

from andromede.audit.actions import AuditAction
from andromede.catalog.service import CatalogService
from andromede.db import insert_unique, scoped_page
from andromede.kernel.clock import Clock
from andromede.kernel.errors import (
    FieldError,
    NotFound,
    NoValidHost,
    ValidationFailed,
)
from andromede.kernel.ids import is_uuid, new_id
from andromede.storage import store
from andromede.storage.pool_placement import (
    NoPool,
    PoolPlacement,
    PoolState,
    VolumeRequest,
    place_volume,
)
from andromede.storage.store import StoragePool, VolumeType
from andromede.tenancy.scope import Caller, Permission, allowed

__all__ = ["PoolInput", "StoragePool", "StorageService", "VolumeType"]

NAME = re.compile(r"^[a-z0-9][a-z0-9._-]{0,63}$")
CLAIM_RETRIES = 5
MAX_RATIO = Decimal(20)


@dataclass(frozen=True)
class PoolInput:
    name: str
    zone: str
    backend: str
    volume_types: list[str]
    total_gib: int
    ratio: Decimal | str | int = Decimal(1)


class StorageService:
    def __init__(self, clock: Clock, catalog: CatalogService) -> None:
        self.clock = clock
        self.catalog = catalog

    # -- volume types ----------------------------------------------------------
    def create_type(
        self,
        session: Session,
        caller: Caller,
        *,
        region: str,
        name: str,
        description: str = "",
        certification: str | None = None,
        multiattach: bool = False,
    ) -> VolumeType:
        code = self._region(session, region)
        if not NAME.match(name):
            raise ValidationFailed.one("name", "lower-case letters, digits, '.', '_' or '-'")
        if certification is not None and not 1 <= len(certification) <= 64:
            raise ValidationFailed.one("certification", "1 to 64 characters")
        kind = VolumeType(
            id=new_id(),
            region_code=code,
            name=name,
            description=description[:1000],
            certification=certification,
            multiattach=multiattach,
            created_at=self.clock.now(),
        )
        self.catalog.manage(session, caller, AuditAction.VOLUME_TYPE_CREATE, "volume_type", kind.id)
        insert_unique(session, kind, f"region {code} has a volume type {name!r} already")
        return kind

    def list_types(
        self, session: Session, *, limit: int, marker: str | None, region: str | None = None
    ) -> list[VolumeType]:
        """A region's types (or every region's): the public catalog, read by anyone."""
        code = self._region(session, region) if region else None
        filters = {"region_code": code}
        return scoped_page(session, VolumeType, None, limit=limit, marker=marker, filters=filters)

    def _region(self, session: Session, ref: str) -> str:
        try:
            return self.catalog.region_code(session, ref)
        except NotFound:
            raise ValidationFailed.one("region", f"no region {ref!r}") from None

    # -- pools -----------------------------------------------------------------
    def create_pool(self, session: Session, caller: Caller, data: PoolInput) -> StoragePool:
        zone = self.catalog.find_zone(session, data.zone)
        if zone is None:
            raise ValidationFailed.one("zone", f"no zone {data.zone!r}")
        errors = _pool_errors(data)
        offered = {t.name for t in store.types_of(session, zone.region_code)}
        unknown = sorted(set(data.volume_types) - offered)
        if unknown:
            errors.append(FieldError("volume_types", f"not types of {zone.region_code}: {unknown}"))
        if errors:
            raise ValidationFailed(errors)
        pool = StoragePool(
            id=new_id(),
            name=data.name,
            region_code=zone.region_code,
            zone_code=zone.code,
            backend=data.backend,
            volume_types=sorted(set(data.volume_types)),
            total_gib=data.total_gib,
            ratio=_ratio(data.ratio),
            allocated_gib=0,
            enabled=True,
            created_at=self.clock.now(),
        )
        self.catalog.manage(
            session, caller, AuditAction.STORAGE_POOL_CREATE, "storage_pool", pool.id
        )
        insert_unique(session, pool, f"a storage pool named {data.name!r} exists")
        return pool

    def pool(self, session: Session, caller: Caller, ref: str) -> StoragePool:
        found = store.pool_by_ref(session, ref) if _staff(caller) else None
        if found is None:
            raise NotFound("storage pool", ref)
        return found

    def list_pools(
        self,
        session: Session,
        caller: Caller,
        *,
        limit: int,
        marker: str | None,
        region: str | None = None,
    ) -> list[StoragePool]:
        """Operator staff's view of the pools and their claims; nobody else sees them."""
        if not _staff(caller):
            return []
        filters = {"region_code": self._region(session, region) if region else None}
        return scoped_page(session, StoragePool, None, limit=limit, marker=marker, filters=filters)

    def update_pool(
        self, session: Session, caller: Caller, ref: str, changes: dict[str, Any]
    ) -> StoragePool:
        """``enabled`` (a disabled pool takes no new volume and keeps its own) and a
        larger ``total_gib`` (disks added; a pool never shrinks below its claims)."""
        pool = self.pool(session, caller, ref)
        if "enabled" in changes:
            if not isinstance(changes["enabled"], bool):
                raise ValidationFailed.one("enabled", "must be true or false")
            pool.enabled = changes["enabled"]
        if "total_gib" in changes:
            total = changes["total_gib"]
            if not isinstance(total, int) or isinstance(total, bool) or total < pool.total_gib:
                raise ValidationFailed.one("total_gib", f"at least {pool.total_gib} GiB")
            pool.total_gib = total
        self.catalog.manage(
            session, caller, AuditAction.STORAGE_POOL_UPDATE, "storage_pool", pool.id
        )
        return pool

    def _manage(self, session: Session, caller: Caller, action: AuditAction, pool_id: str) -> None:
        self.catalog.manage(session, caller, action, "storage_pool", pool_id)

    def types_in(self, session: Session, region: str) -> list[VolumeType]:
        return store.types_of(session, region)

    def find_type(self, session: Session, region: str, ref: str) -> VolumeType | None:
        return store.type_by_ref(session, region, ref)

    def type_name(self, session: Session, ref: str) -> str:
        """A type's name from its id (any region's: each region's ``ssd`` is one kind
        to a client that lists types without a region), else ``ref`` itself."""
        found = store.type_by_ref(session, "", ref) if is_uuid(ref) else None
        return found.name if found else ref

    def distinct_types(self, session: Session) -> list[VolumeType]:
        """One type per name, the first region's: what a region-less listing shows."""
        seen: dict[str, VolumeType] = {}
        for kind in store.types_of(session, None):
            seen.setdefault(kind.name, kind)
        return sorted(seen.values(), key=lambda k: k.name)

    def pool_states(self, session: Session, region: str) -> list[PoolState]:
        """The region's pools as placement sees them, read once: a server's root volume
        chooses its zones and then its pool from the same read."""
        return [_state(p) for p in store.pools_of_region(session, region)]

    def pool_zones(self, session: Session) -> list[str]:
        """The zones where volumes can be made (an enabled pool is there)."""
        return sorted({p.zone_code for p in store.pools_of_region(session, None) if p.enabled})

    def sold_types(self, session: Session) -> list[tuple[str, str]]:
        """Every (region, type) sold: the storage SKUs the price lists hold."""
        return [(t.region_code, t.name) for t in store.types_of(session, None)]

    def offers(self, session: Session, pool_id: str, volume_type: str) -> bool:
        pool = session.get(StoragePool, pool_id)
        return pool is not None and volume_type in pool.volume_types

    def grow(self, session: Session, pool_id: str, gib: int) -> bool:
        """Claims ``gib`` more on the pool a volume lives on (negative: gives them back);
        False when the pool's promise cannot hold them."""
        return store.claim(session, pool_id, gib)

    # -- placement -------------------------------------------------------------
    def place_and_claim(
        self, session: Session, request: VolumeRequest, read: list[PoolState] | None = None
    ) -> PoolPlacement:
        """The volume's pool, its size claimed there in the caller's transaction. ``read``:
        the pools as already read in this transaction, for the first try (the claim's
        guarded update is what holds; a claim lost reads them again)."""
        lost: set[str] = set()
        for _ in range(CLAIM_RETRIES):
            snapshot = read if read is not None else self.pool_states(session, request.region)
            read = None
            result = place_volume(snapshot, replace(request, exclude_pools=frozenset(lost)))
            if isinstance(result, NoPool):
                raise NoValidHost(result.reasons)
            if store.claim(session, result.pool_id, request.size_gib):
                return result
            lost.add(result.pool_id)
        raise NoValidHost({"retry": f"lost {CLAIM_RETRIES} concurrent claims"})


def _staff(caller: Caller) -> bool:
    return allowed(caller.actor, Permission.READ_HOSTS)


def _ratio(value: Decimal | str | int) -> Decimal:
    try:
        return Decimal(str(value))
    except InvalidOperation:
        raise ValidationFailed.one("ratio", "a number") from None


def _pool_errors(data: PoolInput) -> list[FieldError]:
    errors = []
    if not NAME.match(data.name):
        errors.append(FieldError("name", "lower-case letters, digits, '.', '_' or '-'"))
    if not 1 <= len(data.backend) <= 64:
        errors.append(FieldError("backend", "1 to 64 characters"))
    if not data.volume_types:
        errors.append(FieldError("volume_types", "at least one type"))
    if data.total_gib < 1:
        errors.append(FieldError("total_gib", "must be greater than zero"))
    ratio = _ratio(data.ratio)
    if not ratio.is_finite() or not Decimal(1) <= ratio <= MAX_RATIO:
        errors.append(FieldError("ratio", f"from 1 to {MAX_RATIO}"))
    return errors


def _state(pool: StoragePool) -> PoolState:
    return PoolState(
        id=pool.id,
        name=pool.name,
        region=pool.region_code,
        zone=pool.zone_code,
        volume_types=frozenset(pool.volume_types),
        total_gib=pool.total_gib,
        allocated_gib=pool.allocated_gib,
        ratio=Decimal(pool.ratio),
        enabled=pool.enabled,
    )
