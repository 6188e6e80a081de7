"""The rest of a customer's console: costs and invoices, sovereignty (policy, staff
access requests to approve or deny, the transparency feed) and getting started."""

import shlex
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from fastapi import Form, Request
from fastapi.responses import JSONResponse, Response
from markupsafe import Markup
from sqlalchemy.orm import Session

from andromede.api.context import app_of
from andromede.api.v1.sovereignty import attestation_of, data_location_of
from andromede.audit.actions import AuditAction
from andromede.billing.exports import CUSTOMER_USAGE_COLUMNS, csv_text, customer_usage_rows
from andromede.console.areas import customer_of
from andromede.console.charts import Series, bar_chart
from andromede.console.devtest_pages import savings_of
from andromede.console.figures import by_day, last_months
from andromede.console.forms import submit
from andromede.console.invoice_pages import invoice_states
from andromede.console.web import act, area_router, formats, go, page
from andromede.kernel.tenants import TenantRef
from andromede.tenancy.scope import Caller

router = area_router()

MOST = 1000


@dataclass(frozen=True)
class Piece:
    start: datetime
    end: datetime
    amount: Decimal


def _short_sku(sku: str) -> str:
    """``compute:SCS-2V-4:fr-par-1`` → ``SCS-2V-4``; ``disk:fr-par-1`` → ``disk``: what
    fits under a bar (the table beside it names the SKU whole)."""
    kind, _, rest = sku.partition(":")
    return rest.split(":")[0] if kind == "compute" else kind


@router.get("/costs")
def costs(request: Request) -> Response:
    app = app_of(request)
    _ = formats(request).gettext

    def fetch(session: Session, caller: Caller) -> Mapping[str, Any]:
        now = app.clock.now()
        month = now.strftime("%Y-%m")
        summary = app.reports.month_to_date(session, caller, month)
        rated = app.reports.usage(session, caller, month)
        days = [date(now.year, now.month, d) for d in range(1, now.day + 1)]
        daily = by_day(
            (Piece(r.segment.start, r.segment.end, r.resale_amount) for r in rated), days
        )
        skus: dict[str, Decimal] = {}
        for r in rated:
            skus[r.segment.sku] = skus.get(r.segment.sku, Decimal(0)) + r.resale_amount
        title = _("Cost per day this month, excluding VAT")
        labels = [str(d.day) for d in days]
        top = sorted(skus.items(), key=lambda item: -item[1])[:8]
        by_sku = Series([_short_sku(sku) for sku, _amount in top], [a for _sku, a in top])
        invoices = app.invoices.list_invoices(session, caller, limit=MOST, marker=None)
        return {
            "sku_chart": Markup(bar_chart(by_sku, _("The eight largest SKUs this month"))),
            "month": month,
            "to_date": Decimal(summary["to_date"]),
            "forecast": Decimal(summary["forecast"]),
            "chart": Markup(bar_chart(Series(labels, daily), title)),
            "days": list(zip(days, daily, strict=True)),
            "skus": sorted(skus.items(), key=lambda item: -item[1]),
            "invoices": invoices,
            "states": invoice_states(app, session, invoices),
            "savings": savings_of(app, session, caller),
        }

    return page(request, "costs.html", fetch)


@router.get("/costs/usage.csv")
def usage_export(request: Request) -> Response:
    """The month's usage at the customer's own price, one row per priced piece."""
    app = app_of(request)

    def fetch(session: Session, caller: Caller) -> str:
        month = app.clock.now().strftime("%Y-%m")
        rated = app.reports.usage(session, caller, month)
        return csv_text(CUSTOMER_USAGE_COLUMNS, customer_usage_rows(rated))

    disposition = 'attachment; filename="usage.csv"'
    return Response(
        act(request, fetch), media_type="text/csv", headers={"content-disposition": disposition}
    )


@router.get("/sovereignty")
def sovereignty(request: Request) -> Response:
    app = app_of(request)

    def fetch(session: Session, caller: Caller) -> Mapping[str, Any]:
        customer = app.tenancy.get_customer(session, caller, customer_of(caller))
        ref = TenantRef(customer.partner_id, customer.id)
        requests = app.access.list_requests(
            session, caller, limit=MOST, marker=None, customer_id=customer.id
        )
        location = data_location_of(app, session, caller, customer.id)["resources"]
        return {
            "location": location,
            "history": app.sovereignty.list_policies(session, caller, limit=MOST, marker=None),
            "months": last_months(app.clock.now().date(), 4)[:-1],
            "signing": bool(app.settings.audit_key_file),
            "chain": app.sovereignty.chain(session, ref),
            "places": app.sovereignty.allowed_places(session, ref),
            "requests": [(r, app.access.state(r).value) for r in requests],
            "feed": app.access.access_log(session, caller, customer.id, limit=50, before_seq=None),
            "month": app.clock.now().strftime("%Y-%m"),
            "customer": customer,
        }

    return page(request, "sovereignty.html", fetch)


@router.get("/attestations/{month}.json")
def attestation_download(request: Request, month: str) -> JSONResponse:
    """The month's signed attestation: where every resource lived, under which policy."""
    app = app_of(request)
    document = act(request, lambda s, c: attestation_of(app, s, c, customer_of(c), month))
    disposition = f'attachment; filename="attestation-{month}.json"'
    return JSONResponse(document, headers={"content-disposition": disposition})


@router.post("/access-requests/{request_id}")
def decide_access(
    request: Request, request_id: str, csrf: str = Form(""), verb: str = Form("")
) -> Response:
    """approve or deny: the customer's admins decide; the service checks it."""
    app = app_of(request)
    audited = AuditAction.named(f"access_request.{verb}") or AuditAction.ACCESS_REQUEST_DENY
    return submit(
        request,
        csrf,
        lambda s, c: app.access.decide(s, c, request_id, verb),
        lambda _: go("/sovereignty"),
        action=audited,
        target_type="access_request",
        target_id=request_id,
    )


@router.get("/start")
def getting_started(request: Request) -> Response:
    app = app_of(request)

    def fetch(session: Session, caller: Caller) -> Mapping[str, Any]:
        projects = app.tenancy.list_projects(session, caller, limit=MOST, marker=None)
        return {"projects": projects, "auth_url": app.settings.base_url + "/identity"}

    return page(request, "start.html", fetch)


def _openstack_login(request: Request, project: str) -> dict[str, str]:
    """What the OpenStack tools need to sign in to one of the caller's projects (never
    the password: they ask for it, or it goes in secure.yaml)."""
    app = app_of(request)

    def fetch(session: Session, caller: Caller) -> dict[str, str]:
        chosen = app.tenancy.get_project(session, caller, project)
        customer = app.tenancy.get_customer(session, caller, chosen.customer_id)
        return {
            "auth_url": f"{app.settings.base_url}/identity",
            "username": caller.actor.username,
            "project": chosen.name,
            "domain": customer.name,
        }

    return act(request, fetch)


def _attachment(body: str, media: str, name: str) -> Response:
    return Response(
        body, media_type=media, headers={"content-disposition": f'attachment; filename="{name}"'}
    )


@router.get("/start/clouds.yaml")
def clouds_yaml(request: Request, project: str = "") -> Response:
    login = _openstack_login(request, project)
    body = (
        "clouds:\n"
        "  andromede:\n"
        "    auth:\n"
        f"      auth_url: {login['auth_url']}\n"
        f"      username: {login['username']}\n"
        f"      project_name: {login['project']}\n"
        "      user_domain_name: Default\n"
        f'      project_domain_name: "{login["domain"]}"\n'
        "    identity_api_version: 3\n"
    )
    return _attachment(body, "application/yaml", "clouds.yaml")


@router.get("/start/openrc.sh")
def openrc(request: Request, project: str = "") -> Response:
    login = _openstack_login(request, project)
    body = (
        "".join(
            f"export {name}={shlex.quote(value)}\n"
            for name, value in (
                ("OS_AUTH_URL", login["auth_url"]),
                ("OS_IDENTITY_API_VERSION", "3"),
                ("OS_USERNAME", login["username"]),
                ("OS_PROJECT_NAME", login["project"]),
                ("OS_USER_DOMAIN_NAME", "Default"),
                ("OS_PROJECT_DOMAIN_NAME", login["domain"]),
            )
        )
        + 'read -rsp "Password for $OS_USERNAME: " OS_PASSWORD && export OS_PASSWORD && echo\n'
    )
    return _attachment(body, "text/x-shellscript", "openrc.sh")
