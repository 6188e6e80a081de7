"""/v1 schedules (a customer's, a partner's templates), their week ahead, the projects
opted in as a whole, and the tags that opt servers in."""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING, Any

from fastapi import Query, Request, Response
from pydantic import Field

from andromede.api.context import app_of, run
from andromede.api.resource_routes import create, listing, one, remove, update
from andromede.api.v1.responses import (
    Page,
    ProjectScheduleOut,
    ScheduleOut,
    SchedulePreviewOut,
    ScheduleSavingsOut,
    TagsOut,
    answers,
)
from andromede.api.v1.router import v1_router
from andromede.api.v1.schemas import Body, Limit, MonthText
from andromede.audit.actions import AuditAction
from andromede.schedules.service import ScheduleInput
from andromede.schedules.spec import MAX_PERIODS, MAX_SKIP_DATES
from andromede.schedules.timetable import zone_of

if TYPE_CHECKING:
    from andromede.schedules.service import Preview, SavingsReport, Schedule

router = v1_router()


class PeriodBody(Body):
    begin: str = Field(max_length=5, examples=["08:00"])
    end: str = Field(max_length=5, examples=["19:00"])
    weekdays: list[str] | None = Field(default=None, max_length=7, examples=[["mon", "fri"]])
    monthdays: list[int] | None = Field(default=None, max_length=31)
    months: list[int] | None = Field(default=None, max_length=12)


class ScheduleFields(Body):
    description: str = Field(default="", max_length=255)
    timezone: str = Field(default="Europe/Paris", max_length=64)
    enforced: bool = False
    retain_running: bool = False
    stop_new: bool = False
    holidays: str | None = Field(default=None, max_length=20, examples=["FR", "FR-57"])
    skip_dates: list[str] = Field(default_factory=list, max_length=MAX_SKIP_DATES)


class ScheduleBody(ScheduleFields):
    name: str = Field(max_length=50)
    periods: list[PeriodBody] = Field(default_factory=list, max_length=MAX_PERIODS)
    customer_id: str | None = None  # a partner creating one for a customer
    template: bool = False  # a partner's template for its customers to copy
    from_template: str | None = None  # a copy of this template


class SchedulePatch(Body):
    name: str | None = Field(default=None, max_length=50)
    periods: list[PeriodBody] | None = Field(default=None, max_length=MAX_PERIODS)
    description: str | None = Field(default=None, max_length=255)
    timezone: str | None = Field(default=None, max_length=64)
    enforced: bool | None = None
    retain_running: bool | None = None
    stop_new: bool | None = None
    holidays: str | None = Field(default=None, max_length=20)
    skip_dates: list[str] | None = Field(default=None, max_length=MAX_SKIP_DATES)


class TagsBody(Body):
    tags: list[str] = Field(max_length=50)


class ProjectScheduleBody(Body):
    schedule_id: str | None


def _periods(periods: list[PeriodBody]) -> list[dict[str, Any]]:
    return [p.model_dump(exclude_none=True) for p in periods]


def schedule_view(s: Schedule) -> dict[str, Any]:
    return {
        "id": s.id,
        "name": s.name,
        "partner_id": s.partner_id,
        "customer_id": s.customer_id,
        "template": s.customer_id is None,
        "description": s.description,
        "timezone": s.timezone,
        "periods": s.periods,
        "enforced": s.enforced,
        "retain_running": s.retain_running,
        "stop_new": s.stop_new,
        "holidays": s.holidays,
        "skip_dates": s.skip_dates,
        "created_at": s.created_at.isoformat(),
        "updated_at": s.updated_at.isoformat(),
        "last_pass": s.last_pass,
    }


def preview_view(p: Preview) -> dict[str, Any]:
    zone = zone_of(p.schedule.timezone)
    return {
        "schedule_id": p.schedule.id,
        "timezone": p.schedule.timezone,
        "now": p.now.isoformat(),
        "running_now": p.running_now,
        "servers": p.servers,
        "transitions": [
            {
                "at": t.at.isoformat(),
                "local": t.at.astimezone(zone).strftime("%a %Y-%m-%d %H:%M"),
                "action": "start" if t.running else "stop",
            }
            for t in p.transitions
        ],
    }


@router.post("/schedules", status_code=201, tags=["schedules"], **answers(ScheduleOut))
def create_schedule(body: ScheduleBody, request: Request) -> Any:
    if body.from_template:
        template = body.from_template
        return create(
            request,
            lambda a, s, c: a.schedules.copy_template(
                s,
                c,
                template,
                customer_id=body.customer_id or c.actor.customer_id or "",
                name=body.name,
            ),
            schedule_view,
            AuditAction.SCHEDULE_CREATE,
        )
    fields = body.model_dump(exclude={"customer_id", "template", "from_template", "periods"})
    data = ScheduleInput(periods=_periods(body.periods), **fields)
    return create(
        request,
        lambda a, s, c: a.schedules.create(
            s, c, data, customer_id=body.customer_id, template=body.template
        ),
        schedule_view,
        AuditAction.SCHEDULE_CREATE,
    )


@router.get("/schedules", tags=["schedules"], **answers(Page[ScheduleOut]))
def list_schedules(
    request: Request,
    limit: int = Limit,
    marker: str | None = None,
    customer_id: str | None = None,
    templates: bool = Query(False, description="the partner's templates instead"),
) -> Any:
    return listing(
        request,
        lambda a, s, c: a.schedules.list_schedules(
            s, c, limit=limit, marker=marker, customer_id=customer_id, templates=templates
        ),
        schedule_view,
        limit,
    )


@router.get("/schedules/{schedule_id}", tags=["schedules"], **answers(ScheduleOut))
def get_schedule(schedule_id: str, request: Request) -> Any:
    return one(request, lambda a, s, c: a.schedules.get(s, c, schedule_id), schedule_view)


@router.patch("/schedules/{schedule_id}", tags=["schedules"], **answers(ScheduleOut))
def update_schedule(schedule_id: str, body: SchedulePatch, request: Request) -> Any:
    changes = body.model_dump(exclude_unset=True, exclude={"periods"})
    if body.periods is not None:
        changes["periods"] = _periods(body.periods)
    return update(
        request,
        lambda a, s, c: a.schedules.update(s, c, schedule_id, changes),
        schedule_view,
        AuditAction.SCHEDULE_UPDATE,
        schedule_id,
    )


@router.delete(
    "/schedules/{schedule_id}", status_code=204, tags=["schedules"], response_class=Response
)
def delete_schedule(schedule_id: str, request: Request) -> Response:
    return remove(
        request,
        lambda a, s, c: a.schedules.delete(s, c, schedule_id),
        AuditAction.SCHEDULE_DELETE,
        schedule_id,
    )


@router.get("/schedules/{schedule_id}/preview", tags=["schedules"], **answers(SchedulePreviewOut))
def preview_schedule(
    schedule_id: str,
    request: Request,
    days: int = Query(7, ge=1, le=31, description="how far ahead"),
) -> Any:
    return one(request, lambda a, s, c: a.schedules.preview(s, c, schedule_id, days), preview_view)


@router.put("/projects/{project_id}/schedule", tags=["schedules"], **answers(ProjectScheduleOut))
def set_project_schedule(project_id: str, body: ProjectScheduleBody, request: Request) -> Any:
    return update(
        request,
        lambda a, s, c: a.schedules.set_project(s, c, project_id, body.schedule_id),
        lambda found: {"project_id": project_id, "schedule_id": found},
        AuditAction.SCHEDULE_PROJECT,
        project_id,
    )


@router.get("/servers/{server_id}/tags", tags=["servers"], **answers(TagsOut))
def get_tags(server_id: str, request: Request) -> Any:
    app = app_of(request)
    return run(request, lambda s, c: {"tags": app.tags.tags(s, c, server_id)})


@router.put("/servers/{server_id}/tags", tags=["servers"], **answers(TagsOut))
def set_tags(server_id: str, body: TagsBody, request: Request) -> Any:
    return update(
        request,
        lambda a, s, c: a.tags.set_tags(s, c, server_id, body.tags),
        lambda tags: {"tags": tags},
        AuditAction.SERVER_TAG,
        server_id,
    )


def savings_view(report: SavingsReport) -> dict[str, Any]:
    return {
        "month": report.month,
        "customer_id": report.customer_id,
        "currency": "EUR",
        "hours_off": str(sum((s.hours_off for s in report.servers), Decimal(0))),
        "saved": str(sum((s.saved for s in report.servers), Decimal(0))),
        "servers": [
            {
                "server_id": s.server_id,
                "schedule": s.schedule,
                "flavor": s.flavor,
                "region": s.region,
                "hours_on": str(s.hours_on),
                "hours_off": str(s.hours_off),
                "paid": str(s.paid),
                "saved": str(s.saved),
                "covered_by_reservation": s.reserved,
                "reserved_instead": str(s.reserved_instead)
                if s.reserved_instead is not None
                else None,
            }
            for s in report.servers
        ],
        "notes": report.notes,
    }


@router.get("/reports/schedules", tags=["schedules"], **answers(ScheduleSavingsOut))
def schedules_report(
    request: Request,
    month: MonthText = Query(..., description="YYYY-MM"),
    customer_id: str | None = None,
) -> Any:
    """Per scheduled server: hours on and off in the month, what the hours on cost and
    what the hours off would have cost at the same on-demand prices (the saving)."""
    return one(request, lambda a, s, c: a.schedules.savings(s, c, month, customer_id), savings_view)
