"""Holdings (volumes, snapshots, backups, addresses) turned into segments: clipped to the
period, cut at price changes, never losing or adding a second."""

from datetime import UTC, datetime, timedelta
from itertools import pairwise

from hypothesis import given
from hypothesis import strategies as st

from andromede.metering.holdings import Holding, holding_segments

START = datetime(2026, 10, 1, tzinfo=UTC)
END = datetime(2026, 11, 1, tzinfo=UTC)


def held(start: datetime, end: datetime | None, gib: int = 100) -> Holding:
    return Holding(
        "vol-1", "volume", "volume:ssd:fr-par-1", "ledger", gib, "fr-par-1", start, end,
        "p", "c", "pa",
    )  # fmt: skip


def test_a_volume_held_across_the_month_is_clipped_and_cut_at_a_price_change() -> None:
    cut = datetime(2026, 10, 15, tzinfo=UTC)
    found = holding_segments([held(START - timedelta(days=3), None)], START, END, [cut])
    assert [(s.start, s.end, s.gib, s.owner) for s in found] == [
        (START, cut, 100, "ledger"),
        (cut, END, 100, "ledger"),
    ]
    assert all(s.dimension == "volume" and s.sku == "volume:ssd:fr-par-1" for s in found)


def test_a_holding_outside_the_period_gives_nothing() -> None:
    assert holding_segments([held(END, None)], START, END) == []
    assert holding_segments([held(START - timedelta(days=2), START)], START, END) == []


@given(
    offset=st.integers(0, 31 * 24 * 3600),
    length=st.integers(1, 40 * 24 * 3600),
    cuts=st.lists(st.integers(0, 31 * 24 * 3600), max_size=5),
)
def test_segments_cover_exactly_the_seconds_held_inside_the_period(
    offset: int, length: int, cuts: list[int]
) -> None:
    start = START - timedelta(days=3) + timedelta(seconds=offset)
    end = start + timedelta(seconds=length)
    boundaries = [START + timedelta(seconds=c) for c in cuts]
    found = holding_segments([held(start, end)], START, END, boundaries)
    inside = max(timedelta(0), min(end, END) - max(start, START)).total_seconds()
    assert sum(s.seconds for s in found) == inside
    assert all(a.end == b.start for a, b in pairwise(found))
