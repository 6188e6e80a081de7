"""A partner's resale prices (a markup on list prices, explicit prices per SKU, a discount
per customer), what it sold in reservations and commitments, and the month's
reconciliation file of the invoices it receives and issues."""

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from fastapi import Form, Request
from fastapi.responses import Response
from sqlalchemy.orm import Session

from andromede.api.context import app_of
from andromede.audit.actions import AuditAction
from andromede.billing.exports import RECONCILIATION_COLUMNS, csv_text, reconciliation_rows
from andromede.console.areas import partner_of
from andromede.console.figures import last_months
from andromede.console.forms import submit
from andromede.console.web import act, area_router, go, page
from andromede.kernel.errors import ValidationFailed
from andromede.tenancy.scope import Caller

router = area_router()

MOST = 1000
KINDS = ("markup", "price", "customer-discount")


def _resale(app: Any, session: Session, caller: Caller) -> Mapping[str, Any]:
    partner_id = partner_of(caller)
    customers = app.tenancy.list_customers(session, caller, limit=MOST, marker=None)
    reservations = app.reservations.list_reservations(session, caller, limit=MOST, marker=None)
    commitments = app.commitments.list_commitments(session, caller, limit=MOST, marker=None)
    return {
        "prices": app.prices.list_prices(session, caller, "resale"),
        "customers": customers,
        "names": {c.id: c.name for c in customers},
        "kinds": KINDS,
        "partner_id": partner_id,
        "reservations": reservations,
        "utilization": {
            r.id: app.reservation_reports.utilization(session, r) for r in reservations
        },
        "commitments": app.commitments.views(session, commitments),
        "months": last_months(app.clock.now().date(), 3),
    }


@router.get("/partner/resale")
def resale(request: Request) -> Response:
    app = app_of(request)
    return page(request, "partner_resale.html", lambda s, c: _resale(app, s, c))


@router.post("/partner/resale")
def set_resale_price(
    request: Request,
    csrf: str = Form(""),
    kind: str = Form("markup"),
    customer_id: str = Form(""),
    sku: str = Form(""),
    value: str = Form(""),
    effective_from: str = Form(""),
) -> Response:
    """``markup`` and ``price`` apply to every customer of the partner; a
    ``customer-discount`` to the one customer chosen."""
    app = app_of(request)

    def change(session: Session, caller: Caller) -> object:
        when = None
        if effective_from:
            try:
                when = datetime.strptime(effective_from, "%Y-%m-%d").replace(tzinfo=UTC)
            except ValueError:
                raise ValidationFailed.one("effective_from", "must be a date") from None
        scope = customer_id if kind == "customer-discount" else partner_of(caller)
        return app.prices.set_price(
            session,
            caller,
            layer="resale",
            kind=kind,
            scope=scope,
            sku=sku if kind == "price" else "",
            value=value,
            effective_from=when,
        )

    values = {"kind": kind, "customer_id": customer_id, "sku": sku, "value": value}
    return submit(
        request,
        csrf,
        change,
        lambda _: go("/partner/resale"),
        action=AuditAction.PRICE_SET,
        target_type="price",
        again=("partner_resale.html", lambda s, c: _resale(app, s, c)),
        values=values,
    )


@router.get("/partner/reconciliation/{month}.csv")
def reconciliation(request: Request, month: str) -> Response:
    """One row per line of the invoices the partner receives or issues for the month."""
    app = app_of(request)

    def fetch(session: Session, caller: Caller) -> str:
        partner_of(caller)
        documents = app.invoices.visible_month_documents(session, caller, month)
        return csv_text(RECONCILIATION_COLUMNS, reconciliation_rows(documents))

    disposition = f'attachment; filename="reconciliation-{month}.csv"'
    return Response(
        act(request, fetch), media_type="text/csv", headers={"content-disposition": disposition}
    )
