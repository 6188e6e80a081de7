"""The scheduler's pass, in three steps the worker runs in transactions of their own:
``plan`` reads every customer schedule and the servers of those with something to decide
(a boundary passed since the last pass, or an option that watches between boundaries) and
decides (pure); ``act`` starts and stops servers through the compute service, a batch at
a time, as the schedule itself (an actor of the customer's named ``schedule:<name>``, so
the audit log says who did it); ``record`` remembers what the pass did, tells the
customer when a boundary was acted on late (the worker was down), and moves every
schedule's last pass to this one.

A pass that dies half-way is simply done again: the servers already brought to the
wanted state are no longer to be acted on.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import update
from sqlalchemy.orm import Session

from andromede.compute.server_service import ServerService
from andromede.kernel.collector import collector_paused
from andromede.kernel.errors import AndromedeError
from andromede.kernel.tenants import TenantRef
from andromede.schedules import store
from andromede.schedules.decisions import Decision, Options, Pass, ServerState, decide
from andromede.schedules.service import ScheduleService, timetable
from andromede.schedules.store import Schedule
from andromede.schedules.timetable import transitions, zone_of
from andromede.tenancy.scope import Actor, Caller, Role
from andromede.tenancy.service import TenancyService

__all__ = ["BATCH", "Acted", "Planned", "Scheduler", "settled_state"]

BATCH = 200  # actions per transaction
SETTLED = ("ACTIVE", "SHUTOFF")


@dataclass(frozen=True)
class Planned:
    schedule_id: str
    name: str
    timezone: str
    ref: TenantRef
    last: datetime
    result: Pass

    def caller(self) -> Caller:
        actor = Actor(
            self.schedule_id,
            f"schedule:{self.name}",
            Role.CUSTOMER_MEMBER,
            partner_id=self.ref.partner_id,
            customer_id=self.ref.customer_id,
            system=True,
        )
        return Caller(actor, f"schedule:{self.name}"[:64])


@dataclass
class Acted:
    started: int = 0
    stopped: int = 0
    failed: int = 0


def settled_state(member: Any, retained: set[str]) -> ServerState:
    status, desired = member.status, member.desired
    return ServerState(
        member.id,
        desired == "ACTIVE",
        status == desired and status in SETTLED,
        member.created_at,
        member.id in retained,
    )


class Scheduler:
    def __init__(
        self,
        schedules: ScheduleService,
        servers: ServerService,
        tenancy: TenancyService,
        late_after: timedelta = timedelta(minutes=5),
    ) -> None:
        self.schedules = schedules
        self.servers = servers
        self.tenancy = tenancy
        self.late_after = late_after

    def plan(self, session: Session, now: datetime) -> list[Planned]:
        with collector_paused():
            return self._plan(session, now)

    def _plan(self, session: Session, now: datetime) -> list[Planned]:
        due: list[tuple[Schedule, Any, datetime]] = []
        for schedule in store.customer_schedules(session):
            last = schedule.evaluated_at or schedule.created_at
            if now < last:  # (equal: a schedule made this instant, enforced at once)
                continue
            table = timetable(schedule, last.date() - timedelta(days=1), now.date())
            watches = schedule.enforced or schedule.stop_new
            if watches or transitions(table, last, now):
                due.append((schedule, table, last))
        members = self.schedules.members(session, [s for s, _, _ in due])
        retained = store.retained(session, [s.id for s, _, _ in due])
        planned = []
        for schedule, table, last in due:
            states = [settled_state(m, retained) for m in members[schedule.id]]
            options = Options(schedule.enforced, schedule.retain_running, schedule.stop_new)
            result = decide(table, options, last, now, states)
            ref = TenantRef(schedule.partner_id, schedule.customer_id)
            planned.append(
                Planned(schedule.id, schedule.name, schedule.timezone, ref, last, result)
            )
        return planned

    def boundaries(self, session: Session, after: datetime, until: datetime) -> list[datetime]:
        """Every instant in ``(after, until]`` where a customer schedule changes state (the
        simulator passes exactly then)."""
        found: set[datetime] = set()
        for schedule in store.customer_schedules(session):
            table = timetable(schedule, after.date() - timedelta(days=1), until.date())
            found.update(t.at for t in transitions(table, after, until))
        return sorted(found)

    def act(
        self, session: Session, batch: list[tuple[Planned, Decision]], tally: dict[str, Acted]
    ) -> None:
        """Acts on a batch of decisions; counts what was done per schedule in ``tally``."""
        for planned, decision in batch:
            done = tally.setdefault(planned.schedule_id, Acted())
            verb = "start" if decision.start else "stop"
            try:
                self.servers.act(session, planned.caller(), decision.server_id, verb)
            except AndromedeError:
                done.failed += 1  # deleted or moved on since the plan: next pass sees it
                continue
            if decision.start:
                done.started += 1
            else:
                done.stopped += 1

    def record(
        self, session: Session, planned: list[Planned], acted: dict[str, Acted], now: datetime
    ) -> None:
        for item in planned:
            result = item.result
            store.remember(session, item.schedule_id, set(result.retain))
            store.forget(session, set(result.release))
            done = acted.get(item.schedule_id, Acted())
            schedule = session.get(Schedule, item.schedule_id)
            if schedule is None or not (result.decisions or result.boundary):
                continue
            late = max((d.late_by(now) for d in result.decisions), default=timedelta())
            schedule.last_pass = {
                "at": now.isoformat(),
                "boundary": result.boundary.isoformat() if result.boundary else None,
                "started": done.started,
                "stopped": done.stopped,
                "failed": done.failed,
                "late_seconds": int(late.total_seconds()),
                "missed_boundaries": result.missed,
            }
            if result.boundary is not None and late > self.late_after:
                message = _late_message(item, done, late)
                self.tenancy.notify(session, item.ref, "schedule.late", message)
        session.execute(
            update(Schedule)
            .where(Schedule.customer_id.is_not(None), Schedule.evaluated_at < now)
            .values(evaluated_at=now)
        )


def _late_message(item: Planned, done: Acted, late: timedelta) -> str:
    boundary = item.result.boundary
    assert boundary is not None
    local = boundary.astimezone(zone_of(item.timezone))
    minutes = int(late.total_seconds() // 60)
    missed = item.result.missed
    return (
        f"Schedule {item.name}: the boundary of {local:%Y-%m-%d %H:%M} ({item.timezone}) "
        "was acted on "
        f"{minutes // 60} h {minutes % 60:02d} min late, when the scheduler came back "
        f"({done.started} started, {done.stopped} stopped"
        + (f"; {missed} earlier boundaries passed meanwhile" if missed else "")
        + ")."
    )
