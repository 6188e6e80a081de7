"""A partner's console: its customers (create them, then their projects and users, acting
on their behalf under a banner that says so), its margins month by month, and the
invoices it receives from the operator and issues to its customers."""

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from fastapi import Depends, Form, Request
from fastapi.responses import Response
from markupsafe import Markup
from sqlalchemy.orm import Session

from andromede.api.context import app_of
from andromede.audit.actions import AuditAction
from andromede.console.account_pages import new_user
from andromede.console.areas import partner_of
from andromede.console.charts import Series, bar_chart
from andromede.console.figures import last_months, short_month
from andromede.console.forms import Company, company_form, submit
from andromede.console.invoice_pages import invoice_states
from andromede.console.web import area_router, formats, go, page
from andromede.tenancy.inputs import CustomerInput
from andromede.tenancy.scope import Caller

router = area_router()

MOST = 1000
ROLES = ("customer-admin", "customer-member", "customer-viewer")


def _customers(app: Any, session: Session, caller: Caller) -> Mapping[str, Any]:
    partner_of(caller)
    return {"customers": app.tenancy.list_customers(session, caller, limit=MOST, marker=None)}


@router.get("/partner")
def customers(request: Request) -> Response:
    app = app_of(request)
    return page(request, "partner_customers.html", lambda s, c: _customers(app, s, c))


@router.post("/partner/customers")
def create_customer(
    request: Request,
    csrf: str = Form(""),
    company: Company = Depends(company_form),
    public_sector: str = Form(""),
) -> Response:
    app = app_of(request)
    data = CustomerInput(**company.identity(), public_sector=public_sector == "on")
    return submit(
        request,
        csrf,
        lambda s, c: app.tenancy.create_customer(s, c, partner_of(c), data).id,
        lambda customer_id: go(f"/partner/customers/{customer_id}"),
        action=AuditAction.CUSTOMER_CREATE,
        again=("partner_customers.html", lambda s, c: _customers(app, s, c)),
        values=company.values(),
    )


def _customer_view(
    app: Any, session: Session, caller: Caller, customer_id: str
) -> Mapping[str, Any]:
    partner_of(caller)
    customer = app.tenancy.get_customer(session, caller, customer_id)
    projects = app.tenancy.list_projects(
        session, caller, limit=MOST, marker=None, customer_id=customer.id
    )
    servers = [
        server
        for project in projects
        for server in app.servers.browse(
            session, caller, sort="name", offset=0, limit=MOST, project_id=project.id
        )[0]
    ]
    return {
        "customer": customer,
        "projects": projects,
        "servers": servers,
        "project_names": {p.id: p.name for p in projects},
        "users": [
            u
            for u in app.users.list_users(session, caller, limit=MOST, marker=None)
            if u.customer_id == customer.id
        ],
        "roles": ROLES,
        "aobo": customer.name,
    }


@router.get("/partner/customers/{customer_id}")
def customer(request: Request, customer_id: str) -> Response:
    app = app_of(request)
    return page(
        request, "partner_customer.html", lambda s, c: _customer_view(app, s, c, customer_id)
    )


@router.post("/partner/customers/{customer_id}/projects")
def create_project(
    request: Request, customer_id: str, csrf: str = Form(""), name: str = Form("")
) -> Response:
    app = app_of(request)
    return submit(
        request,
        csrf,
        lambda s, c: app.tenancy.create_project(s, c, customer_id, name),
        lambda _: go(f"/partner/customers/{customer_id}"),
        action=AuditAction.PROJECT_CREATE,
        again=("partner_customer.html", lambda s, c: _customer_view(app, s, c, customer_id)),
        values={"project": name},
    )


@router.post("/partner/customers/{customer_id}/users")
def create_user(
    request: Request,
    customer_id: str,
    csrf: str = Form(""),
    username: str = Form(""),
    password: str = Form(""),
    role: str = Form("customer-member"),
) -> Response:
    app = app_of(request)
    again = ("partner_customer.html", lambda s, c: _customer_view(app, s, c, customer_id))
    back = f"/partner/customers/{customer_id}"
    return new_user(request, csrf, (username, password, role), lambda _: customer_id, back, again)


@router.get("/partner/margins")
def margins(request: Request) -> Response:
    app = app_of(request)
    _ = formats(request).gettext
    title = _("Resale revenue (bars) and wholesale cost (line) per month")

    def fetch(session: Session, caller: Caller) -> Mapping[str, Any]:
        partner_of(caller)
        months = last_months(app.clock.now().date(), 6)
        rows = [app.reports.margin_report(session, caller, m) for m in months]
        resale = [sum((r.resale for r in month), Decimal(0)) for month in rows]
        wholesale = [sum((r.wholesale for r in month), Decimal(0)) for month in rows]
        names = {
            c.id: c.name
            for c in app.tenancy.list_customers(session, caller, limit=MOST, marker=None)
        }
        invoices = app.invoices.list_invoices(session, caller, limit=MOST, marker=None)
        return {
            "months": list(zip(months, resale, wholesale, strict=True)),
            "chart": Markup(
                bar_chart(Series([short_month(m) for m in months], resale, wholesale), title)
            ),
            "current": rows[-1],
            "names": names,
            "received": [i for i in invoices if i.kind == "wholesale"],
            "issued": [i for i in invoices if i.kind in ("resale", "credit_note")],
            "states": invoice_states(app, session, invoices),
        }

    return page(request, "partner_margins.html", fetch)
