"""Use cases of schedules: a customer's schedules (or a partner's templates it copies),
the projects opted in as a whole, a week's preview. The passes that act on servers are in
``scheduler.py``.

A schedule belongs to a customer; its servers are those tagged ``schedule=<name>`` and
those of the projects opted in (a server's own tag wins over its project's schedule).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from andromede.audit.actions import AuditAction
from andromede.billing.rating import RatedSegment
from andromede.billing.rating_service import RatingService
from andromede.compute.tag_service import TagService
from andromede.db import flush_unique, scoped_page, visible_one
from andromede.kernel.clock import Clock
from andromede.kernel.errors import Conflict, Forbidden, NotFound, ValidationFailed
from andromede.kernel.ids import new_id
from andromede.kernel.months import month_bounds
from andromede.kernel.tenants import TenantRef
from andromede.prepaid.reservation_service import ReservationService
from andromede.schedules import store
from andromede.schedules.holidays import public_holidays
from andromede.schedules.savings import Rated, ServerSavings, notes, summarise
from andromede.schedules.spec import (
    HOLIDAY_CALENDARS,
    check_name,
    check_zone,
    parse_periods,
    parse_skip_dates,
    period_json,
)
from andromede.schedules.store import Schedule
from andromede.schedules.timetable import Timetable, Transition, running_at, transitions
from andromede.tenancy.scope import (
    Caller,
    OrgKind,
    may_change_resources,
    note_read,
    resource_scope,
)
from andromede.tenancy.service import TenancyService

__all__ = [
    "TAG_PREFIX",
    "Preview",
    "SavingsReport",
    "Schedule",
    "ScheduleInput",
    "ScheduleService",
    "timetable",
]

TAG_PREFIX = "schedule="
PREVIEW_DAYS = 7


@dataclass(frozen=True)
class ScheduleInput:
    name: str
    periods: list[dict[str, Any]]
    timezone: str = "Europe/Paris"
    description: str = ""
    enforced: bool = False
    retain_running: bool = False
    stop_new: bool = False
    holidays: str | None = None
    skip_dates: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class SavingsReport:
    month: str
    customer_id: str
    servers: list[ServerSavings]
    notes: list[str]


@dataclass(frozen=True)
class Preview:
    schedule: Schedule
    now: datetime
    running_now: bool
    transitions: list[Transition]
    servers: int


def timetable(schedule: Schedule, first: date, last: date) -> Timetable:
    """The schedule's timetable, its skip days (holidays and its own dates) for the years
    from ``first`` to ``last``."""
    skip = {date.fromisoformat(d) for d in schedule.skip_dates or []}
    if schedule.holidays:
        for year in range(first.year, last.year + 1):
            skip |= public_holidays(schedule.holidays, year)
    return Timetable(schedule.timezone, parse_periods(schedule.periods), frozenset(skip))


def _rated(r: RatedSegment) -> Rated:
    s = r.segment
    return Rated(s.server_id, s.flavor, s.region, r.quantity, r.resale_amount)


def _ref(schedule: Schedule) -> TenantRef:
    return TenantRef(schedule.partner_id, schedule.customer_id)


def _checked(data: ScheduleInput) -> dict[str, Any]:
    if data.holidays is not None and data.holidays not in HOLIDAY_CALENDARS:
        raise ValidationFailed.one("holidays", f"one of {', '.join(HOLIDAY_CALENDARS)} (or none)")
    if len(data.description) > 255:
        raise ValidationFailed.one("description", "at most 255 characters")
    return {
        "name": check_name(data.name),
        "timezone": check_zone(data.timezone),
        "periods": [period_json(p) for p in parse_periods(data.periods)],
        "description": data.description,
        "enforced": data.enforced,
        "retain_running": data.retain_running,
        "stop_new": data.stop_new,
        "holidays": data.holidays,
        "skip_dates": parse_skip_dates(data.skip_dates),
    }


class ScheduleService:
    def __init__(
        self,
        clock: Clock,
        tenancy: TenancyService,
        tags: TagService,
        rating: RatingService,
        reservations: ReservationService,
    ) -> None:
        self.clock = clock
        self.tenancy = tenancy
        self.tags = tags
        self.rating = rating
        self.reservations = reservations

    # -- schedules and templates ------------------------------------------------------
    def create(
        self,
        session: Session,
        caller: Caller,
        data: ScheduleInput,
        *,
        customer_id: str | None,
        template: bool = False,
    ) -> Schedule:
        """A customer's schedule, or (``template``) one its partner publishes for its
        customers to copy."""
        owner = self._owner(session, caller, customer_id, template)
        now = self.clock.now()
        schedule = Schedule(
            id=new_id(),
            partner_id=owner.partner_id,
            customer_id=owner.customer_id,
            created_at=now,
            updated_at=now,
            evaluated_at=now,
            **_checked(data),
        )
        if template and self._template_named(session, schedule.partner_id, schedule.name):
            raise Conflict(f"schedule {schedule.name!r} already exists")
        session.add(schedule)
        flush_unique(session, f"schedule {schedule.name!r} already exists")
        self.tenancy.audit(
            session, caller, AuditAction.SCHEDULE_CREATE, "schedule", schedule.id, _ref(schedule)
        )
        return schedule

    def copy_template(
        self, session: Session, caller: Caller, template_id: str, *, customer_id: str, name: str
    ) -> Schedule:
        template = self.get(session, caller, template_id)
        if template.customer_id is not None:
            raise ValidationFailed.one("template", "not a template")
        data = ScheduleInput(
            name=name or template.name,
            periods=template.periods,
            timezone=template.timezone,
            description=template.description,
            enforced=template.enforced,
            retain_running=template.retain_running,
            stop_new=template.stop_new,
            holidays=template.holidays,
            skip_dates=template.skip_dates,
        )
        return self.create(session, caller, data, customer_id=customer_id)

    def get(self, session: Session, caller: Caller, schedule_id: str) -> Schedule:
        """A schedule the caller sees, or a template of the caller's partner."""
        found = session.get(Schedule, schedule_id)
        if found is not None and found.customer_id is None:
            if (
                caller.actor.org_kind is OrgKind.OPERATOR
                or found.partner_id == caller.actor.partner_id
            ):
                return found
            raise NotFound("schedule", schedule_id)
        schedule = visible_one(
            session, Schedule, schedule_id, resource_scope(caller.actor), "schedule"
        )
        note_read(caller, _ref(schedule))
        return schedule

    def list_schedules(
        self,
        session: Session,
        caller: Caller,
        *,
        limit: int,
        marker: str | None,
        customer_id: str | None = None,
        templates: bool = False,
    ) -> list[Schedule]:
        if templates:
            query = select(Schedule).where(Schedule.customer_id.is_(None))
            if caller.actor.org_kind is not OrgKind.OPERATOR:
                query = query.where(Schedule.partner_id == caller.actor.partner_id)
            if marker:
                query = query.where(Schedule.id > marker)
            return list(session.scalars(query.order_by(Schedule.id).limit(limit)))
        rows = scoped_page(
            session,
            Schedule,
            resource_scope(caller.actor),
            limit=limit,
            marker=marker,
            filters={"customer_id": customer_id},
            where=(Schedule.customer_id.is_not(None),),
        )
        for row in rows:
            note_read(caller, _ref(row))
        return rows

    def update(
        self, session: Session, caller: Caller, schedule_id: str, changes: dict[str, Any]
    ) -> Schedule:
        schedule = self._for_write(session, caller, schedule_id)
        current = ScheduleInput(
            name=schedule.name,
            periods=schedule.periods,
            timezone=schedule.timezone,
            description=schedule.description,
            enforced=schedule.enforced,
            retain_running=schedule.retain_running,
            stop_new=schedule.stop_new,
            holidays=schedule.holidays,
            skip_dates=schedule.skip_dates,
        )
        merged = {**current.__dict__, **{k: v for k, v in changes.items() if k in current.__dict__}}
        for key, value in _checked(ScheduleInput(**merged)).items():
            setattr(schedule, key, value)
        schedule.updated_at = self.clock.now()
        flush_unique(session, f"schedule {schedule.name!r} already exists")
        self.tenancy.audit(
            session, caller, AuditAction.SCHEDULE_UPDATE, "schedule", schedule.id, _ref(schedule)
        )
        return schedule

    def delete(self, session: Session, caller: Caller, schedule_id: str) -> None:
        """Its servers keep their state and their tag (a tag naming no schedule is inert)."""
        schedule = self._for_write(session, caller, schedule_id)
        store.unlink(session, schedule.id)
        session.delete(schedule)
        self.tenancy.audit(
            session, caller, AuditAction.SCHEDULE_DELETE, "schedule", schedule.id, _ref(schedule)
        )

    # -- projects opted in as a whole -------------------------------------------------
    def set_project(
        self, session: Session, caller: Caller, project_id: str, schedule_id: str | None
    ) -> str | None:
        project = self.tenancy.get_project(session, caller, project_id)
        ref = TenantRef(project.partner_id, project.customer_id, project.id)
        if not may_change_resources(caller.actor, ref):
            raise Forbidden(f"role {caller.actor.role} may not change resources")
        link = session.get(store.ProjectSchedule, project.id)
        if schedule_id is None:
            if link is not None:
                session.delete(link)
        else:
            schedule = self.get(session, caller, schedule_id)
            if schedule.customer_id != project.customer_id:
                raise NotFound("schedule", schedule_id)  # a template or another customer's
            if link is None:
                link = store.ProjectSchedule(
                    project_id=project.id,
                    partner_id=project.partner_id,
                    customer_id=project.customer_id,
                    schedule_id=schedule.id,
                )
                session.add(link)
            link.schedule_id = schedule.id
        self.tenancy.audit(
            session, caller, AuditAction.SCHEDULE_PROJECT, "project", project.id, ref
        )
        return schedule_id

    # -- what it will do ----------------------------------------------------------------
    def preview(
        self, session: Session, caller: Caller, schedule_id: str, days: int = PREVIEW_DAYS
    ) -> Preview:
        schedule = self.get(session, caller, schedule_id)
        now = self.clock.now()
        until = now + timedelta(days=days)
        table = timetable(schedule, now.date() - timedelta(days=1), until.date())
        members = (
            self.members(session, [schedule]).get(schedule.id, []) if schedule.customer_id else []
        )
        return Preview(
            schedule, now, running_at(table, now), transitions(table, now, until), len(members)
        )

    def members(self, session: Session, schedules: list[Schedule]) -> dict[str, list[Any]]:
        """The live servers of each schedule: tagged with its name, or in a project opted
        in and not tagged for a schedule of their own."""
        by_tag: dict[tuple[str | None, str | None], str] = {
            (s.customer_id, TAG_PREFIX + s.name): s.id for s in schedules
        }
        found: dict[str, list[Any]] = {s.id: [] for s in schedules}
        customers = sorted({s.customer_id for s in schedules if s.customer_id})
        tags = sorted({TAG_PREFIX + s.name for s in schedules})
        for member in self.tags.tagged(session, tags, customers):
            schedule_id = by_tag.get((member.customer_id, member.tag))
            if schedule_id is not None:
                found[schedule_id].append(member)
        links = {p.project_id: p.schedule_id for p in store.projects_of(session, list(found))}
        for member in self.tags.in_projects(session, sorted(links), TAG_PREFIX):
            found[links[member.project_id]].append(member)
        return found

    # -- what they saved -----------------------------------------------------------------
    def savings(
        self, session: Session, caller: Caller, month: str, customer_id: str | None = None
    ) -> SavingsReport:
        customer_id = customer_id or caller.actor.customer_id
        if customer_id is None:
            raise ValidationFailed.one("customer_id", "required")
        customer = self.tenancy.get_customer(session, caller, customer_id)
        try:
            start, end = month_bounds(month)
        except ValueError:
            raise ValidationFailed.one("month", "YYYY-MM") from None
        end = max(start, min(end, self.clock.now()))  # this month: to date
        schedules = list(
            session.scalars(select(Schedule).where(Schedule.customer_id == customer.id))
        )
        members = self.members(session, schedules)
        names = {s.id: s.name for s in schedules}
        scheduled = {m.id: names[sid] for sid, found in members.items() for m in found}
        on_demand = self.rating.on_demand(session, start, end, None, customer.id)
        running = [_rated(r) for r in on_demand if r.segment.dimension == "compute"]
        idle = [_rated(r) for r in self.rating.idle(session, start, end, customer.id)]
        reserved = {
            (r.flavor, r.region)
            for r in self.rating.reservations_in(session, start, end, customer.id)
        }
        shapes = {(r.flavor, r.region) for r in running + idle if r.server_id in scheduled}
        found = summarise(
            running,
            idle,
            scheduled,
            reserved,
            self._reservation_hourly(session, caller, customer.id, shapes),
        )
        note_read(caller, TenantRef(customer.partner_id, customer.id))
        return SavingsReport(month, customer.id, found, notes(found))

    def _reservation_hourly(
        self, session: Session, caller: Caller, customer_id: str, shapes: set[tuple[str, str]]
    ) -> dict[tuple[str, str], Decimal]:
        found = {}
        for flavor, region in sorted(shapes):
            for offer in self.reservations.offers(session, caller, customer_id, flavor, region):
                if (offer["term"], offer["payment"]) == ("1y", "no-upfront"):
                    found[(flavor, region)] = Decimal(offer["price"]["effective_hourly"])
        return found

    # -- inside -------------------------------------------------------------------------
    def _owner(
        self, session: Session, caller: Caller, customer_id: str | None, template: bool
    ) -> TenantRef:
        if template:
            if caller.actor.org_kind is not OrgKind.PARTNER or caller.actor.partner_id is None:
                raise Forbidden("templates are published by partners")
            if customer_id is not None:
                raise ValidationFailed.one("customer_id", "a template belongs to no customer")
            return TenantRef(caller.actor.partner_id, None)
        customer_id = customer_id or caller.actor.customer_id
        if customer_id is None:
            raise ValidationFailed.one("customer_id", "required")
        customer = self.tenancy.get_customer(session, caller, customer_id)
        ref = TenantRef(customer.partner_id, customer.id)
        if not may_change_resources(caller.actor, ref):
            raise Forbidden(f"role {caller.actor.role} may not change resources")
        self.tenancy.require_active(session, customer.id)
        return ref

    def _for_write(self, session: Session, caller: Caller, schedule_id: str) -> Schedule:
        schedule = self.get(session, caller, schedule_id)
        if schedule.customer_id is None:
            if caller.actor.org_kind is not OrgKind.PARTNER:
                raise Forbidden("a template is changed by the partner that publishes it")
        elif not may_change_resources(caller.actor, _ref(schedule)):
            raise Forbidden(f"role {caller.actor.role} may not change resources")
        return schedule

    @staticmethod
    def _template_named(session: Session, partner_id: str, name: str) -> bool:
        query = select(Schedule.id).where(
            Schedule.partner_id == partner_id,
            Schedule.customer_id.is_(None),
            Schedule.name == name,
        )
        return session.scalar(query) is not None
