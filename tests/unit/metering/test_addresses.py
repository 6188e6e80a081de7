"""A floating IP's hours: the part of its hold inside the period, cut at price changes,
its own SKU, the address named; checked against plain interval arithmetic."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from itertools import pairwise

from hypothesis import given
from hypothesis import strategies as st

from andromede.metering.addresses import Hold, address_segments

START = datetime(2026, 10, 1, tzinfo=UTC)
END = datetime(2026, 11, 1, tzinfo=UTC)


def hold(start: datetime, end: datetime | None) -> Hold:
    return Hold("f1", "10.0.0.42", "fr-par-1", start, end, "p", "c", "pa")


def test_a_hold_inside_the_month() -> None:
    made = address_segments(
        [hold(START + timedelta(hours=2), START + timedelta(hours=12))], START, END
    )
    assert [(s.sku, s.dimension, s.seconds, s.owner) for s in made] == [
        ("floating-ip:fr-par-1", "floating_ip", Decimal(36_000), "10.0.0.42")
    ]


def test_still_held_and_cut_at_a_price_change() -> None:
    cut = START + timedelta(days=15)
    made = address_segments([hold(START - timedelta(days=3), None)], START, END, [cut])
    assert [(s.start, s.end) for s in made] == [(START, cut), (cut, END)]


def test_released_before_or_allocated_after_the_month_costs_nothing() -> None:
    before = hold(START - timedelta(days=2), START - timedelta(days=1))
    after = hold(END, None)
    assert address_segments([before, after], START, END) == []


instants = st.integers(min_value=-40 * 24, max_value=70 * 24).map(
    lambda h: START + timedelta(hours=h)
)


@given(instants, st.one_of(st.none(), instants), st.lists(instants, max_size=4))
def test_billed_seconds_are_the_overlap(
    a: datetime, b: datetime | None, cuts: list[datetime]
) -> None:
    end = None if b is None else max(a, b)
    made = address_segments([hold(a, end)], START, END, cuts)
    first, last = max(a, START), min(end or END, END)
    overlap = max(Decimal(0), Decimal((last - first).total_seconds()))
    assert sum((s.seconds for s in made), Decimal(0)) == overlap
    assert all(START <= s.start < s.end <= END for s in made)
    assert all(s.start == p.end for p, s in pairwise(made))
