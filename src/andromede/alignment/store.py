"""Tables of price alignment: their price lists as imported (kept for ever, so their
price on a day can be asked later), the instance types of each, the operator's pinned
mappings, its settings, and the changes applied."""

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import JSON, Boolean, Date, ForeignKey, Integer, String, UniqueConstraint, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from andromede.db import RATE, Base, UTCDateTime

__all__ = [
    "AlignmentChange",
    "AlignmentSettings",
    "FlavorPin",
    "ReferenceListRow",
    "ReferenceTypeRow",
]


class ReferenceListRow(Base):
    __tablename__ = "reference_price_lists"
    __table_args__ = (UniqueConstraint("provider", "region", "version"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    provider: Mapped[str] = mapped_column(String(20))
    offer_code: Mapped[str] = mapped_column(String(40))
    region: Mapped[str] = mapped_column(String(30), index=True)
    version: Mapped[str] = mapped_column(String(40))
    published: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    currency: Mapped[str] = mapped_column(String(3))
    rate: Mapped[Decimal] = mapped_column(RATE)
    rate_date: Mapped[date] = mapped_column(Date)
    source_format: Mapped[str] = mapped_column(String(4))
    digest: Mapped[str] = mapped_column(String(64))
    type_count: Mapped[int] = mapped_column(Integer)
    imported_at: Mapped[datetime] = mapped_column(UTCDateTime())
    imported_by: Mapped[str] = mapped_column(String(100))


class ReferenceTypeRow(Base):
    __tablename__ = "reference_instance_types"
    __table_args__ = (UniqueConstraint("list_id", "name"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    list_id: Mapped[str] = mapped_column(ForeignKey("reference_price_lists.id"), index=True)
    name: Mapped[str] = mapped_column(String(40))
    kind: Mapped[str] = mapped_column(String(20))
    vcpus: Mapped[int] = mapped_column(Integer)
    ram_mib: Mapped[int] = mapped_column(Integer)
    arm: Mapped[bool] = mapped_column(Boolean)
    current: Mapped[bool] = mapped_column(Boolean)
    on_demand: Mapped[Decimal] = mapped_column(RATE)
    reserved: Mapped[dict[str, str]] = mapped_column(JSON)  # "1y:no-upfront" -> EUR/h


class FlavorPin(Base):
    """The operator's own choice of their type for one of our flavors."""

    __tablename__ = "flavor_type_pins"

    flavor: Mapped[str] = mapped_column(String(100), primary_key=True)
    instance_type: Mapped[str] = mapped_column(String(40))
    pinned_at: Mapped[datetime] = mapped_column(UTCDateTime())
    pinned_by: Mapped[str] = mapped_column(String(100))


class AlignmentSettings(Base):
    """One row: the gap the operator keeps, the partners' margin floor, the notice."""

    __tablename__ = "price_alignment_settings"

    id: Mapped[str] = mapped_column(String(20), primary_key=True)
    gap: Mapped[Decimal] = mapped_column(RATE)
    margin_floor: Mapped[Decimal] = mapped_column(RATE)
    notice_days: Mapped[int] = mapped_column(Integer)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_by: Mapped[str] = mapped_column(String(100))


class AlignmentChange(Base):
    """A followed cut, applied as one price change."""

    __tablename__ = "price_alignment_changes"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    before_list: Mapped[str] = mapped_column(ForeignKey("reference_price_lists.id"))
    after_list: Mapped[str] = mapped_column(ForeignKey("reference_price_lists.id"))
    gap: Mapped[Decimal] = mapped_column(RATE)
    wholesale: Mapped[str] = mapped_column(String(10))
    margin_floor: Mapped[Decimal] = mapped_column(RATE)
    protect: Mapped[bool] = mapped_column(Boolean)
    effective_from: Mapped[datetime] = mapped_column(UTCDateTime())
    moves: Mapped[int] = mapped_column(Integer)
    protected: Mapped[list[str]] = mapped_column(JSON)  # partner ids
    applied_at: Mapped[datetime] = mapped_column(UTCDateTime())
    applied_by: Mapped[str] = mapped_column(String(100))


def lists(session: Session) -> list[ReferenceListRow]:
    query = select(ReferenceListRow).order_by(
        ReferenceListRow.published.desc(), ReferenceListRow.imported_at.desc()
    )
    return list(session.scalars(query))


def types_of(session: Session, list_id: str) -> list[ReferenceTypeRow]:
    query = select(ReferenceTypeRow).where(ReferenceTypeRow.list_id == list_id)
    return list(session.scalars(query.order_by(ReferenceTypeRow.name)))


def pins(session: Session) -> list[FlavorPin]:
    return list(session.scalars(select(FlavorPin).order_by(FlavorPin.flavor)))


def changes(session: Session) -> list[AlignmentChange]:
    query = select(AlignmentChange).order_by(AlignmentChange.applied_at.desc())
    return list(session.scalars(query))


def find_list(session: Session, provider: str, region: str, version: str) -> Any:
    query = select(ReferenceListRow.id).where(
        ReferenceListRow.provider == provider,
        ReferenceListRow.region == region,
        ReferenceListRow.version == version,
    )
    return session.scalar(query)
