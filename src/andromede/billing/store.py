"""Tables and queries for invoices (and credit notes), their lines and numbering."""

from datetime import date, datetime
from decimal import Decimal
from typing import Any, cast

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    ForeignKey,
    Integer,
    Numeric,
    Row,
    Select,
    String,
    Table,
    Text,
    UniqueConstraint,
    delete,
    func,
    select,
)
from sqlalchemy.orm import Mapped, Session, mapped_column

from andromede.db import MONEY, RATE, Base, UTCDateTime, apply_scope, insert_if_absent
from andromede.kernel.tenants import Scope

__all__ = ["HeldInvoice", "Invoice", "InvoiceLine", "InvoiceSequence", "Payment"]


class PlanTarget(Base):
    """The operator's business plan: what it aims for, quarter by quarter."""

    __tablename__ = "plan_targets"

    quarter: Mapped[str] = mapped_column(String(7), primary_key=True)
    servers: Mapped[int] = mapped_column(Integer)
    revenue: Mapped[Decimal] = mapped_column(MONEY)
    set_at: Mapped[datetime] = mapped_column(UTCDateTime())
    set_by: Mapped[str] = mapped_column(String(200))


class DailyRevenue(Base):
    """What the operator earned on a finished day (wholesale from partners, list from
    direct customers), rated once, for the dashboard's run-rate."""

    __tablename__ = "daily_revenue"

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    revenue: Mapped[Decimal] = mapped_column(MONEY)


def last_revenue_day(session: Session) -> date | None:
    return session.scalar(select(func.max(DailyRevenue.day)))


def revenue_since(session: Session, first: date) -> list[DailyRevenue]:
    query = select(DailyRevenue).where(DailyRevenue.day >= first).order_by(DailyRevenue.day)
    return list(session.scalars(query))


OPERATOR_KINDS = ("wholesale", "direct")  # what partners and direct customers pay it


def operator_revenue_by_period(session: Session, since: date) -> list[tuple[date, Decimal]]:
    """Invoiced excluding VAT per billed period start, summed by the database."""
    query = (
        select(Invoice.period_start, func.sum(Invoice.total_excl_vat))
        .where(Invoice.kind.in_(OPERATOR_KINDS), Invoice.period_start >= since)
        .group_by(Invoice.period_start)
    )
    return [(start, Decimal(total or 0)) for start, total in session.execute(query)]


def wholesale_billed(
    session: Session, *, issued_after: date | None = None, period: date | None = None
) -> dict[str, Decimal]:
    """Partner id → wholesale invoiced, issued after a day or for one billed period."""
    query = (
        select(Invoice.partner_id, func.sum(Invoice.total_excl_vat))
        .where(Invoice.kind == "wholesale")
        .group_by(Invoice.partner_id)
    )
    if issued_after is not None:
        query = query.where(Invoice.issue_date > issued_after)
    if period is not None:
        query = query.where(Invoice.period_start == period)
    return {partner: Decimal(total or 0) for partner, total in session.execute(query) if partner}


def plan_targets(session: Session) -> list[PlanTarget]:
    return list(session.scalars(select(PlanTarget).order_by(PlanTarget.quarter)))


class InvoiceSequence(Base):
    """The last number used by an issuer in a year: numbering without gaps."""

    __tablename__ = "invoice_sequences"

    issuer_key: Mapped[str] = mapped_column(String(36), primary_key=True)
    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    last: Mapped[int] = mapped_column(Integer)


class Invoice(Base):
    __tablename__ = "invoices"
    __table_args__ = (UniqueConstraint("issuer_key", "number"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    number: Mapped[str] = mapped_column(String(40))
    kind: Mapped[str] = mapped_column(String(20))  # wholesale | resale | direct | credit_note
    close_key: Mapped[str | None] = mapped_column(String(200), unique=True)
    issuer_key: Mapped[str] = mapped_column(String(36))
    partner_id: Mapped[str | None] = mapped_column(String(36), index=True)
    customer_id: Mapped[str | None] = mapped_column(String(36), index=True)
    issuer: Mapped[dict[str, Any]] = mapped_column(JSON)
    recipient: Mapped[dict[str, Any]] = mapped_column(JSON)
    issue_date: Mapped[date] = mapped_column(Date)
    period_start: Mapped[date] = mapped_column(Date)
    period_end: Mapped[date] = mapped_column(Date)
    due_date: Mapped[date] = mapped_column(Date)
    currency: Mapped[str] = mapped_column(String(3))
    total_excl_vat: Mapped[Decimal] = mapped_column(MONEY)
    vat_total: Mapped[Decimal] = mapped_column(MONEY)
    total_incl_vat: Mapped[Decimal] = mapped_column(MONEY)
    vat_breakdown: Mapped[dict[str, str]] = mapped_column(JSON)
    mentions: Mapped[list[str]] = mapped_column(JSON)
    credits_invoice_id: Mapped[str | None] = mapped_column(ForeignKey("invoices.id"))
    reason: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    # e-invoicing: who issues under a billing mandate, the buyer's Chorus Pro references,
    # the issuer's VAT option, and the invoice a credit note corrects (BT-25/26)
    invoicer: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    buyer_reference: Mapped[str | None] = mapped_column(String(100))
    order_reference: Mapped[str | None] = mapped_column(String(50))
    vat_on_debits: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")
    preceding_number: Mapped[str | None] = mapped_column(String(40))
    preceding_date: Mapped[date | None] = mapped_column(Date)


class HeldInvoice(Base):
    """A draft the close could not issue yet (a mandate or a Chorus Pro field missing):
    no number is taken until it goes out, so numbering stays without gaps."""

    __tablename__ = "held_invoices"

    close_key: Mapped[str] = mapped_column(String(200), primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))
    partner_id: Mapped[str | None] = mapped_column(String(36), index=True)
    customer_id: Mapped[str | None] = mapped_column(String(36), index=True)
    reason: Mapped[str] = mapped_column(String(500))
    held_at: Mapped[datetime] = mapped_column(UTCDateTime())


class Payment(Base):
    """Money received against an invoice, as the issuer records it."""

    __tablename__ = "payments"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    invoice_id: Mapped[str] = mapped_column(ForeignKey("invoices.id"), index=True)
    partner_id: Mapped[str | None] = mapped_column(String(36), index=True)
    customer_id: Mapped[str | None] = mapped_column(String(36), index=True)
    amount: Mapped[Decimal] = mapped_column(MONEY)
    paid_on: Mapped[date] = mapped_column(Date)
    method: Mapped[str] = mapped_column(String(20))
    reference: Mapped[str | None] = mapped_column(String(100))
    credit: Mapped[Decimal] = mapped_column(MONEY)  # what exceeded the balance, kept on account
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime())
    recorded_by: Mapped[str] = mapped_column(String(200))


class PaymentReminder(Base):
    """One reminder per overdue invoice and stage (days past due): sent once."""

    __tablename__ = "payment_reminders"

    invoice_id: Mapped[str] = mapped_column(ForeignKey("invoices.id"), primary_key=True)
    stage: Mapped[int] = mapped_column(Integer, primary_key=True)
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime())


class InvoiceLine(Base):
    __tablename__ = "invoice_lines"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    invoice_id: Mapped[str] = mapped_column(ForeignKey("invoices.id"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    description: Mapped[str] = mapped_column(String(300))
    sku: Mapped[str] = mapped_column(String(120))
    quantity: Mapped[Decimal] = mapped_column(Numeric(20, 6))
    unit: Mapped[str] = mapped_column(String(20))
    unit_price: Mapped[Decimal] = mapped_column(RATE)
    vat_rate: Mapped[Decimal] = mapped_column(Numeric(6, 4))
    amount: Mapped[Decimal] = mapped_column(MONEY)
    customer_id: Mapped[str | None] = mapped_column(String(36))


def lock_sequence(session: Session, issuer_key: str, year: int) -> InvoiceSequence:
    """The issuer's counter for the year, created if new, under a row lock: closes and
    credit notes of one issuer number one after the other, and a rolled-back invoice gives
    its number back. Taken before looking for an existing invoice, so that look is fresh."""
    insert_if_absent(
        session, InvoiceSequence, [{"issuer_key": issuer_key, "year": year, "last": 0}]
    )
    return session.scalars(
        select(InvoiceSequence)
        .where(InvoiceSequence.issuer_key == issuer_key, InvoiceSequence.year == year)
        .with_for_update()
    ).one()


def closed_keys(session: Session, keys: list[str]) -> set[str]:
    """Which of ``keys`` a close already issued (in chunks: a big partner has thousands)."""
    found: set[str] = set()
    for i in range(0, len(keys), 500):
        chunk = keys[i : i + 500]
        found.update(
            k
            for k in session.scalars(select(Invoice.close_key).where(Invoice.close_key.in_(chunk)))
            if k
        )
    return found


def find_closed_prefix(session: Session, key: str) -> Invoice | None:
    """The customer's document of a one-off purchase (its close key starts with ``key``)."""
    query = select(Invoice).where(Invoice.close_key.startswith(f"{key}:"))
    return session.scalars(query.where(Invoice.kind != "wholesale")).first()


def hold(session: Session, draft: Any, reason: str, now: datetime) -> bool:
    """Records a held draft; True the first time (the caller notifies), False after."""
    found = session.get(HeldInvoice, draft.close_key)
    if found is not None:
        found.reason = reason
        return False
    session.add(
        HeldInvoice(
            close_key=draft.close_key,
            kind=draft.kind,
            partner_id=draft.partner_id,
            customer_id=draft.customer_id,
            reason=reason,
            held_at=now,
        )
    )
    return True


def release_holds(session: Session, close_keys: list[str]) -> None:
    """The drafts going out now are held no longer (in chunks, like ``closed_keys``)."""
    for i in range(0, len(close_keys), 500):
        chunk = close_keys[i : i + 500]
        session.execute(delete(HeldInvoice).where(HeldInvoice.close_key.in_(chunk)))


def held_rows(session: Session) -> list[HeldInvoice]:
    return list(session.scalars(select(HeldInvoice).order_by(HeldInvoice.close_key)))


def held_visible(session: Session, scope: Scope) -> list[HeldInvoice]:
    query = select(HeldInvoice).order_by(HeldInvoice.held_at, HeldInvoice.close_key)
    return list(session.scalars(apply_scope(query, HeldInvoice, scope)))


def lines_of(session: Session, invoice_id: str) -> list[InvoiceLine]:
    return list(
        session.scalars(
            select(InvoiceLine)
            .where(InvoiceLine.invoice_id == invoice_id)
            .order_by(InvoiceLine.position)
        )
    )


def credit_of(session: Session, invoice_id: str) -> Invoice | None:
    return session.scalars(select(Invoice).where(Invoice.credits_invoice_id == invoice_id)).first()


def with_lines(session: Session, invoices: Select[Any]) -> list[tuple[Row[Any], list[Row[Any]]]]:
    """The invoices a query selects, each with its lines: two queries whatever their
    number (the lines joined to the same selection), never one per invoice. Both come as
    rows with their table's columns, to be read only, not as mapped objects: a month's
    2,000 invoices and 26,000 lines took 1.4 s to load as objects."""
    found = list(session.execute(invoices.with_only_columns(*Invoice.__table__.columns)))
    chosen = invoices.with_only_columns(Invoice.id).order_by(None).subquery()
    table = cast(Table, InvoiceLine.__table__)
    lines: dict[str, list[Row[Any]]] = {i.id: [] for i in found}
    for line in session.execute(
        select(table)
        .join(chosen, chosen.c.id == table.c.invoice_id)
        .order_by(table.c.invoice_id, table.c.position)
    ):
        lines[line.invoice_id].append(line)
    return [(i, lines[i.id]) for i in found]


def invoices_query(period_start: date | None = None) -> Select[Any]:
    query = select(Invoice).order_by(Invoice.issuer_key, Invoice.number)
    if period_start is not None:
        query = query.where(Invoice.period_start == period_start)
    return query


def invoices_of_customer(session: Session, customer_id: str) -> list[Invoice]:
    return list(
        session.scalars(
            select(Invoice)
            .where(Invoice.customer_id == customer_id)
            .order_by(Invoice.issue_date, Invoice.number)
        )
    )
