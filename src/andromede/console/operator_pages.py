"""The operator's dashboard, what management reads: servers running now and month by
month, revenue invoiced and the run-rate, both against the business plan; the share of
partners really active; capacity per zone with the hosts nearly full. Every figure is a
count or a total (staff see no customer's resources without a grant), read from the
figures stored per finished day, never from a year of raw events on each view."""

from collections.abc import Mapping
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from fastapi import Form, Request
from fastapi.responses import Response
from markupsafe import Markup
from sqlalchemy.orm import Session

from andromede.api.context import app_of
from andromede.audit.actions import AuditAction
from andromede.billing.plan import quarter_of
from andromede.console.areas import staff_only
from andromede.console.charts import Series, bar_chart
from andromede.console.figures import (
    active_share,
    capacity,
    last_months,
    monthly_average,
    short_month,
)
from andromede.console.forms import submit
from andromede.console.web import area_router, formats, go, page
from andromede.tenancy.scope import Caller

router = area_router()

MOST = 10_000
ACTIVE_THRESHOLD = Decimal("100")  # EUR excl. VAT over 90 days


def _dashboard(app: Any, session: Session, caller: Caller, _: Any) -> Mapping[str, Any]:
    staff_only(caller)
    today = app.clock.now().date()
    months = last_months(today, 12)
    labels = [short_month(m) for m in months]
    since = today - timedelta(days=400)
    revenue_by_month = app.invoices.operator_revenue(session, caller, since.replace(day=1))
    daily = app.metering.daily(session, since)
    plan = app.plans.against_plan(session, caller, revenue_by_month, daily)
    targets = {line.quarter: line for line in plan}
    running = monthly_average([(d.day, d.average_running) for d in daily], months)
    revenue = [revenue_by_month.get(m, Decimal(0)) for m in months]

    def target(month: str, pick: Any) -> Decimal:
        line = targets.get(quarter_of(_first_day(month)))
        return pick(line) if line else Decimal(0)

    server_targets = [target(m, lambda x: Decimal(x.servers_target)) for m in months]
    revenue_targets = [target(m, lambda x: x.revenue_target / 3) for m in months]
    billed = app.invoices.wholesale_billed(session, caller, issued_after=today - timedelta(days=90))
    partners = app.tenancy.all_partners(session)
    active, total = active_share(billed, [p.id for p in partners], ACTIVE_THRESHOLD)
    hosts = app.hosts.list_hosts(session, caller, limit=MOST, marker=None)
    servers_title = _("Servers running (monthly average) and the plan's target")
    revenue_title = _("Revenue invoiced per month, excluding VAT, and the plan's target")
    return {
        "counts": app.servers.status_counts(session),
        "months": list(zip(months, running, server_targets, revenue, revenue_targets, strict=True)),
        "servers_chart": Markup(bar_chart(Series(labels, running, server_targets), servers_title)),
        "revenue_chart": Markup(bar_chart(Series(labels, revenue, revenue_targets), revenue_title)),
        "run_rate": app.plans.run_rate(session, caller),
        "plan": plan,
        "active": active,
        "partners": total,
        "threshold": ACTIVE_THRESHOLD,
        "capacity": capacity(hosts),
        "quarter": quarter_of(today),
    }


def _first_day(month: str) -> date:
    year, number = (int(x) for x in month.split("-"))
    return date(year, number, 1)


@router.get("/operator")
def dashboard(request: Request) -> Response:
    app = app_of(request)
    _ = formats(request).gettext
    return page(request, "operator_dashboard.html", lambda s, c: _dashboard(app, s, c, _))


@router.post("/operator/plan")
def set_plan(
    request: Request,
    csrf: str = Form(""),
    quarter: str = Form(""),
    servers: str = Form(""),
    revenue: str = Form(""),
) -> Response:
    app = app_of(request)
    _ = formats(request).gettext
    return submit(
        request,
        csrf,
        lambda s, c: app.plans.set_target(s, c, quarter, servers, revenue),
        lambda _row: go("/operator"),
        action=AuditAction.PLAN_SET,
        target_type="plan",
        target_id=quarter,
        again=("operator_dashboard.html", lambda s, c: _dashboard(app, s, c, _)),
        values={"quarter": quarter, "servers": servers, "revenue": revenue},
    )
