"""/v1 prices, price changes, usage, invoices, credit notes, margin reports."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from fastapi import Query, Request, Response
from fastapi.responses import JSONResponse
from pydantic import Field

from andromede.api.context import app_of, run
from andromede.api.resource_routes import create, listing
from andromede.api.v1.money_responses import (
    InvoiceOut,
    MarginsOut,
    PriceOut,
    UsageOut,
    UsageSummaryOut,
)
from andromede.api.v1.responses import Items, Page, answers
from andromede.api.v1.router import v1_router
from andromede.api.v1.schemas import Body, Instant, Limit, MonthText
from andromede.audit.actions import AuditAction
from andromede.billing.exports import (
    RECONCILIATION_COLUMNS,
    USAGE_COLUMNS,
    columns_csv,
    columns_parquet,
    csv_text,
    reconciliation_rows,
    usage_columns,
)
from andromede.billing.invoice_json import invoice_document
from andromede.kernel.errors import Forbidden
from andromede.tenancy.scope import OrgKind

if TYPE_CHECKING:
    from andromede.billing.invoice_service import Invoice
    from andromede.billing.rating import RatedSegment
    from andromede.bootstrap import App
    from andromede.catalog.price_service import PriceRow
    from andromede.tenancy.scope import Caller

router = v1_router(tags=["billing"])
Month = Query(..., description="YYYY-MM")


class PriceBody(Body):
    layer: str
    kind: str = "price"
    scope: str = ""
    sku: str = ""
    value: str = Field(max_length=40)
    effective_from: Instant | None = None


class PriceChangeBody(Body):
    sku: str
    list: str = Field(max_length=40)
    effective_from: Instant
    wholesale: str = "follow"


class CreditNoteBody(Body):
    invoice_id: str
    reason: str


def price_view(p: PriceRow) -> dict[str, Any]:
    return {
        "id": p.id,
        "layer": p.layer,
        "kind": p.kind,
        "scope": p.scope,
        "sku": p.sku,
        "value": f"{p.value:f}",
        "effective_from": p.effective_from.isoformat(),
        "created_by": p.created_by,
    }


def invoice_view(i: Invoice) -> dict[str, Any]:
    return invoice_document(i)


def payment_state(app: App, session: Any, invoice: Invoice) -> dict[str, Any]:
    """Where the invoice stands: paid, outstanding, and its e-invoice's lifecycle."""
    einvoice = app.documents.status_of(session, invoice.id)
    if invoice.kind == "credit_note":
        zero = "0.00"
        return {"status": "n/a", "paid": zero, "outstanding": zero, "einvoice_status": einvoice}
    balance = app.payments.balance(session, invoice)
    return {
        "status": balance.status(app.clock.now().date()),
        "paid": f"{balance.paid:f}",
        "outstanding": f"{balance.outstanding:f}",
        "einvoice_status": einvoice,
    }


def usage_view(r: RatedSegment, caller: Caller) -> dict[str, Any]:
    """A customer sees what it pays; its partner also sees what it pays the operator."""
    s = r.segment
    row = {
        "customer_id": s.customer_id,
        "project_id": s.project_id,
        "server_id": s.server_id,
        "sku": s.sku,
        "region": s.region,
        "start": s.start.isoformat(),
        "end": s.end.isoformat(),
        "quantity": f"{r.quantity:f}",
        "unit": r.unit,
        "resale_unit_price": f"{r.resale_price:f}",
        "resale_amount": f"{r.resale_amount:f}",
        "reservation_id": r.reservation_id,
    }
    if caller.actor.org_kind is not OrgKind.CUSTOMER:
        row |= {
            "wholesale_unit_price": f"{r.wholesale_price:f}",
            "wholesale_amount": f"{r.wholesale_amount:f}",
        }
    if caller.actor.org_kind is OrgKind.OPERATOR:
        row |= {"list_unit_price": f"{r.list_price:f}", "list_amount": f"{r.list_amount:f}"}
    return row


@router.get("/prices", **answers(Items[PriceOut]))
def list_prices(request: Request, layer: str | None = None) -> Any:
    app = app_of(request)
    return run(
        request,
        lambda s, c: JSONResponse(
            {"items": [price_view(p) for p in app.prices.list_prices(s, c, layer)]}
        ),
    )


@router.get("/price-changes", **answers(Items[PriceOut]))
def list_price_changes(request: Request) -> Any:
    """List price history: the changes, past and scheduled."""
    app = app_of(request)
    return run(
        request,
        lambda s, c: JSONResponse(
            {"items": [price_view(p) for p in app.prices.list_prices(s, c, "list")]}
        ),
    )


@router.post("/prices", status_code=201, **answers(PriceOut))
def set_price(body: PriceBody, request: Request) -> Any:
    return create(
        request,
        lambda a, s, c: a.prices.set_price(s, c, **body.model_dump()),
        price_view,
        AuditAction.PRICE_SET,
    )


@router.post("/price-changes", status_code=201, **answers(list[PriceOut]))
def price_change(body: PriceChangeBody, request: Request) -> Any:
    app = app_of(request)
    return run(
        request,
        lambda s, c: [
            price_view(p)
            for p in app.prices.price_change(
                s,
                c,
                sku=body.sku,
                list_price=body.list,
                effective_from=body.effective_from,
                wholesale=body.wholesale,
            )
        ],
        write=True,
        action=AuditAction.PRICE_CHANGE,
        target_type="price",
    )


PARQUET = "application/vnd.apache.parquet"


@router.get(
    "/usage",
    **answers(Items[UsageOut]),
    responses={
        200: {
            "content": {
                "text/csv": {"schema": {"type": "string"}},
                PARQUET: {"schema": {"type": "string", "format": "binary"}},
            }
        }
    },
)
def usage(
    request: Request,
    month: MonthText = Month,
    project_id: str | None = None,
    format: str = Query("json", pattern="^(json|csv|parquet)$"),
) -> Any:
    """Rated usage. JSON shows each caller its own prices; CSV and Parquet are the
    operator's cost-and-usage file."""
    app = app_of(request)

    def work(session: Any, caller: Any) -> Any:
        rated = app.reports.usage(session, caller, month, project_id)
        if format == "json":
            return JSONResponse({"items": [usage_view(r, caller) for r in rated]})
        if caller.actor.org_kind is not OrgKind.OPERATOR:
            raise Forbidden("the cost-and-usage file is the operator's; use JSON")
        columns = usage_columns(rated)
        if format == "csv":
            return Response(columns_csv(USAGE_COLUMNS, columns), media_type="text/csv")
        return Response(columns_parquet(columns), media_type=PARQUET)

    return run(request, work)


@router.get("/usage/summary", **answers(UsageSummaryOut))
def usage_summary(request: Request, month: MonthText = Month) -> Any:
    """Cost so far this month at the caller's price, and a straight-line forecast."""
    app = app_of(request)

    return run(request, lambda s, c: app.reports.month_to_date(s, c, month))


@router.get("/invoices", **answers(Page[InvoiceOut]))
def list_invoices(
    request: Request,
    limit: int = Limit,
    marker: str | None = None,
    kind: str | None = None,
    number: str | None = None,
) -> Any:
    return listing(
        request,
        lambda a, s, c: a.invoices.list_invoices(
            s, c, limit=limit, marker=marker, kind=kind, number=number
        ),
        invoice_view,
        limit,
    )


@router.get("/invoices/{invoice_id}", **answers(InvoiceOut))
def get_invoice(invoice_id: str, request: Request) -> Any:
    app = app_of(request)

    def work(session: Any, caller: Any) -> dict[str, Any]:
        invoice, lines = app.invoices.get_invoice(session, caller, invoice_id)
        return {**invoice_document(invoice, lines), "payment": payment_state(app, session, invoice)}

    return run(request, work)


@router.post("/credit-notes", status_code=201, **answers(InvoiceOut))
def credit_note(body: CreditNoteBody, request: Request) -> Any:
    app = app_of(request)
    return run(
        request,
        lambda s, c: invoice_view(app.issuing.credit_note(s, c, body.invoice_id, body.reason)),
        write=True,
        action=AuditAction.CREDIT_NOTE_CREATE,
        target_type="invoice",
        target_id=body.invoice_id,
    )


@router.get("/credit-notes", **answers(Page[InvoiceOut]))
def list_credit_notes(request: Request, limit: int = Limit, marker: str | None = None) -> Any:
    return listing(
        request,
        lambda a, s, c: a.invoices.list_invoices(
            s, c, limit=limit, marker=marker, kind="credit_note"
        ),
        invoice_view,
        limit,
    )


@router.get(
    "/reports/reconciliation",
    response_class=Response,
    responses={200: {"content": {"text/csv": {"schema": {"type": "string"}}}}},
)
def reconciliation(request: Request, month: MonthText = Month) -> Any:
    """One CSV row per line of the invoices the caller receives or issues for the month:
    what a partner matches against its own books."""
    app = app_of(request)

    def work(session: Any, caller: Any) -> Response:
        documents = app.invoices.visible_month_documents(session, caller, month)
        text = csv_text(RECONCILIATION_COLUMNS, reconciliation_rows(documents))
        return Response(text, media_type="text/csv")

    return run(request, work)


@router.get("/reports/margins", **answers(MarginsOut))
def margin_report(request: Request, month: MonthText = Month) -> Any:
    app = app_of(request)

    def work(session: Any, caller: Any) -> dict[str, Any]:
        rows = app.reports.margin_report(session, caller, month)
        return {
            "month": month,
            "items": [
                {
                    "partner_id": m.partner_id,
                    "customer_id": m.customer_id,
                    "sku": m.sku,
                    "wholesale": f"{m.wholesale:f}",
                    "resale": f"{m.resale:f}",
                    "margin": f"{m.margin:f}",
                }
                for m in rows
            ],
        }

    return run(request, work)
