"""The operator's price lists and the price-change form: a dry run first (what the change
would have done to a past month: operator revenue, each partner's margin, each
customer's bill), then the change itself from a date, on the same services as the CLI."""

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from fastapi import Form, Request
from fastapi.responses import Response
from sqlalchemy.orm import Session

from andromede.api.context import app_of
from andromede.audit.actions import AuditAction
from andromede.catalog.pricing import EPOCH
from andromede.console.forms import submit
from andromede.console.web import area_router, error_text, go, page
from andromede.kernel.errors import ValidationFailed
from andromede.kernel.months import previous_month
from andromede.tenancy.scope import Caller, Permission, require

router = area_router()


def _lists(app: Any, session: Session, caller: Caller) -> dict[str, Any]:
    """Every entry in force or scheduled, the catalog's defaults included."""
    require(caller, Permission.MANAGE_CATALOG)
    entries = sorted(app.prices.price_entries(session), key=lambda e: (e.sku, e.effective_from))
    listed = [e for e in entries if e.layer == "list"]
    return {
        "prices": listed,
        "skus": sorted({e.sku for e in listed}),
        "wholesale": [e for e in entries if e.layer == "wholesale"],
        "epoch": EPOCH,
    }


@router.get("/operator/prices")
def prices(
    request: Request,
    sku: str = "",
    list_price: str = "",
    wholesale: str = "follow",
    month: str = "",
) -> Response:
    """With ``sku`` and ``list_price``: the dry run of that change, shown under the form."""
    app = app_of(request)

    def fetch(session: Session, caller: Caller) -> Mapping[str, Any]:
        context = _lists(app, session, caller)
        chosen = month or previous_month(app.clock.now())
        values = {"sku": sku, "list_price": list_price, "wholesale": wholesale, "month": chosen}
        context |= {"values": values, "impact": None, "error": None}
        if sku and list_price:
            try:
                context["impact"] = app.reports.preview_price_change(
                    session,
                    caller,
                    sku=sku,
                    list_price=list_price,
                    wholesale=wholesale,
                    month=chosen,
                )
            except ValidationFailed as exc:
                context["error"] = error_text(request, exc)
            context["partners"] = {p.id: p.name for p in app.tenancy.all_partners(session)}
            context["customers"] = {c.id: c.name for c in app.tenancy.all_customers(session)}
        return context

    return page(request, "operator_prices.html", fetch)


@router.post("/operator/prices")
def change_price(
    request: Request,
    csrf: str = Form(""),
    sku: str = Form(""),
    list_price: str = Form(""),
    wholesale: str = Form("follow"),
    effective_from: str = Form(""),
) -> Response:
    app = app_of(request)

    def change(session: Session, caller: Caller) -> object:
        try:
            day = datetime.strptime(effective_from, "%Y-%m-%d").replace(tzinfo=UTC)
        except ValueError:
            raise ValidationFailed.one("effective_from", "must be a date (YYYY-MM-DD)") from None
        return app.prices.price_change(
            session,
            caller,
            sku=sku,
            list_price=list_price,
            effective_from=day,
            wholesale=wholesale,
        )

    values = {
        "sku": sku,
        "list_price": list_price,
        "wholesale": wholesale,
        "effective_from": effective_from,
    }
    return submit(
        request,
        csrf,
        change,
        lambda _: go(f"/operator/prices?changed={sku}"),
        action=AuditAction.PRICE_CHANGE,
        target_type="price",
        again=("operator_prices.html", lambda s, c: {**_lists(app, s, c), "impact": None}),
        values=values,
    )
