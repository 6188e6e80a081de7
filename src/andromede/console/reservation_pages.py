"""A customer's reservations and prepaid commitments: what it holds with utilization and
coverage this month, recommendations from its last 30 days, offers for a flavor and
region compared with on-demand, and buying one (its upfront part invoiced at once, as
on the API)."""

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from fastapi import Form, Request
from fastapi.responses import Response
from sqlalchemy.orm import Session

from andromede.api.context import app_of
from andromede.audit.actions import AuditAction
from andromede.console.areas import customer_of
from andromede.console.forms import submit
from andromede.console.web import area_router, go, page
from andromede.kernel.errors import ValidationFailed
from andromede.prepaid.reservation_service import Purchase
from andromede.tenancy.scope import Caller

router = area_router()

MOST = 1000


def _savings(offer: Mapping[str, Any]) -> Decimal | None:
    """How much cheaper than on-demand, as a share (0.28: 28 % less)."""
    price = offer["price"]
    on_demand = Decimal(price["on_demand_hourly"])
    if on_demand <= 0:
        return None
    return 1 - Decimal(price["effective_hourly"]) / on_demand


def _reservations(
    app: Any, session: Session, caller: Caller, flavor: str, region: str
) -> Mapping[str, Any]:
    customer_id = customer_of(caller)
    month = app.clock.now().strftime("%Y-%m")
    flavors = [f.name for f in app.catalog.all_flavors(session)]
    regions = [r.code for r in app.catalog.all_regions(session)]
    chosen = (flavor or (flavors[0] if flavors else ""), region or (regions[0] if regions else ""))
    offers = app.reservations.offers(session, caller, customer_id, chosen[0], chosen[1])
    commitments = app.commitments.list_commitments(
        session, caller, limit=MOST, marker=None, customer_id=customer_id
    )
    report = app.reservation_reports.report(session, caller, customer_id, month)
    return {
        "report": report,
        "held": app.reservations.list_reservations(
            session, caller, limit=MOST, marker=None, customer_id=customer_id
        ),
        "usage": {r["id"]: r for r in report["reservations"]},
        "offers": [(o, _savings(o)) for o in offers],
        "flavors": flavors,
        "regions": regions,
        "chosen": chosen,
        "commitments": app.commitments.views(session, commitments),
        "month": month,
    }


@router.get("/reservations")
def reservations(request: Request, flavor: str = "", region: str = "") -> Response:
    app = app_of(request)
    return page(request, "reservations.html", lambda s, c: _reservations(app, s, c, flavor, region))


@router.post("/reservations")
def buy(
    request: Request,
    csrf: str = Form(""),
    flavor: str = Form(""),
    region: str = Form(""),
    term: str = Form(""),
    payment: str = Form(""),
    count: str = Form("1"),
) -> Response:
    app = app_of(request)

    def purchase(session: Session, caller: Caller) -> str:
        if not count.isdigit():
            raise ValidationFailed.one("count", "must be a whole number")
        bought = Purchase(customer_of(caller), flavor, region, int(count), term, payment)
        row = app.reservations.buy(session, caller, bought)
        app.issuing.issue_prepaid(session, row.id)  # its upfront part, if it starts now
        return str(row.id)

    return submit(
        request,
        csrf,
        purchase,
        lambda _: go("/reservations?bought=1"),
        action=AuditAction.RESERVATION_BUY,
        target_type="reservation",
        again=("reservations.html", lambda s, c: _reservations(app, s, c, flavor, region)),
    )
