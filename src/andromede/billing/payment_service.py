"""Payments: the issuer records what it received; everyone reads balances and statuses
within its tenant scope; the worker reminds debtors of overdue invoices; the monthly
payment data the reform asks to e-report for services taxed on receipts."""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy.orm import Session

from andromede.audit.actions import AuditAction
from andromede.billing import payment_store as store
from andromede.billing.payments import (
    METHODS,
    Balance,
    PaymentRefused,
    apply_payment,
    reminder_stage,
)
from andromede.billing.store import Invoice, Payment
from andromede.db import apply_scope, visible_one
from andromede.kernel.clock import Clock
from andromede.kernel.errors import Conflict, Forbidden, ValidationFailed
from andromede.kernel.ids import new_id
from andromede.kernel.months import month_period
from andromede.kernel.tenants import TenantRef
from andromede.tenancy.scope import Caller, Permission, Role, require, tenant_scope
from andromede.tenancy.service import TenancyService

__all__ = ["Debtor", "Payment", "PaymentInput", "PaymentService"]


@dataclass(frozen=True)
class PaymentInput:
    amount: Decimal
    paid_on: date | None
    method: str
    reference: str | None = None
    keep_credit: bool = False


@dataclass
class Debtor:
    kind: str  # partner (wholesale invoices) | customer
    id: str
    name: str
    invoices: list[dict[str, Any]] = field(default_factory=list)

    @property
    def total(self) -> Decimal:
        return sum((Decimal(i["outstanding"]) for i in self.invoices), Decimal("0.00"))


class PaymentService:
    def __init__(self, clock: Clock, tenancy: TenancyService) -> None:
        self.clock = clock
        self.tenancy = tenancy
        self.on_paid: list[Callable[[Session, Invoice], None]] = []  # wired in bootstrap

    def record(
        self, session: Session, caller: Caller, invoice_id: str, data: PaymentInput
    ) -> tuple[Payment, Balance]:
        scope = tenant_scope(caller.actor)
        invoice = visible_one(session, Invoice, invoice_id, scope, "invoice", lock=True)
        require(caller, Permission.RECORD_PAYMENTS)
        _require_payee(caller, invoice)
        if invoice.kind == "credit_note":
            raise Conflict("a credit note is not paid; it reduces what its invoice asks")
        if data.method not in METHODS:
            raise ValidationFailed.one("method", f"one of {', '.join(METHODS)}")
        today = self.clock.now().date()
        paid_on = data.paid_on or today
        if paid_on > today:
            raise ValidationFailed.one("paid_on", "a payment received is not in the future")
        balance = self.balance(session, invoice)
        try:
            credit = apply_payment(balance, data.amount, keep_credit=data.keep_credit)
        except PaymentRefused as refused:
            raise ValidationFailed.one("amount", str(refused)) from refused
        payment = Payment(
            id=new_id(),
            invoice_id=invoice.id,
            partner_id=invoice.partner_id,
            customer_id=invoice.customer_id,
            amount=data.amount,
            paid_on=paid_on,
            method=data.method,
            reference=(data.reference or "").strip()[:100] or None,
            credit=credit,
            recorded_at=self.clock.now(),
            recorded_by=caller.actor.username,
        )
        session.add(payment)
        session.flush()
        after = self.balance(session, invoice)
        ref = TenantRef(invoice.partner_id, invoice.customer_id)
        self.tenancy.audit(session, caller, AuditAction.PAYMENT_RECORD, "invoice", invoice.id, ref)
        if after.outstanding == 0:
            for hook in self.on_paid:
                hook(session, invoice)
        return payment, after

    def balance(self, session: Session, invoice: Invoice) -> Balance:
        return self.balances(session, [invoice])[invoice.id]

    def balances(self, session: Session, invoices: list[Invoice]) -> dict[str, Balance]:
        """Invoice id → balance, in two queries whatever the number of invoices."""
        ids = [i.id for i in invoices]
        paid = store.paid_by_invoice(session, ids)
        credited = store.credited_by_invoice(session, ids)
        return {
            i.id: Balance(
                i.total_incl_vat,
                credited.get(i.id, Decimal("0.00")),
                paid.get(i.id, Decimal("0.00")),
                i.due_date,
            )
            for i in invoices
        }

    def list_payments(
        self,
        session: Session,
        caller: Caller,
        *,
        limit: int,
        marker: str | None,
        invoice_id: str | None = None,
    ) -> list[Payment]:
        query = store.payments_query(limit, marker, invoice_id)
        return list(session.scalars(apply_scope(query, Payment, tenant_scope(caller.actor))))

    def overdue(self, session: Session, caller: Caller) -> list[Debtor]:
        """Overdue invoices by debtor: a partner for the wholesale invoices it receives,
        a customer for its own; within the caller's scope, most overdue first."""
        today = self.clock.now().date()
        query = apply_scope(store.unpaid_query(today), Invoice, tenant_scope(caller.actor))
        invoices = list(session.scalars(query))
        balances = self.balances(session, invoices)
        debtors: dict[tuple[str, str], Debtor] = {}
        for invoice in invoices:
            balance = balances[invoice.id]
            if balance.status(today) != "overdue":
                continue
            kind = "partner" if invoice.kind == "wholesale" else "customer"
            key = (kind, (invoice.partner_id if kind == "partner" else invoice.customer_id) or "")
            debtor = debtors.setdefault(key, Debtor(kind, key[1], invoice.recipient["name"]))
            debtor.invoices.append(
                {
                    "id": invoice.id,
                    "number": invoice.number,
                    "due_date": invoice.due_date.isoformat(),
                    "days_overdue": balance.days_overdue(today),
                    "outstanding": f"{balance.outstanding:f}",
                }
            )
        return sorted(debtors.values(), key=lambda d: (-d.total, d.name))

    def remind_overdue(self, session: Session) -> int:
        """One notification per overdue invoice and reminder stage reached, once."""
        today = self.clock.now().date()
        invoices = list(session.scalars(store.unpaid_query(today)))
        balances = self.balances(session, invoices)
        sent = store.reminders_sent(session, [i.id for i in invoices])
        count = 0
        for invoice in invoices:
            stage = reminder_stage(balances[invoice.id], today)
            if stage == 0 or sent.get(invoice.id, 0) >= stage:
                continue
            store.add_reminder(session, invoice.id, stage, self.clock.now())
            customer = None if invoice.kind == "wholesale" else invoice.customer_id
            balance = balances[invoice.id]
            message = (
                f"Reminder {stage}: invoice {invoice.number} was due on "
                f"{invoice.due_date.isoformat()}; {balance.outstanding:f} "
                f"{invoice.currency} remain to be paid."
            )
            self.tenancy.notify(
                session, TenantRef(invoice.partner_id, customer), "payment_reminder", message
            )
            count += 1
        return count

    def e_reporting(self, session: Session, caller: Caller, month: str) -> list[dict[str, str]]:
        """Payments received in the month on the caller's own invoices whose issuer pays
        VAT on receipts (no debits option): the payment data the reform asks to report,
        with the VAT each payment carries, pro rata of the invoice's VAT."""
        issuer = _issuer_key(caller)
        start, end = month_period(month)
        rows = []
        for payment, invoice in store.payments_received(session, issuer, start.date(), end.date()):
            if invoice.vat_on_debits:
                continue
            share = payment.amount - payment.credit
            ratio = share / invoice.total_incl_vat if invoice.total_incl_vat else Decimal(0)
            vat = (invoice.vat_total * ratio).quantize(Decimal("0.01"))
            rows.append(
                {
                    "issuer_siren": invoice.issuer.get("siren") or "",
                    "invoice_number": invoice.number,
                    "invoice_date": invoice.issue_date.isoformat(),
                    "payment_date": payment.paid_on.isoformat(),
                    "amount_received": f"{share:f}",
                    "vat_received": f"{vat:f}",
                    "currency": invoice.currency,
                    "method": payment.method,
                }
            )
        return rows


def _require_payee(caller: Caller, invoice: Invoice) -> None:
    """The issuer records what it was paid: the operator for its invoices (and, acting
    for a partner, for the partner's), a partner's admin for the invoices in its name."""
    if caller.actor.role is Role.OPERATOR_ADMIN:
        return
    if invoice.issuer_key == caller.actor.partner_id:
        return
    raise Forbidden("only the issuer records payments on its invoices")


def _issuer_key(caller: Caller) -> str:
    if caller.actor.role is Role.OPERATOR_ADMIN:
        return "operator"
    if caller.actor.role is Role.PARTNER_ADMIN and caller.actor.partner_id:
        return caller.actor.partner_id
    raise Forbidden("the issuer's admin exports its payment data")
