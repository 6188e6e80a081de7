"""The business plan against what happened: targets per quarter for servers running and
revenue, the actual figures beside them, and the gap. Pure."""

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from andromede.billing.rating import RatedSegment
from andromede.kernel.errors import ValidationFailed
from andromede.kernel.money import round_cents

__all__ = [
    "PlanLine",
    "QuarterTarget",
    "compare",
    "operator_revenue",
    "quarter_months",
    "quarter_of",
    "run_rate",
    "valid_quarter",
]

QUARTER = re.compile(r"^(\d{4})-Q([1-4])$")


@dataclass(frozen=True)
class QuarterTarget:
    quarter: str  # 2026-Q4
    servers: int  # servers running on average over the quarter
    revenue: Decimal  # invoiced in the quarter, excluding VAT


@dataclass(frozen=True)
class PlanLine:
    quarter: str
    servers_target: int
    servers_actual: Decimal | None  # None: no day of the quarter measured yet
    revenue_target: Decimal
    revenue_actual: Decimal

    @property
    def servers_gap(self) -> Decimal | None:
        return _gap(self.servers_actual, Decimal(self.servers_target))

    @property
    def revenue_gap(self) -> Decimal | None:
        return _gap(self.revenue_actual, self.revenue_target)


def _gap(actual: Decimal | None, target: Decimal) -> Decimal | None:
    """Actual against target, as a share: -0.25 is 25 % short."""
    if actual is None or target <= 0:
        return None
    return actual / target - 1


def operator_revenue(rated: Iterable[RatedSegment], house: set[str]) -> Decimal:
    """What the operator earns on usage: list price from its direct (house) customers,
    wholesale from partners; rounded once."""
    total = sum(
        (r.list_amount if r.segment.partner_id in house else r.wholesale_amount for r in rated),
        Decimal(0),
    )
    return round_cents(total)


def run_rate(days: Iterable[Decimal], count: int = 30) -> Decimal:
    """The last ``count`` finished days' revenue, annualised."""
    window = list(days)[-count:]
    return round_cents(sum(window, Decimal(0)) * 365 / count)


def valid_quarter(text: str) -> str:
    if not QUARTER.match(text or ""):
        raise ValidationFailed.one("quarter", "must look like 2026-Q4")
    return text


def quarter_of(day: date) -> str:
    return f"{day.year}-Q{(day.month - 1) // 3 + 1}"


def quarter_months(quarter: str) -> list[str]:
    match = QUARTER.match(quarter)
    if not match:
        raise ValueError(quarter)
    year, number = int(match.group(1)), int(match.group(2))
    return [f"{year}-{month:02d}" for month in range(3 * number - 2, 3 * number + 1)]


def compare(
    targets: Iterable[QuarterTarget],
    running: Mapping[date, Decimal],
    revenue: Mapping[str, Decimal],
) -> list[PlanLine]:
    """``running``: average servers running per day; ``revenue``: invoiced per month."""
    lines = []
    for target in sorted(targets, key=lambda t: t.quarter):
        days = [v for d, v in running.items() if quarter_of(d) == target.quarter]
        servers = sum(days, Decimal(0)) / len(days) if days else None
        invoiced = sum(
            (revenue.get(m, Decimal(0)) for m in quarter_months(target.quarter)), Decimal(0)
        )
        lines.append(PlanLine(target.quarter, target.servers, servers, target.revenue, invoiced))
    return lines
