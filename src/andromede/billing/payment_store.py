"""Queries over payments and reminders (tables in ``store``)."""

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from andromede.billing.store import Invoice, Payment, PaymentReminder

__all__ = [
    "add_reminder",
    "credited_by_invoice",
    "paid_by_invoice",
    "payments_query",
    "payments_received",
    "reminders_sent",
    "unpaid_query",
]


def paid_by_invoice(session: Session, ids: list[str]) -> dict[str, Decimal]:
    if not ids:
        return {}
    query = (
        select(Payment.invoice_id, func.sum(Payment.amount - Payment.credit))
        .where(Payment.invoice_id.in_(ids))
        .group_by(Payment.invoice_id)
    )
    return {i: Decimal(total or 0) for i, total in session.execute(query)}


def credited_by_invoice(session: Session, ids: list[str]) -> dict[str, Decimal]:
    """What credit notes took off each invoice, as a positive amount."""
    if not ids:
        return {}
    query = (
        select(Invoice.credits_invoice_id, func.sum(Invoice.total_incl_vat))
        .where(Invoice.credits_invoice_id.in_(ids))
        .group_by(Invoice.credits_invoice_id)
    )
    return {i: -Decimal(total or 0) for i, total in session.execute(query) if i}


def payments_query(limit: int, marker: str | None, invoice_id: str | None) -> Select[Any]:
    query = select(Payment).order_by(Payment.id).limit(limit)
    if marker:
        query = query.where(Payment.id > marker)
    if invoice_id:
        query = query.where(Payment.invoice_id == invoice_id)
    return query


def unpaid_query(today: date) -> Select[Any]:
    """Invoices past their due date that are not credit notes (paid ones are filtered by
    their balance)."""
    return (
        select(Invoice)
        .where(Invoice.kind != "credit_note", Invoice.due_date < today)
        .order_by(Invoice.due_date, Invoice.number)
    )


def reminders_sent(session: Session, ids: list[str]) -> dict[str, int]:
    if not ids:
        return {}
    query = (
        select(PaymentReminder.invoice_id, func.max(PaymentReminder.stage))
        .where(PaymentReminder.invoice_id.in_(ids))
        .group_by(PaymentReminder.invoice_id)
    )
    return {i: int(stage) for i, stage in session.execute(query)}


def add_reminder(session: Session, invoice_id: str, stage: int, now: datetime) -> None:
    session.add(PaymentReminder(invoice_id=invoice_id, stage=stage, sent_at=now))


def payments_received(
    session: Session, issuer_key: str, first: date, after: date
) -> list[tuple[Payment, Invoice]]:
    query = (
        select(Payment, Invoice)
        .join(Invoice, Invoice.id == Payment.invoice_id)
        .where(Invoice.issuer_key == issuer_key, Payment.paid_on >= first, Payment.paid_on < after)
        .order_by(Payment.paid_on, Invoice.number, Payment.id)
    )
    return [(p, i) for p, i in session.execute(query)]
