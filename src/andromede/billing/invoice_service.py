"""Reading invoices and credit notes: a partner sees what it receives and issues, a
customer its own, staff all (tenant scope). Documents come with their lines in two
queries, whatever their number."""

from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy.orm import Session

from andromede.billing import store
from andromede.billing.invoice_json import invoice_document
from andromede.billing.store import Invoice, InvoiceLine
from andromede.db import apply_scope, scoped_page, visible_one
from andromede.kernel.errors import Forbidden, NotFound
from andromede.kernel.months import month_period
from andromede.tenancy.scope import Caller, OrgKind, tenant_scope

__all__ = ["Invoice", "InvoiceLine", "InvoiceService"]


class InvoiceService:
    def list_invoices(
        self,
        session: Session,
        caller: Caller,
        *,
        limit: int,
        marker: str | None,
        kind: str | None = None,
        number: str | None = None,
    ) -> list[Invoice]:
        return scoped_page(
            session,
            Invoice,
            tenant_scope(caller.actor),
            limit=limit,
            marker=marker,
            filters={"kind": kind, "number": number},
        )

    def get_invoice(
        self, session: Session, caller: Caller, invoice_id: str
    ) -> tuple[Invoice, list[InvoiceLine]]:
        scope = tenant_scope(caller.actor)
        invoice = visible_one(session, Invoice, invoice_id, scope, "invoice")
        return invoice, store.lines_of(session, invoice.id)

    def lines(self, session: Session, invoice_id: str) -> list[InvoiceLine]:
        return store.lines_of(session, invoice_id)

    def issued(self, session: Session, invoice_id: str) -> tuple[Invoice, list[InvoiceLine]]:
        """An invoice with its lines, for the machinery that sends it (no caller)."""
        invoice = session.get(Invoice, invoice_id)
        if invoice is None:
            raise NotFound("invoice", invoice_id)
        return invoice, store.lines_of(session, invoice_id)

    def operator_revenue(self, session: Session, caller: Caller, since: date) -> dict[str, Decimal]:
        """Month (YYYY-MM) → what the operator invoiced for it, excluding VAT: totals only,
        which staff may read without any customer's grant."""
        _staff(caller)
        months: dict[str, Decimal] = {}
        for start, total in store.operator_revenue_by_period(session, since):
            key = start.strftime("%Y-%m")
            months[key] = months.get(key, Decimal(0)) + total
        return months

    def wholesale_billed(
        self,
        session: Session,
        caller: Caller,
        *,
        issued_after: date | None = None,
        period: date | None = None,
    ) -> dict[str, Decimal]:
        """Partner id → wholesale invoiced to it, issued after a day (the active-partner
        measure) or for one billed month (its first day)."""
        _staff(caller)
        return store.wholesale_billed(session, issued_after=issued_after, period=period)

    def month_documents(self, session: Session, month: str) -> list[dict[str, Any]]:
        """Every invoice and credit note of the month's period, with lines."""
        query = store.invoices_query(month_period(month)[0].date())
        return [invoice_document(i, lines) for i, lines in store.with_lines(session, query)]

    def visible_month_documents(
        self, session: Session, caller: Caller, month: str
    ) -> list[dict[str, Any]]:
        query = store.invoices_query(month_period(month)[0].date())
        query = apply_scope(query, Invoice, tenant_scope(caller.actor))
        return [invoice_document(i, lines) for i, lines in store.with_lines(session, query)]

    def customer_invoices(self, session: Session, customer_id: str) -> list[dict[str, Any]]:
        """Invoices and credit notes addressed to the customer, without their lines."""
        return [invoice_document(i) for i in store.invoices_of_customer(session, customer_id)]

    def all_documents(self, session: Session) -> list[dict[str, Any]]:
        query = store.invoices_query()
        return [invoice_document(i, lines) for i, lines in store.with_lines(session, query)]


def _staff(caller: Caller) -> None:
    if caller.actor.org_kind is not OrgKind.OPERATOR:
        raise Forbidden("the operator's figures are the operator's")
