"""A customer's Dev & Test page: its on/off schedules with their next starts and stops
(and a form to write one as people say it, ``mon-fri 08:00-19:00``), its environments
switched on and off together, and what the schedules saved this month."""

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
from andromede.schedules.service import ScheduleInput
from andromede.schedules.spec import HOLIDAY_CALENDARS, period_from_text
from andromede.schedules.timetable import zone_of
from andromede.tenancy.scope import Caller

router = area_router()

MOST = 1000
SHOWN_TRANSITIONS = 4


def savings_of(app: Any, session: Session, caller: Caller) -> Mapping[str, Any]:
    """This month's savings, for this page and the costs page."""
    month = app.clock.now().strftime("%Y-%m")
    report = app.schedules.savings(session, caller, month, customer_of(caller))
    return {
        "month": month,
        "servers": report.servers,
        "notes": report.notes,
        "saved": sum((s.saved for s in report.servers), Decimal(0)),
        "hours_off": sum((s.hours_off for s in report.servers), Decimal(0)),
    }


def _devtest(app: Any, session: Session, caller: Caller) -> Mapping[str, Any]:
    customer_id = customer_of(caller)
    schedules = app.schedules.list_schedules(
        session, caller, limit=MOST, marker=None, customer_id=customer_id
    )
    ahead = []
    for schedule in schedules:
        preview = app.schedules.preview(session, caller, schedule.id)
        zone = zone_of(schedule.timezone)
        moves = [
            (t.at.astimezone(zone), t.running) for t in preview.transitions[:SHOWN_TRANSITIONS]
        ]
        ahead.append((schedule, preview, moves))
    environments = [
        app.environments.state(session, env)
        for env in app.environments.list_environments(session, caller, limit=MOST, marker=None)
    ]
    return {
        "schedules": ahead,
        "environments": environments,
        "savings": savings_of(app, session, caller),
        "calendars": list(HOLIDAY_CALENDARS),
    }


@router.get("/devtest")
def devtest(request: Request) -> Response:
    app = app_of(request)
    return page(request, "devtest.html", lambda s, c: _devtest(app, s, c))


@router.post("/devtest/schedules")
def create_schedule(
    request: Request,
    csrf: str = Form(""),
    name: str = Form(""),
    period: str = Form(""),
    holidays: str = Form(""),
    enforced: str = Form(""),
) -> Response:
    app = app_of(request)

    def make(session: Session, caller: Caller) -> str:
        try:
            periods = [period_from_text(p) for p in period.split(";") if p.strip()]
        except ValueError as exc:
            raise ValidationFailed.one("period", str(exc)) from None
        data = ScheduleInput(
            name=name, periods=periods, holidays=holidays or None, enforced=bool(enforced)
        )
        return str(app.schedules.create(session, caller, data, customer_id=customer_of(caller)).id)

    return submit(
        request,
        csrf,
        make,
        lambda _: go("/devtest?made=1"),
        action=AuditAction.SCHEDULE_CREATE,
        target_type="schedule",
        again=("devtest.html", lambda s, c: _devtest(app, s, c)),
        values={"name": name, "period": period, "holidays": holidays},
    )


@router.post("/devtest/environments/{env_id}/{action}")
def environment_action(
    request: Request, env_id: str, action: str, csrf: str = Form("")
) -> Response:
    app = app_of(request)
    envs = app.environments

    def change(session: Session, caller: Caller) -> str:
        if action == "extend":
            envs.extend(session, caller, env_id, hours=2)
        elif action in ("start", "stop"):
            (envs.start if action == "start" else envs.stop)(session, caller, env_id)
        else:
            raise ValidationFailed.one("action", "start, stop or extend")
        return env_id

    audit = AuditAction.named(f"environment.{action}") or AuditAction.ENVIRONMENT_EXTEND
    return submit(
        request,
        csrf,
        change,
        lambda _: go("/devtest"),
        action=audit,
        target_type="environment",
        target_id=env_id,
        again=("devtest.html", lambda s, c: _devtest(app, s, c)),
    )
