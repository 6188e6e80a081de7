"""/v1 e-invoice documents (Factur-X, CII, UBL, readable PDF), their outbox lifecycle,
held drafts, payments, overdue lists and the e-reporting export of payment data."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from fastapi import Query, Request, Response
from pydantic import Field

from andromede.api.context import app_of, run
from andromede.api.resource_routes import listing
from andromede.api.v1.billing import payment_state
from andromede.api.v1.money_responses import (
    DebtorOut,
    EInvoiceOut,
    EInvoiceTrailOut,
    HeldInvoiceOut,
    PaymentOut,
    RecordedPaymentOut,
)
from andromede.api.v1.responses import Items, Page, answers
from andromede.api.v1.router import v1_router
from andromede.api.v1.schemas import Body, Limit, MonthText
from andromede.audit.actions import AuditAction
from andromede.billing.exports import csv_text
from andromede.billing.payment_service import PaymentInput

if TYPE_CHECKING:
    from andromede.billing.payment_service import Payment
    from andromede.documents.service import OutboxEntry

router = v1_router(tags=["e-invoices and payments"])
PDF: dict[int | str, dict[str, Any]] = {
    200: {"content": {"application/pdf": {"schema": {"type": "string", "format": "binary"}}}}
}
XML: dict[int | str, dict[str, Any]] = {
    200: {"content": {"application/xml": {"schema": {"type": "string"}}}}
}
E_REPORTING_COLUMNS = (
    "issuer_siren",
    "invoice_number",
    "invoice_date",
    "payment_date",
    "amount_received",
    "vat_received",
    "currency",
    "method",
)


def outbox_view(entry: OutboxEntry) -> dict[str, Any]:
    return {
        "invoice_id": entry.invoice_id,
        "number": entry.number,
        "channel": entry.channel,
        "status": entry.status,
        "status_code": entry.status_code,
        "status_at": entry.status_at.isoformat(),
        "detail": entry.detail,
        "platform_ref": entry.platform_ref,
        "sha256": entry.sha256,
    }


class PaymentBody(Body):
    amount: Decimal = Field(max_digits=14, decimal_places=2)
    paid_on: date | None = None  # today by default
    method: str = Field("transfer", max_length=20)
    reference: str | None = Field(None, max_length=100)
    keep_credit: bool = False  # keep what exceeds the balance as a credit on account


def _download(request: Request, invoice_id: str, fmt: str, lang: str = "fr") -> Response:
    app = app_of(request)

    def work(session: Any, caller: Any) -> Response:
        content, media, name = app.documents.document(session, caller, invoice_id, fmt, lang)
        disposition = f'attachment; filename="{name}"'
        return Response(content, media_type=media, headers={"Content-Disposition": disposition})

    # the Factur-X is kept the first time it is produced: a write
    return run(request, work, write=fmt == "facturx")


@router.get("/invoices/{invoice_id}/facturx.pdf", response_class=Response, responses=PDF)
def facturx(invoice_id: str, request: Request) -> Response:
    """The legal document: PDF/A-3 with its CII XML (EN 16931, or EXTENDED-CTC-FR when
    issued under a billing mandate) embedded as factur-x.xml."""
    return _download(request, invoice_id, "facturx")


@router.get("/invoices/{invoice_id}/cii.xml", response_class=Response, responses=XML)
def cii(invoice_id: str, request: Request) -> Response:
    return _download(request, invoice_id, "cii")


@router.get("/invoices/{invoice_id}/ubl.xml", response_class=Response, responses=XML)
def ubl(invoice_id: str, request: Request) -> Response:
    return _download(request, invoice_id, "ubl")


@router.get("/invoices/{invoice_id}/pdf", response_class=Response, responses=PDF)
def readable(
    invoice_id: str, request: Request, lang: str = Query("fr", pattern="^(fr|en)$")
) -> Response:
    """The readable invoice, in French (the legal language) or English."""
    return _download(request, invoice_id, "pdf", lang)


@router.get("/invoices/{invoice_id}/einvoice", **answers(EInvoiceTrailOut))
def einvoice_trail(invoice_id: str, request: Request) -> Any:
    """Where the e-invoice stands with the platform, with every lifecycle step."""
    app = app_of(request)

    def work(session: Any, caller: Any) -> dict[str, Any]:
        entry, events = app.documents.trail(session, caller, invoice_id)
        steps = [
            {
                "status": e.status,
                "status_code": e.status_code,
                "detail": e.detail,
                "at": e.at.isoformat(),
            }
            for e in events
        ]
        return {**outbox_view(entry), "events": steps}

    return run(request, work, write=True)


@router.get("/einvoices", **answers(Page[EInvoiceOut]))
def list_einvoices(
    request: Request, limit: int = Limit, marker: str | None = None, status: str | None = None
) -> Any:
    return listing(
        request,
        lambda a, s, c: a.documents.outbox(s, c, status=status, limit=limit, marker=marker),
        outbox_view,
        limit,
    )


@router.get("/held-invoices", **answers(Items[HeldInvoiceOut]))
def held_invoices(request: Request) -> Any:
    """Drafts the close could not issue yet, and what each lacks."""
    app = app_of(request)

    def work(session: Any, caller: Any) -> dict[str, Any]:
        rows = app.issuing.held(session, caller)
        return {
            "items": [
                {
                    "close_key": h.close_key,
                    "kind": h.kind,
                    "partner_id": h.partner_id,
                    "customer_id": h.customer_id,
                    "reason": h.reason,
                    "held_at": h.held_at.isoformat(),
                }
                for h in rows
            ]
        }

    return run(request, work)


def payment_view(p: Payment) -> dict[str, Any]:
    return {
        "id": p.id,
        "invoice_id": p.invoice_id,
        "amount": f"{p.amount:f}",
        "paid_on": p.paid_on.isoformat(),
        "method": p.method,
        "reference": p.reference,
        "credit": f"{p.credit:f}",
        "recorded_at": p.recorded_at.isoformat(),
        "recorded_by": p.recorded_by,
    }


@router.post("/invoices/{invoice_id}/payments", status_code=201, **answers(RecordedPaymentOut))
def record_payment(invoice_id: str, body: PaymentBody, request: Request) -> Any:
    """What the issuer received: partial payments add up; more than is due is refused
    unless ``keep_credit`` says to keep the excess as a credit on account."""
    app = app_of(request)
    data = PaymentInput(body.amount, body.paid_on, body.method, body.reference, body.keep_credit)

    def work(session: Any, caller: Any) -> dict[str, Any]:
        payment, _ = app.payments.record(session, caller, invoice_id, data)
        invoice, _lines = app.invoices.get_invoice(session, caller, invoice_id)
        return {**payment_view(payment), "invoice": payment_state(app, session, invoice)}

    return run(
        request,
        work,
        write=True,
        action=AuditAction.PAYMENT_RECORD,
        target_type="invoice",
        target_id=invoice_id,
    )


@router.get("/payments", **answers(Page[PaymentOut]))
def list_payments(
    request: Request,
    limit: int = Limit,
    marker: str | None = None,
    invoice_id: str | None = None,
) -> Any:
    return listing(
        request,
        lambda a, s, c: a.payments.list_payments(
            s, c, limit=limit, marker=marker, invoice_id=invoice_id
        ),
        payment_view,
        limit,
    )


@router.get("/payments/overdue", **answers(Items[DebtorOut]))
def overdue(request: Request) -> Any:
    """Overdue invoices per debtor (a partner for its wholesale invoices, a customer for
    its own), within what the caller sees."""
    app = app_of(request)

    def work(session: Any, caller: Any) -> dict[str, Any]:
        debtors = app.payments.overdue(session, caller)
        return {
            "items": [
                {
                    "kind": d.kind,
                    "id": d.id,
                    "name": d.name,
                    "total": f"{d.total:f}",
                    "invoices": d.invoices,
                }
                for d in debtors
            ]
        }

    return run(request, work)


@router.get(
    "/payments/e-reporting",
    response_class=Response,
    responses={
        200: {
            "content": {
                "application/json": {"schema": {"type": "object"}},
                "text/csv": {"schema": {"type": "string"}},
            }
        }
    },
)
def e_reporting(
    request: Request,
    month: MonthText = Query(..., description="YYYY-MM"),
    format: str = Query("json", pattern="^(json|csv)$"),
) -> Response:
    """Payments received in the month on the caller's invoices taxed on receipts (the
    issuer did not opt for VAT on debits): the data the reform asks to e-report.
    Columns: see docs/e-invoicing.md."""
    app = app_of(request)

    def work(session: Any, caller: Any) -> Response:
        rows = app.payments.e_reporting(session, caller, month)
        if format == "csv":
            return Response(csv_text(list(E_REPORTING_COLUMNS), rows), media_type="text/csv")
        body = json.dumps({"month": month, "items": rows}, ensure_ascii=False)
        return Response(body, media_type="application/json")

    return run(request, work)
