"""/v1/price-alignment: their price lists, the flavor mappings, where we stand against
them, the policy, and following their cut (preview, then apply). The operator's admins'."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from fastapi import Query, Request
from pydantic import Field

from andromede.alignment.service import FollowInput
from andromede.api.context import app_of, run
from andromede.api.v1.responses import Amount, Items, Out, answers
from andromede.api.v1.router import v1_router
from andromede.api.v1.schemas import Body, Instant, MonthText
from andromede.audit.actions import AuditAction
from andromede.kernel.errors import ValidationFailed

if TYPE_CHECKING:
    from andromede.alignment.proposal import Proposal
    from andromede.alignment.report import Line
    from andromede.alignment.service import Preview, ReportResult
    from andromede.alignment.store import (
        AlignmentChange,
        AlignmentSettings,
        FlavorPin,
        ReferenceListRow,
    )
    from andromede.billing.impact import Impact

router = v1_router(tags=["price alignment"], prefix="/price-alignment")
IMPORTS = "/v1/price-alignment/imports"


class ReferenceOut(Out):
    id: str
    provider: str
    offer_code: str
    region: str
    version: str
    published: str
    currency: str
    rate: Amount
    rate_date: str
    source_format: str
    sha256: str
    types: int
    imported_at: str
    imported_by: str


class ReservedGapOut(Out):
    term: str
    payment: str
    ours_effective_hourly: Amount
    theirs_effective_hourly: Amount
    gap_pct: Amount | None


class LineOut(Out):
    flavor: str
    kind: str
    region: str
    their_type: str | None
    pinned: bool
    reason: str
    our_hourly: Amount
    their_hourly: Amount | None
    gap_pct: Amount | None
    gap_per_month: Amount | None
    reservations: list[ReservedGapOut]


class MixOut(Out):
    region: str
    ours_per_month: Amount
    theirs_per_month: Amount
    gap_pct: Amount | None
    flavors: dict[str, int]


class FamilyOut(Out):
    kind: str
    ours_per_month: Amount
    theirs_per_month: Amount
    gap_pct: Amount | None


class ReportOut(Out):
    reference: ReferenceOut
    hours_per_month: int
    currency: str
    lines: list[LineOut]
    typical_mix: list[MixOut]
    families: list[FamilyOut]


class PinOut(Out):
    flavor: str
    instance_type: str
    pinned_at: str
    pinned_by: str


class SettingsOut(Out):
    gap: Amount
    margin_floor: Amount
    notice_days: int
    updated_at: str
    updated_by: str


class MoveOut(Out):
    sku: str
    flavor: str
    region: str
    their_type: str
    theirs_before: Amount
    theirs_after: Amount
    list_before: Amount
    list_after: Amount


class RiskOut(Out):
    partner_id: str
    sku: str
    margin_rate_before: Amount
    margin_rate_after: Amount
    protected: bool
    margin_rate_final: Amount


class ImpactOut(Out):
    month: str
    operator_revenue: list[Amount]
    partner_margin: dict[str, list[Amount]]
    customer_bill: dict[str, list[Amount]]


class PreviewOut(Out):
    wholesale: str
    moves: list[MoveOut]
    named_partners: list[str]
    at_risk: list[RiskOut]
    impact: ImpactOut


class ChangeOut(Out):
    id: str
    before: str
    after: str
    gap: Amount
    wholesale: str
    margin_floor: Amount
    protect: bool
    effective_from: str
    moves: int
    protected_partners: list[str]
    applied_at: str
    applied_by: str


class PinBody(Body):
    instance_type: str = Field(min_length=1, max_length=40)


class SettingsBody(Body):
    gap: str | None = Field(None, max_length=20)
    margin_floor: str | None = Field(None, max_length=20)
    notice_days: int | None = None


class FollowBody(Body):
    before: str = Field(max_length=36)
    after: str = Field(max_length=36)
    wholesale: str = Field("follow", pattern="^(follow|hold)$")
    gap: str | None = Field(None, max_length=20)
    protect: bool = True


class PreviewBody(FollowBody):
    month: MonthText | None = None


class ApplyBody(FollowBody):
    effective_from: Instant


def reference_view(r: ReferenceListRow) -> dict[str, Any]:
    return {
        "id": r.id,
        "provider": r.provider,
        "offer_code": r.offer_code,
        "region": r.region,
        "version": r.version,
        "published": r.published.isoformat(),
        "currency": r.currency,
        "rate": f"{r.rate.normalize():f}",
        "rate_date": r.rate_date.isoformat(),
        "source_format": r.source_format,
        "sha256": r.digest,
        "types": r.type_count,
        "imported_at": r.imported_at.isoformat(),
        "imported_by": r.imported_by,
    }


def _text(value: Any) -> str | None:
    return None if value is None else f"{value:f}"


def _hourly(value: Decimal) -> str:
    """At least the four decimals list prices are written with (the database keeps eight)."""
    four = value.quantize(Decimal("0.0001"))
    return f"{four if four == value else value.normalize():f}"


def line_view(line: Line) -> dict[str, Any]:
    return {
        "flavor": line.flavor,
        "kind": line.kind,
        "region": line.region,
        "their_type": line.type,
        "pinned": line.pinned,
        "reason": line.reason,
        "our_hourly": _hourly(line.ours),
        "their_hourly": _text(line.theirs),
        "gap_pct": _text(line.gap_pct),
        "gap_per_month": _text(line.gap_month),
        "reservations": [
            {
                "term": r.term,
                "payment": r.payment,
                "ours_effective_hourly": f"{r.ours.quantize(r.theirs):f}",
                "theirs_effective_hourly": f"{r.theirs:f}",
                "gap_pct": _text(r.gap_pct),
            }
            for r in line.reserved
        ],
    }


def report_view(result: ReportResult) -> dict[str, Any]:
    report = result.report
    return {
        "reference": reference_view(result.reference),
        "hours_per_month": 730,
        "currency": "EUR",
        "lines": [line_view(line) for line in report.lines],
        "typical_mix": [
            {
                "region": m.region,
                "ours_per_month": f"{m.ours_month:f}",
                "theirs_per_month": f"{m.theirs_month:f}",
                "gap_pct": _text(m.gap_pct),
                "flavors": dict(m.counted),
            }
            for m in report.mix
        ],
        "families": [
            {
                "kind": f.kind,
                "ours_per_month": f"{f.ours_month:f}",
                "theirs_per_month": f"{f.theirs_month:f}",
                "gap_pct": _text(f.gap_pct),
            }
            for f in report.families
        ],
    }


def settings_view(s: AlignmentSettings) -> dict[str, Any]:
    return {
        "gap": f"{s.gap.normalize():f}",
        "margin_floor": f"{s.margin_floor.normalize():f}",
        "notice_days": s.notice_days,
        "updated_at": s.updated_at.isoformat(),
        "updated_by": s.updated_by,
    }


def _pair(pair: tuple[Any, Any]) -> list[str]:
    return [f"{pair[0]:f}", f"{pair[1]:f}"]


def impact_view(impact: Impact, month: str) -> dict[str, Any]:
    return {
        "month": month,
        "operator_revenue": _pair(impact.operator_revenue),
        "partner_margin": {k: _pair(v) for k, v in impact.partner_margin.items()},
        "customer_bill": {k: _pair(v) for k, v in impact.customer_bill.items()},
    }


def _rate(value: Decimal) -> str:
    """A margin rate as a fraction to four decimals (0.1429 is 14.29 %)."""
    return f"{value.quantize(Decimal('0.0001')):f}"


def proposal_view(p: Proposal) -> dict[str, Any]:
    return {
        "wholesale": p.wholesale,
        "moves": [
            {
                "sku": m.sku,
                "flavor": m.flavor,
                "region": m.region,
                "their_type": m.type,
                "theirs_before": f"{m.theirs_before:f}",
                "theirs_after": f"{m.theirs_after:f}",
                "list_before": _hourly(m.list_before),
                "list_after": _hourly(m.list_after),
            }
            for m in p.moves
        ],
        "named_partners": p.named_partners,
        "at_risk": [
            {
                "partner_id": r.partner_id,
                "sku": r.sku,
                "margin_rate_before": _rate(r.rate_before),
                "margin_rate_after": _rate(r.rate_after),
                "protected": r.protected,
                "margin_rate_final": _rate(r.rate_final),
            }
            for r in p.at_risk
        ],
    }


def preview_view(p: Preview) -> dict[str, Any]:
    return proposal_view(p.proposal) | {"impact": impact_view(p.impact, p.month)}


def change_view(c: AlignmentChange) -> dict[str, Any]:
    return {
        "id": c.id,
        "before": c.before_list,
        "after": c.after_list,
        "gap": f"{c.gap.normalize():f}",
        "wholesale": c.wholesale,
        "margin_floor": f"{c.margin_floor.normalize():f}",
        "protect": c.protect,
        "effective_from": c.effective_from.isoformat(),
        "moves": c.moves,
        "protected_partners": list(c.protected),
        "applied_at": c.applied_at.isoformat(),
        "applied_by": c.applied_by,
    }


def pin_view(p: FlavorPin) -> dict[str, Any]:
    return {
        "flavor": p.flavor,
        "instance_type": p.instance_type,
        "pinned_at": p.pinned_at.isoformat(),
        "pinned_by": p.pinned_by,
    }


def parse_mix(text: str | None) -> dict[str, int] | None:
    """``SCS-2V-8:3,SCS-4V-16:1``: flavors and how many of each."""
    if not text:
        return None
    mix: dict[str, int] = {}
    for part in text.split(","):
        name, _, count = part.strip().rpartition(":")
        if not name or not count.isdigit() or not 0 < int(count) <= 10_000:
            raise ValidationFailed.one("mix", f"{part!r}: write FLAVOR:COUNT, e.g. SCS-2V-8:3")
        mix[name] = int(count)
    return mix


@router.get("", **answers(ReportOut))
def report(
    request: Request,
    reference: str | None = Query(None, max_length=36, description="their list id"),
    at: datetime | None = Query(None, description="their list in force on that day"),
    mix: str | None = Query(None, max_length=2000, description="FLAVOR:COUNT,..."),
) -> Any:
    """Per flavor and region: our list price, theirs, the gap; reservations; a mix."""
    app = app_of(request)
    return run(
        request,
        lambda s, c: report_view(
            app.alignment.report(s, c, list_id=reference, at=at, mix=parse_mix(mix))
        ),
    )


@router.get("/imports", **answers(Items[ReferenceOut]))
def list_imports(request: Request) -> Any:
    app = app_of(request)
    return run(
        request, lambda s, c: {"items": [reference_view(r) for r in app.alignment.lists(s, c)]}
    )


@router.post("/imports", status_code=201, **answers(ReferenceOut))
async def import_list(
    request: Request,
    region: str = Query(..., max_length=30, description="their region, e.g. eu-west-3"),
    rate: str = Query(..., max_length=20, description="EUR per unit of the file's currency"),
    rate_date: date = Query(..., description="the day of that rate"),
    currency: str = Query("USD", pattern="^[A-Z]{3}$"),
) -> Any:
    """The body is the price list file as downloaded (JSON or CSV)."""
    data = await request.body()
    app = app_of(request)
    return run(
        request,
        lambda s, c: reference_view(
            app.alignment.import_list(
                s, c, data, region=region, rate=rate, rate_date=rate_date, currency=currency
            )
        ),
        write=True,
        action=AuditAction.PRICE_REFERENCE_IMPORT,
        target_type="reference_price_list",
    )


@router.get("/pins", **answers(Items[PinOut]))
def list_pins(request: Request) -> Any:
    app = app_of(request)
    return run(request, lambda s, c: {"items": [pin_view(p) for p in app.alignment.pins(s, c)]})


@router.put("/pins/{flavor}", **answers(PinOut))
def pin(flavor: str, body: PinBody, request: Request) -> Any:
    app = app_of(request)
    return run(
        request,
        lambda s, c: pin_view(app.alignment.pin(s, c, flavor, body.instance_type)),
        write=True,
        action=AuditAction.PRICE_PIN,
        target_type="flavor",
        target_id=flavor,
    )


@router.delete("/pins/{flavor}", status_code=204)
def unpin(flavor: str, request: Request) -> None:
    app = app_of(request)
    run(
        request,
        lambda s, c: app.alignment.unpin(s, c, flavor),
        write=True,
        action=AuditAction.PRICE_PIN,
        target_type="flavor",
        target_id=flavor,
    )


@router.get("/settings", **answers(SettingsOut))
def get_settings(request: Request) -> Any:
    app = app_of(request)
    return run(request, lambda s, c: settings_view(app.alignment.current_settings(s, c)))


@router.put("/settings", **answers(SettingsOut))
def set_settings(body: SettingsBody, request: Request) -> Any:
    app = app_of(request)
    return run(
        request,
        lambda s, c: settings_view(app.alignment.set_settings(s, c, **body.model_dump())),
        write=True,
        action=AuditAction.PRICE_ALIGNMENT_SETTINGS,
        target_type="price_alignment",
    )


def _follow(body: FollowBody) -> FollowInput:
    return FollowInput(body.before, body.after, body.wholesale, body.gap, body.protect)


@router.post("/proposals", **answers(PreviewOut))
def preview(body: PreviewBody, request: Request) -> Any:
    """Following their cut, replayed on a past month (last month by default): nothing
    changes."""
    app = app_of(request)
    return run(
        request, lambda s, c: preview_view(app.alignment.preview(s, c, _follow(body), body.month))
    )


@router.get("/changes", **answers(Items[ChangeOut]))
def list_changes(request: Request) -> Any:
    app = app_of(request)
    return run(
        request, lambda s, c: {"items": [change_view(x) for x in app.alignment.changes(s, c)]}
    )


@router.post("/changes", status_code=201, **answers(ChangeOut))
def apply(body: ApplyBody, request: Request) -> Any:
    """Following their cut from a date, as one audited price change; partners are told."""
    app = app_of(request)
    return run(
        request,
        lambda s, c: change_view(app.alignment.apply(s, c, _follow(body), body.effective_from)),
        write=True,
        action=AuditAction.PRICE_CHANGE,
        target_type="price_alignment",
    )
