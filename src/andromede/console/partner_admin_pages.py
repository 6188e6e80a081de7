"""The operator's partners: tier, kind, how many customers, last month's wholesale
revenue; a new partner with its SIREN and VAT number checked as they are typed (and by
the service, which decides)."""

from collections.abc import Mapping
from datetime import date
from typing import Any

from fastapi import Depends, Form, Request
from fastapi.responses import Response
from sqlalchemy.orm import Session

from andromede.api.context import app_of
from andromede.audit.actions import AuditAction
from andromede.console.areas import staff_only
from andromede.console.figures import last_months
from andromede.console.forms import Company, company_form, submit
from andromede.console.web import area_router, go, page
from andromede.tenancy.inputs import PARTNER_KINDS, PARTNER_TIERS, PartnerInput
from andromede.tenancy.scope import Caller

router = area_router()

MOST = 1000


def _partners(app: Any, session: Session, caller: Caller) -> Mapping[str, Any]:
    staff_only(caller)
    month = last_months(app.clock.now().date(), 2)[0]
    first = date(int(month[:4]), int(month[5:]), 1)
    return {
        "partners": app.tenancy.list_partners(session, caller, limit=MOST, marker=None),
        "customers": app.tenancy.customers_per_partner(session),
        "revenue": app.invoices.wholesale_billed(session, caller, period=first),
        "month": month,
        "kinds": PARTNER_KINDS,
        "tiers": PARTNER_TIERS,
    }


@router.get("/operator/partners")
def partners(request: Request) -> Response:
    app = app_of(request)
    return page(request, "operator_partners.html", lambda s, c: _partners(app, s, c))


@router.post("/operator/partners")
def create_partner(
    request: Request,
    csrf: str = Form(""),
    company: Company = Depends(company_form),
    kind: str = Form("reseller"),
    tier: str = Form("registered"),
) -> Response:
    app = app_of(request)
    data = PartnerInput(**company.identity(), kind=kind, tier=tier)
    values = company.values() | {"kind": kind, "tier": tier}
    return submit(
        request,
        csrf,
        lambda s, c: app.tenancy.create_partner(s, c, data),
        lambda _: go("/operator/partners"),
        action=AuditAction.PARTNER_CREATE,
        again=("operator_partners.html", lambda s, c: _partners(app, s, c)),
        values=values,
    )


@router.post("/operator/partners/{partner_id}")
def update_partner(
    request: Request,
    partner_id: str,
    csrf: str = Form(""),
    kind: str = Form(""),
    tier: str = Form(""),
) -> Response:
    app = app_of(request)
    changes = {"kind": kind or None, "tier": tier or None}
    return submit(
        request,
        csrf,
        lambda s, c: app.tenancy.update_partner(s, c, partner_id, changes),
        lambda _: go("/operator/partners"),
        action=AuditAction.PARTNER_UPDATE,
        target_id=partner_id,
        again=("operator_partners.html", lambda s, c: _partners(app, s, c)),
    )
