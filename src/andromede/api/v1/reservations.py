"""/v1 reservations, reservation offers, prepaid commitments and the reservations report."""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING, Any

from fastapi import Query, Request
from fastapi.responses import JSONResponse
from pydantic import Field

from andromede.api.context import app_of, page, run
from andromede.api.v1.money_responses import (
    CommitmentOut,
    OfferOut,
    ReservationOut,
    ReservationReportOut,
)
from andromede.api.v1.responses import Items, Page, answers
from andromede.api.v1.router import v1_router
from andromede.api.v1.schemas import Body, Count, Instant, Limit, MonthText
from andromede.audit.actions import AuditAction
from andromede.kernel.errors import ValidationFailed
from andromede.prepaid.reservation_service import Purchase
from andromede.tenancy.scope import OrgKind

if TYPE_CHECKING:
    from andromede.prepaid.reservation_service import ReservationRow
    from andromede.tenancy.scope import Caller

router = v1_router(tags=["reservations"])
RATE_PLACES = Decimal("0.00000001")


class ReservationBody(Body):
    customer_id: str | None = None
    flavor: str
    region: str
    count: Count = 1
    term: str
    payment: str
    starts_at: Instant | None = None
    service_code: str | None = Field(None, max_length=200)  # Chorus Pro (BT-10), over the
    commitment_number: str | None = Field(None, max_length=200)  # customer's own (BT-13)


class CommitmentBody(Body):
    customer_id: str | None = None
    amount: str = Field(max_length=40)
    months: Count
    bonus: str = Field("0", max_length=40)
    service_code: str | None = Field(None, max_length=200)
    commitment_number: str | None = Field(None, max_length=200)


def _customer(caller: Caller, customer_id: str | None) -> str:
    """A customer's own id by default; partners and the operator name the customer."""
    if customer_id:
        return customer_id
    if caller.actor.org_kind is OrgKind.CUSTOMER and caller.actor.customer_id:
        return caller.actor.customer_id
    raise ValidationFailed.one("customer_id", "name the customer")


def _rate(value: Decimal) -> str:
    """As stored (8 decimals), whether the row was just written or read back."""
    return f"{value.quantize(RATE_PLACES):f}"


def reservation_view(r: ReservationRow, caller: Caller) -> dict[str, Any]:
    layer = "list" if caller.actor.org_kind is OrgKind.OPERATOR else "resale"
    view = {
        "id": r.id,
        "number": r.number,
        "customer_id": r.customer_id,
        "partner_id": r.partner_id,
        "flavor": r.flavor,
        "family": r.family,
        "region": r.region,
        "size_units": r.size_units,
        "count": r.count,
        "term": r.term,
        "payment": r.payment,
        "starts_at": r.starts_at.isoformat(),
        "ends_at": r.ends_at.isoformat(),
        "upfront": _rate(getattr(r, f"{layer}_upfront")),
        "hourly": _rate(getattr(r, f"{layer}_hourly")),
        "upfront_invoiced": r.upfront_invoiced,
    }
    if caller.actor.org_kind is not OrgKind.CUSTOMER:
        view |= {
            "wholesale_upfront": _rate(r.wholesale_upfront),
            "wholesale_hourly": _rate(r.wholesale_hourly),
        }
    return view


@router.get("/reservation-offers", **answers(Items[OfferOut]))
def reservation_offers(
    request: Request,
    customer_id: str | None = None,
    flavor: str | None = None,
    region: str | None = None,
) -> Any:
    """What can be bought, at the customer's price (a partner also sees its own)."""
    app = app_of(request)
    return run(
        request,
        lambda s, c: JSONResponse(
            {
                "items": app.reservations.offers(
                    s, c, _customer(c, customer_id), flavor=flavor, region=region
                )
            }
        ),
    )


@router.post("/reservations", status_code=201, **answers(ReservationOut))
def buy_reservation(body: ReservationBody, request: Request) -> Any:
    app = app_of(request)

    def work(session: Any, caller: Any) -> Any:
        purchase = Purchase(
            _customer(caller, body.customer_id),
            body.flavor,
            body.region,
            body.count,
            body.term,
            body.payment,
            body.starts_at,
            body.service_code,
            body.commitment_number,
        )
        row = app.reservations.buy(session, caller, purchase)
        app.issuing.issue_prepaid(session, row.id)  # its upfront part, if it starts now
        return reservation_view(row, caller)

    return run(
        request, work, write=True, action=AuditAction.RESERVATION_BUY, target_type="reservation"
    )


@router.get("/reservations", **answers(Page[ReservationOut]))
def list_reservations(
    request: Request, limit: int = Limit, marker: str | None = None, customer_id: str | None = None
) -> Any:
    app = app_of(request)

    def work(session: Any, caller: Any) -> Any:
        rows = app.reservations.list_reservations(
            session, caller, limit=limit, marker=marker, customer_id=customer_id
        )
        return page(rows, limit, lambda r: reservation_view(r, caller))

    return run(request, work)


@router.get("/reservations/{reservation_id}", **answers(ReservationOut))
def show_reservation(reservation_id: str, request: Request) -> Any:
    """The reservation and its utilization from the start of its term to now."""
    app = app_of(request)

    def work(session: Any, caller: Any) -> Any:
        row = app.reservations.get(session, caller, reservation_id)
        return reservation_view(row, caller) | {
            "utilization": app.reservation_reports.utilization(session, row)
        }

    return run(request, work)


@router.get("/reports/reservations", **answers(ReservationReportOut))
def reservations_report(
    request: Request,
    month: MonthText = Query(..., description="YYYY-MM"),
    customer_id: str | None = None,
) -> Any:
    app = app_of(request)
    return run(
        request,
        lambda s, c: app.reservation_reports.report(s, c, _customer(c, customer_id), month),
    )


@router.post("/commitments", status_code=201, **answers(CommitmentOut))
def buy_commitment(body: CommitmentBody, request: Request) -> Any:
    app = app_of(request)

    def work(session: Any, caller: Any) -> Any:
        row = app.commitments.buy(
            session,
            caller,
            customer_id=_customer(caller, body.customer_id),
            amount=body.amount,
            months=body.months,
            bonus=body.bonus,
            service_code=body.service_code,
            commitment_number=body.commitment_number,
        )
        app.issuing.issue_prepaid(session, row.id)  # the payment, invoiced with the purchase
        return app.commitments.view(session, row, draws=True)

    return run(
        request, work, write=True, action=AuditAction.COMMITMENT_BUY, target_type="commitment"
    )


@router.get("/commitments", **answers(Page[CommitmentOut]))
def list_commitments(
    request: Request, limit: int = Limit, marker: str | None = None, customer_id: str | None = None
) -> Any:
    app = app_of(request)

    def work(session: Any, caller: Any) -> Any:
        rows = app.commitments.list_commitments(
            session, caller, limit=limit, marker=marker, customer_id=customer_id
        )
        docs = {doc["id"]: doc for doc in app.commitments.views(session, rows)}
        return page(rows, limit, lambda row: docs[row.id])

    return run(request, work)


@router.get("/commitments/{commitment_id}", **answers(CommitmentOut))
def show_commitment(commitment_id: str, request: Request) -> Any:
    """Balance, what each month drew, expiry and what would be forfeited."""
    app = app_of(request)
    return run(
        request,
        lambda s, c: app.commitments.view(s, app.commitments.get(s, c, commitment_id), draws=True),
    )
