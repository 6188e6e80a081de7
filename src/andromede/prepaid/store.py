"""Tables of what customers buy in advance: reservations, prepaid commitments and what
each month drew on them."""

from datetime import datetime
from decimal import Decimal

from sqlalchemy import Boolean, ForeignKey, Integer, Numeric, String, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from andromede.catalog.pricing import Prices
from andromede.db import MONEY, RATE, Base, UTCDateTime
from andromede.prepaid.terms import Reservation

__all__ = ["Commitment", "CommitmentDraw", "ReservationRow"]


class ReservationRow(Base):
    """A purchase of ``count`` reservations; its prices are fixed at purchase."""

    __tablename__ = "reservations"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    number: Mapped[str] = mapped_column(String(20), unique=True)
    partner_id: Mapped[str] = mapped_column(String(36), index=True)
    customer_id: Mapped[str] = mapped_column(String(36), index=True)
    flavor: Mapped[str] = mapped_column(String(80))
    family: Mapped[str] = mapped_column(String(40))
    region: Mapped[str] = mapped_column(String(40))
    size_units: Mapped[int] = mapped_column(Integer)
    count: Mapped[int] = mapped_column(Integer)
    term: Mapped[str] = mapped_column(String(4))
    payment: Mapped[str] = mapped_column(String(20))
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    list_upfront: Mapped[Decimal] = mapped_column(RATE)
    list_hourly: Mapped[Decimal] = mapped_column(RATE)
    wholesale_upfront: Mapped[Decimal] = mapped_column(RATE)
    wholesale_hourly: Mapped[Decimal] = mapped_column(RATE)
    resale_upfront: Mapped[Decimal] = mapped_column(RATE)
    resale_hourly: Mapped[Decimal] = mapped_column(RATE)
    upfront_invoiced: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    created_by: Mapped[str] = mapped_column(String(100))
    # a public buyer's Chorus Pro references for this purchase, over the customer's own
    service_code: Mapped[str | None] = mapped_column(String(100))
    commitment_number: Mapped[str | None] = mapped_column(String(50))

    def terms(self) -> Reservation:
        return Reservation(
            self.id,
            self.number,
            self.customer_id,
            self.partner_id,
            self.flavor,
            self.family,
            self.region,
            self.size_units,
            self.count,
            self.term,
            self.payment,
            self.starts_at,
            self.ends_at,
            Prices(self.list_upfront, self.wholesale_upfront, self.resale_upfront),
            Prices(self.list_hourly, self.wholesale_hourly, self.resale_hourly),
        )


class Commitment(Base):
    __tablename__ = "commitments"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    number: Mapped[str] = mapped_column(String(20), unique=True)
    partner_id: Mapped[str] = mapped_column(String(36), index=True)
    customer_id: Mapped[str] = mapped_column(String(36), index=True)
    amount: Mapped[Decimal] = mapped_column(MONEY)
    bonus: Mapped[Decimal] = mapped_column(Numeric(6, 4))
    credit: Mapped[Decimal] = mapped_column(MONEY)
    months: Mapped[int] = mapped_column(Integer)
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime())
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    invoice_id: Mapped[str | None] = mapped_column(ForeignKey("invoices.id"))
    notified_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    created_by: Mapped[str] = mapped_column(String(100))
    service_code: Mapped[str | None] = mapped_column(String(100))
    commitment_number: Mapped[str | None] = mapped_column(String(50))


class CommitmentDraw(Base):
    """What one month's invoice drew on a commitment."""

    __tablename__ = "commitment_draws"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    commitment_id: Mapped[str] = mapped_column(ForeignKey("commitments.id"), index=True)
    invoice_id: Mapped[str] = mapped_column(ForeignKey("invoices.id"))
    month: Mapped[str] = mapped_column(String(7))
    amount: Mapped[Decimal] = mapped_column(MONEY)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


def reservations_between(session: Session, start: datetime, end: datetime) -> list[ReservationRow]:
    """Every reservation in force some time in [start, end)."""
    return list(
        session.scalars(
            select(ReservationRow)
            .where(ReservationRow.starts_at < end, ReservationRow.ends_at > start)
            .order_by(ReservationRow.starts_at, ReservationRow.id)
        )
    )


def upfront_due(session: Session, now: datetime) -> list[str]:
    return list(
        session.scalars(
            select(ReservationRow.id).where(
                ReservationRow.starts_at <= now, ReservationRow.upfront_invoiced.is_(False)
            )
        )
    )


def payments_due(session: Session) -> list[str]:
    return list(session.scalars(select(Commitment.id).where(Commitment.invoice_id.is_(None))))


def commitments_of_customers(session: Session, customer_ids: list[str]) -> list[Commitment]:
    """The commitments of several customers at once (a batch of a month close), in chunks."""
    found: list[Commitment] = []
    for i in range(0, len(customer_ids), 500):
        chunk = customer_ids[i : i + 500]
        found.extend(session.scalars(select(Commitment).where(Commitment.customer_id.in_(chunk))))
    return sorted(found, key=lambda c: (c.expires_at, c.id))


def all_commitments(session: Session) -> list[Commitment]:
    return list(session.scalars(select(Commitment).order_by(Commitment.expires_at, Commitment.id)))


def balances(session: Session, held: list[Commitment]) -> dict[str, Decimal]:
    """Each commitment's credit less what was drawn on it (no query for none: most of a
    month close's batches hold no commitment)."""
    left = {c.id: c.credit for c in held}
    if not left:
        return left
    for d in draws_of(session, list(left)):
        left[d.commitment_id] -= d.amount
    return left


def draws_of(session: Session, commitment_ids: list[str]) -> list[CommitmentDraw]:
    return list(
        session.scalars(
            select(CommitmentDraw)
            .where(CommitmentDraw.commitment_id.in_(commitment_ids))
            .order_by(CommitmentDraw.month, CommitmentDraw.id)
        )
    )
