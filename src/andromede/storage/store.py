"""The storage tables: the volume types a region offers and the pools that hold volumes,
each pool's capacity (what the operator declares) and its claims (what volumes add and
release) in one row, so that a claim is one guarded UPDATE that cannot over-promise even
when two transactions chose the same pool from the same snapshot."""

from datetime import datetime
from decimal import Decimal

from sqlalchemy import (
    JSON,
    Boolean,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
    bindparam,
    select,
)
from sqlalchemy import update as sql_update
from sqlalchemy.orm import Mapped, Session, mapped_column

from andromede.db import RATE, Base, UTCDateTime
from andromede.kernel.ids import is_uuid

__all__ = [
    "StoragePool",
    "VolumeType",
    "claim",
    "pool_by_ref",
    "pools_of_region",
    "type_by_ref",
    "types_of",
]


class VolumeType(Base):
    """A kind of volume a region sells (``ssd``, ``ssd-replicated``), with the label of
    the certification its pools carry, if any, and whether one volume may be attached to
    several servers at once."""

    __tablename__ = "volume_types"
    __table_args__ = (UniqueConstraint("region_code", "name"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    region_code: Mapped[str] = mapped_column(ForeignKey("regions.code"), index=True)
    name: Mapped[str] = mapped_column(String(64))
    description: Mapped[str] = mapped_column(Text, default="")
    certification: Mapped[str | None] = mapped_column(String(64))
    multiattach: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class StoragePool(Base):
    __tablename__ = "storage_pools"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    region_code: Mapped[str] = mapped_column(ForeignKey("regions.code"), index=True)
    zone_code: Mapped[str] = mapped_column(ForeignKey("zones.code"), index=True)
    backend: Mapped[str] = mapped_column(String(64))
    volume_types: Mapped[list[str]] = mapped_column(JSON)  # names of its region's types
    total_gib: Mapped[int] = mapped_column(Integer)
    ratio: Mapped[Decimal] = mapped_column(RATE)  # over-subscription
    allocated_gib: Mapped[int] = mapped_column(Integer, default=0)
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


def type_by_ref(session: Session, region: str, ref: str) -> VolumeType | None:
    """A region's type by name, or any type by id."""
    query = select(VolumeType).where(
        (VolumeType.id == ref)
        if is_uuid(ref)
        else ((VolumeType.region_code == region) & (VolumeType.name == ref))
    )
    return session.scalars(query).first()


def pool_by_ref(session: Session, ref: str) -> StoragePool | None:
    column = StoragePool.id if is_uuid(ref) else StoragePool.name
    return session.scalars(select(StoragePool).where(column == ref)).first()


def types_of(session: Session, region: str | None) -> list[VolumeType]:
    if region is None:
        return list(session.scalars(_TYPES))
    return list(session.scalars(_TYPES_OF_REGION, {"region": region}))


def pools_of_region(session: Session, region: str | None) -> list[StoragePool]:
    if region is None:
        return list(session.scalars(_POOLS))
    return list(session.scalars(_POOLS_OF_REGION, {"region": region}))


# Built once: a create that makes a root volume reads both (building a statement costs
# about as much as running it; its cache key is memoised on the statement itself).
_TYPES = select(VolumeType).order_by(VolumeType.region_code, VolumeType.name)
_TYPES_OF_REGION = _TYPES.where(VolumeType.region_code == bindparam("region"))
_POOLS = select(StoragePool).order_by(StoragePool.name)
_POOLS_OF_REGION = _POOLS.where(StoragePool.region_code == bindparam("region"))


def claim(session: Session, pool_id: str, gib: int) -> bool:
    """Adds ``gib`` to the pool's claims only if its promise still holds them."""
    result = session.execute(_CLAIM, {"pool_id": pool_id, "gib": gib})
    return bool(result.rowcount)  # type: ignore[attr-defined]


_CLAIM = (  # built once: every volume and root disk claims
    sql_update(StoragePool)
    .where(
        StoragePool.id == bindparam("pool_id"),
        StoragePool.allocated_gib + bindparam("gib", type_=Integer)
        <= StoragePool.total_gib * StoragePool.ratio,
    )
    .values(allocated_gib=StoragePool.allocated_gib + bindparam("gib", type_=Integer))
    .execution_options(synchronize_session=False)
)
