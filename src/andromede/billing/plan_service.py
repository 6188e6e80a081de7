"""The operator's business plan: its admins set targets per quarter; staff read them with
the actual figures (servers running from the daily usage, revenue from invoices)."""

from collections.abc import Mapping, Sequence
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from sqlalchemy.orm import Session

from andromede.audit.actions import AuditAction
from andromede.billing import store
from andromede.billing.plan import (
    PlanLine,
    QuarterTarget,
    compare,
    operator_revenue,
    run_rate,
    valid_quarter,
)
from andromede.billing.rating_service import RatingService
from andromede.billing.store import DailyRevenue, PlanTarget
from andromede.kernel.bounds import bounded_decimal
from andromede.kernel.clock import Clock
from andromede.kernel.errors import Forbidden, ValidationFailed
from andromede.kernel.tenants import TenantRef
from andromede.metering.service import DayUsage, MeteringService
from andromede.tenancy.scope import Caller, OrgKind, Permission, require
from andromede.tenancy.service import TenancyService

__all__ = ["PlanLine", "PlanService", "seed_targets"]

MAX_SERVERS = 10_000_000
RATED_DAYS = 35  # the run-rate reads 30 finished days


def seed_targets(today: date, servers: int, yearly_revenue: Decimal) -> list[QuarterTarget]:
    """A plan that ramps linearly from a tenth of the goal, this quarter, to the whole of
    it four quarters later (the seed plan: 10,000 servers, 200 M EUR a year)."""
    targets = []
    year, number = today.year, (today.month - 1) // 3 + 1
    for step in range(5):
        share = Decimal("0.1") + Decimal("0.225") * step
        revenue = (yearly_revenue / 4 * share).quantize(Decimal("0.01"))
        targets.append(QuarterTarget(f"{year}-Q{number}", int(servers * share), revenue))
        year, number = (year, number + 1) if number < 4 else (year + 1, 1)
    return targets


class PlanService:
    def __init__(
        self,
        clock: Clock,
        tenancy: TenancyService,
        metering: MeteringService,
        rating: RatingService,
    ) -> None:
        self.clock = clock
        self.tenancy = tenancy
        self.metering = metering
        self.rating = rating

    def refresh_revenue(self, session: Session) -> int:
        """Rates every finished day not rated yet (at most ``RATED_DAYS`` back), one day
        at a time; returns how many were written."""
        today = self.clock.now().date()
        last = store.last_revenue_day(session)
        day = last + timedelta(days=1) if last else today - timedelta(days=RATED_DAYS)
        house = {p.id for p in self.tenancy.all_partners(session) if p.kind == "house"}
        written = 0
        while day < today:
            start = datetime(day.year, day.month, day.day, tzinfo=UTC)
            rated = self.rating.rated(session, start, start + timedelta(days=1))
            session.add(DailyRevenue(day=day, revenue=operator_revenue(rated, house)))
            day, written = day + timedelta(days=1), written + 1
        return written

    def run_rate(self, session: Session, caller: Caller) -> Decimal:
        """The last 30 finished days' revenue, annualised."""
        self._staff(caller)
        first = self.clock.now().date() - timedelta(days=30)
        return run_rate(r.revenue for r in store.revenue_since(session, first))

    def _staff(self, caller: Caller) -> None:
        if caller.actor.org_kind is not OrgKind.OPERATOR:
            raise Forbidden("the business plan is the operator's")

    def set_target(
        self, session: Session, caller: Caller, quarter: str, servers: str, revenue: str
    ) -> PlanTarget:
        require(caller, Permission.MANAGE_PLAN)
        valid_quarter(quarter)
        if not servers.isdigit() or not 0 <= int(servers) <= MAX_SERVERS:
            raise ValidationFailed.one("servers", f"must be a whole number up to {MAX_SERVERS}")
        amount = bounded_decimal("revenue", revenue)
        row = session.get(PlanTarget, quarter)
        if row is None:
            row = PlanTarget(quarter=quarter)
            session.add(row)
        row.servers, row.revenue = int(servers), amount
        row.set_at, row.set_by = self.clock.now(), caller.actor.username
        self.tenancy.audit(session, caller, AuditAction.PLAN_SET, "plan", quarter, TenantRef())
        return row

    def seed(self, session: Session, targets: list[QuarterTarget]) -> None:
        """For ``demo``: the plan it starts with, if none was entered."""
        if store.plan_targets(session):
            return
        now = self.clock.now()
        for t in targets:
            session.add(
                PlanTarget(
                    quarter=t.quarter,
                    servers=t.servers,
                    revenue=t.revenue,
                    set_at=now,
                    set_by="system:demo",
                )
            )

    def against_plan(
        self,
        session: Session,
        caller: Caller,
        revenue: Mapping[str, Decimal],
        days: Sequence[DayUsage] | None = None,
    ) -> list[PlanLine]:
        """``revenue``: what the operator invoiced per month; ``days``: the daily usage
        figures, if the caller has them already (read here otherwise)."""
        self._staff(caller)
        targets = [
            QuarterTarget(r.quarter, r.servers, r.revenue) for r in store.plan_targets(session)
        ]
        if days is None:
            days = self.metering.daily(session, self.clock.now().date() - timedelta(days=400))
        running = {d.day: d.average_running for d in days}
        return compare(targets, running, revenue)
