"""The business plan against actual figures; the seed plan's ramp; the run-rate."""

import itertools
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from andromede.billing.plan import (
    QuarterTarget,
    compare,
    quarter_months,
    quarter_of,
    run_rate,
    valid_quarter,
)
from andromede.billing.plan_service import seed_targets
from andromede.kernel.errors import ValidationFailed


def test_quarters_of_days_and_months_of_quarters() -> None:
    assert quarter_of(date(2026, 12, 3)) == "2026-Q4"
    assert quarter_of(date(2027, 1, 1)) == "2027-Q1"
    assert quarter_months("2026-Q2") == ["2026-04", "2026-05", "2026-06"]
    for bad in ("2026-Q5", "2026Q1", "", "26-Q1"):
        with pytest.raises(ValidationFailed):
            valid_quarter(bad)


def test_actual_against_target_with_the_gap() -> None:
    targets = [
        QuarterTarget("2026-Q4", 100, Decimal(3000)),
        QuarterTarget("2027-Q1", 200, Decimal(0)),
    ]
    running = {date(2026, 10, 1): Decimal(60), date(2026, 12, 31): Decimal(90)}
    revenue = {"2026-10": Decimal(1000), "2026-11": Decimal(500), "2027-01": Decimal(7)}
    q4, q1 = compare(targets, running, revenue)
    assert (q4.servers_actual, q4.servers_gap) == (Decimal(75), Decimal("-0.25"))
    assert (q4.revenue_actual, q4.revenue_gap) == (Decimal(1500), Decimal("-0.5"))
    assert q1.servers_actual is None and q1.servers_gap is None  # nothing measured yet
    assert q1.revenue_actual == 7 and q1.revenue_gap is None  # no target to compare with


def test_the_seed_plan_ramps_to_10000_servers_and_200_million_a_year() -> None:
    plan = seed_targets(date(2026, 12, 3), 10_000, Decimal(200_000_000))
    assert [t.quarter for t in plan] == ["2026-Q4", "2027-Q1", "2027-Q2", "2027-Q3", "2027-Q4"]
    assert plan[0].servers == 1000 and plan[-1].servers == 10_000
    assert plan[-1].revenue * 4 == 200_000_000
    assert all(a.servers < b.servers for a, b in itertools.pairwise(plan))


@given(st.lists(st.decimals(min_value=0, max_value=10**7, places=2), min_size=30, max_size=60))
def test_the_run_rate_annualises_the_last_30_days_exactly(days: list[Decimal]) -> None:
    total = sum(days[-30:], Decimal(0)) * 365 / 30
    expected = total.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)  # cents, half up
    assert run_rate(days) == expected
