"""The outbox of e-invoices: one row per issued invoice or credit note, its place in the
reform's lifecycle, and the Factur-X as it was produced and handed over (kept, since the
Factur-X step stamps the time it ran: the file sent is the file kept)."""

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, LargeBinary, String, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from andromede.db import Base, UTCDateTime, apply_scope
from andromede.kernel.tenants import Scope

__all__ = ["OutboxEntry", "OutboxEvent"]


class OutboxEntry(Base):
    __tablename__ = "einvoice_outbox"

    invoice_id: Mapped[str] = mapped_column(ForeignKey("invoices.id"), primary_key=True)
    number: Mapped[str] = mapped_column(String(40))
    partner_id: Mapped[str | None] = mapped_column(String(36), index=True)
    customer_id: Mapped[str | None] = mapped_column(String(36), index=True)
    channel: Mapped[str] = mapped_column(String(20))  # platform | chorus
    status: Mapped[str] = mapped_column(String(20), index=True)
    status_code: Mapped[str | None] = mapped_column(String(3))
    status_at: Mapped[datetime] = mapped_column(UTCDateTime())
    detail: Mapped[str | None] = mapped_column(String(500))
    platform_ref: Mapped[str | None] = mapped_column(String(100))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    document: Mapped[bytes | None] = mapped_column(LargeBinary)
    sha256: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class OutboxEvent(Base):
    """Every lifecycle step of a document, in order: the trail a dispute reads."""

    __tablename__ = "einvoice_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)  # order
    invoice_id: Mapped[str] = mapped_column(ForeignKey("invoices.id"), index=True)
    status: Mapped[str] = mapped_column(String(20))
    status_code: Mapped[str | None] = mapped_column(String(3))
    detail: Mapped[str | None] = mapped_column(String(500))
    at: Mapped[datetime] = mapped_column(UTCDateTime())


def entry(session: Session, invoice_id: str, *, lock: bool = False) -> OutboxEntry | None:
    query = select(OutboxEntry).where(OutboxEntry.invoice_id == invoice_id)
    if lock:
        query = query.with_for_update()
    return session.scalars(query).first()


def entry_by_number(session: Session, number: str) -> OutboxEntry | None:
    query = select(OutboxEntry).where(OutboxEntry.number == number).with_for_update()
    return session.scalars(query).first()


def statuses(session: Session, ids: list[str]) -> dict[str, str]:
    if not ids:
        return {}
    query = select(OutboxEntry.invoice_id, OutboxEntry.status).where(
        OutboxEntry.invoice_id.in_(ids)
    )
    return {i: status for i, status in session.execute(query)}


def waiting(session: Session, status: str, limit: int) -> list[str]:
    query = (
        select(OutboxEntry.invoice_id)
        .where(OutboxEntry.status == status)
        .order_by(OutboxEntry.created_at, OutboxEntry.number)
        .limit(limit)
    )
    return list(session.scalars(query))


def visible(
    session: Session, scope: Scope, status: str | None, limit: int, marker: str | None
) -> list[OutboxEntry]:
    query = select(OutboxEntry).order_by(OutboxEntry.invoice_id).limit(limit)
    if status:
        query = query.where(OutboxEntry.status == status)
    if marker:
        query = query.where(OutboxEntry.invoice_id > marker)
    return list(session.scalars(apply_scope(query, OutboxEntry, scope)))


def events(session: Session, invoice_id: str) -> list[OutboxEvent]:
    query = select(OutboxEvent).where(OutboxEvent.invoice_id == invoice_id)
    return list(session.scalars(query.order_by(OutboxEvent.id)))
