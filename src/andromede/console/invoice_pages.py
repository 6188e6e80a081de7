"""Invoices in the console: each invoice's documents (the legal Factur-X, the readable PDF
in the reader's language, the UBL and CII XML, the JSON) and where its payment and its
e-invoice stand, on the customer's costs page and the partner's margins page."""

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from fastapi import Request
from fastapi.responses import JSONResponse, Response
from sqlalchemy.orm import Session

from andromede.api.context import app_of
from andromede.billing.invoice_json import invoice_document
from andromede.billing.invoice_service import Invoice
from andromede.bootstrap import App
from andromede.console.web import act, area_router, formats
from andromede.kernel.errors import NotFound
from andromede.tenancy.scope import Caller

__all__ = ["InvoiceState", "invoice_states", "router"]

router = area_router()
DOCUMENTS = {"facturx.pdf": "facturx", "invoice.pdf": "pdf", "ubl.xml": "ubl", "cii.xml": "cii"}


@dataclass(frozen=True)
class InvoiceState:
    payment: str  # unpaid | partly_paid | paid | overdue | credited | n/a
    outstanding: Decimal
    einvoice: str | None


def invoice_states(app: App, session: Session, invoices: list[Invoice]) -> dict[str, InvoiceState]:
    """Invoice id → its payment and e-invoice state: three queries for the whole list."""
    today = app.clock.now().date()
    balances = app.payments.balances(session, [i for i in invoices if i.kind != "credit_note"])
    einvoices = app.documents.statuses(session, [i.id for i in invoices])
    states = {}
    for invoice in invoices:
        balance = balances.get(invoice.id)
        states[invoice.id] = InvoiceState(
            balance.status(today) if balance else "n/a",
            balance.outstanding if balance else Decimal(0),
            einvoices.get(invoice.id),
        )
    return states


@router.get("/invoices/{invoice_id}.json")
def invoice_json(request: Request, invoice_id: str) -> JSONResponse:
    app = app_of(request)

    def fetch(session: Session, caller: Caller) -> tuple[str, dict[str, Any]]:
        invoice, lines = app.invoices.get_invoice(session, caller, invoice_id)
        return invoice.number, invoice_document(invoice, lines)

    number, document = act(request, fetch)
    disposition = f'attachment; filename="{number}.json"'
    return JSONResponse(document, headers={"content-disposition": disposition})


@router.get("/invoices/{invoice_id}/{document}")
def invoice_file(request: Request, invoice_id: str, document: str) -> Response:
    app = app_of(request)
    fmt = DOCUMENTS.get(document)
    if fmt is None:
        raise NotFound("document", document)
    lang = formats(request).language

    def fetch(session: Session, caller: Caller) -> tuple[bytes, str, str]:
        return app.documents.document(session, caller, invoice_id, fmt, lang)

    content, media, name = act(request, fetch, write=fmt == "facturx")
    return Response(
        content, media_type=media, headers={"content-disposition": f'attachment; filename="{name}"'}
    )
