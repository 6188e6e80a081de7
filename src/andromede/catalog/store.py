"""Tables and queries for the catalog: regions, zones, flavors, images, and the price
entries set on them."""

from datetime import datetime
from decimal import Decimal
from typing import Any, TypeVar

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    ForeignKey,
    Integer,
    String,
    select,
    true,
)
from sqlalchemy.orm import Mapped, Session, mapped_column

from andromede.db import RATE, Base, UTCDateTime
from andromede.kernel.ids import is_uuid

__all__ = ["Flavor", "Image", "PriceRow", "Region", "Zone"]


class Region(Base):
    __tablename__ = "regions"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    code: Mapped[str] = mapped_column(String(30), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    country: Mapped[str] = mapped_column(String(2))
    territory: Mapped[str] = mapped_column(String(10))
    certifications: Mapped[list[str]] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    # who runs the region and whose law applies (SecNumCloud 19.2.a)
    legal_entity: Mapped[str] = mapped_column(String(200), default="", server_default="")
    jurisdiction: Mapped[str] = mapped_column(String(2), default="", server_default="")
    sovereign: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())


class Zone(Base):
    __tablename__ = "zones"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    region_code: Mapped[str] = mapped_column(ForeignKey("regions.code"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class Flavor(Base):
    __tablename__ = "flavors"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    vcpus: Mapped[int] = mapped_column(Integer)
    ram_mib: Mapped[int] = mapped_column(Integer)
    disk_gib: Mapped[int] = mapped_column(Integer)
    family: Mapped[str] = mapped_column(String(40))
    size_units: Mapped[int] = mapped_column(Integer)
    extra_specs: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    is_public: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class Image(Base):
    """The operator's catalog images (public, no owner) and customers' own images (an
    owner project, private, shared or community, their bytes in one region's store)."""

    __tablename__ = "images"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    name: Mapped[str] = mapped_column(String(200), index=True)
    os_distro: Mapped[str] = mapped_column(String(50))
    os_version: Mapped[str] = mapped_column(String(50))
    min_disk_gib: Mapped[int] = mapped_column(Integer, default=1)
    min_ram_mib: Mapped[int] = mapped_column(Integer, default=0)
    properties: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    owner_project_id: Mapped[str | None] = mapped_column(String(36), index=True)
    partner_id: Mapped[str | None] = mapped_column(String(36))
    customer_id: Mapped[str | None] = mapped_column(String(36), index=True)
    visibility: Mapped[str] = mapped_column(String(10), default="public", server_default="public")
    status: Mapped[str] = mapped_column(String(12), default="active", server_default="active")
    disk_format: Mapped[str] = mapped_column(String(10), default="qcow2", server_default="qcow2")
    container_format: Mapped[str] = mapped_column(String(10), default="bare", server_default="bare")
    size_bytes: Mapped[int | None] = mapped_column(BigInteger)
    checksum: Mapped[str | None] = mapped_column(String(32))  # MD5, as Glance's
    os_hash_value: Mapped[str | None] = mapped_column(String(128))  # SHA-512
    region_code: Mapped[str | None] = mapped_column(String(30))  # where its bytes are
    protected: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")
    updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    tags: Mapped[list[str]] = mapped_column(JSON, default=list, server_default="[]")
    # a snapshot: the server it is taken from, while its bytes are being saved and after
    snapshot_of: Mapped[str | None] = mapped_column(String(36), index=True)
    # a customer's image: the data key its bytes are encrypted with in the store, wrapped
    # by the customer's key-encryption key (key_id, in the KMS); none for public images
    key_id: Mapped[str | None] = mapped_column(String(60))
    wrapped_key: Mapped[str | None] = mapped_column(String(120))


class ImageMember(Base):
    """A project an image is shared with, and whether it took it (Glance's members)."""

    __tablename__ = "image_members"

    image_id: Mapped[str] = mapped_column(ForeignKey("images.id"), primary_key=True)
    member_id: Mapped[str] = mapped_column(String(36), primary_key=True, index=True)
    status: Mapped[str] = mapped_column(String(10))  # pending | accepted | rejected
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())


class PriceRow(Base):
    __tablename__ = "prices"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    layer: Mapped[str] = mapped_column(String(20))
    kind: Mapped[str] = mapped_column(String(20))
    scope: Mapped[str] = mapped_column(String(36), index=True)
    sku: Mapped[str] = mapped_column(String(120), index=True)
    value: Mapped[Decimal] = mapped_column(RATE)
    effective_from: Mapped[datetime] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    created_by: Mapped[str] = mapped_column(String(100))
    partner_id: Mapped[str | None] = mapped_column(String(36), index=True)


def name_of(session: Session, model: Any, obj_id: str) -> str:
    row = session.get(model, obj_id)
    return str(row.name) if row is not None else ""


M = TypeVar("M")


def by_id_or_name(
    session: Session, model: type[M], ref: str, name_column: str = "name", where: Any = None
) -> M | None:
    """Id first, then name; a name shared by two rows is not a reference. ``where``
    narrows the rows that may answer."""
    narrow = () if where is None else (where,)
    if is_uuid(ref):
        found = session.scalars(select(model).where(model.id == ref, *narrow)).first()  # type: ignore[attr-defined]
        if found is not None:
            return found
    query = select(model).where(getattr(model, name_column) == ref, *narrow).limit(2)
    rows: list[M] = list(session.scalars(query))
    return rows[0] if len(rows) == 1 else None


def price_rows(session: Session) -> list[PriceRow]:
    return list(session.scalars(select(PriceRow).order_by(PriceRow.effective_from)))
