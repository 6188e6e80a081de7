"""Matching over a period by stretches gives exactly what matching every hour gives."""

from datetime import UTC, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from andromede.prepaid.reservation_matching import Piece, Span, match_period
from andromede.prepaid.reservations import Pool, Run, by_hour, utilization

T0 = datetime(2026, 3, 1, tzinfo=UTC)
END = T0 + timedelta(hours=48)
SIZES = {"a": 1, "b": 2, "c": 4, "d": 8}


@st.composite
def pieces(draw: st.DrawFn) -> list[Piece]:
    found = []
    for n, server in enumerate(draw(st.lists(st.sampled_from("abcd"), max_size=6))):
        family = draw(st.sampled_from(["v", "w"]))
        moment = T0 + timedelta(seconds=draw(st.integers(0, 40 * 3600)))
        for k in range(draw(st.integers(1, 3))):
            length = timedelta(seconds=draw(st.integers(1, 30 * 3600)))
            end = min(moment + length, END)
            if end <= moment:
                break
            found.append(Piece(f"{n}-{k}", f"s{n}", family, "fr-par-1", SIZES[server], moment, end))
            moment = end + timedelta(seconds=draw(st.integers(0, 5 * 3600)))
    return found


@st.composite
def spans(draw: st.DrawFn) -> list[Span]:
    found = []
    for n in range(draw(st.integers(0, 3))):
        start = T0 + timedelta(hours=draw(st.integers(0, 40)))
        hours = draw(st.integers(1, 48))
        units = draw(st.sampled_from([1, 2, 4, 8]))
        family = draw(st.sampled_from(["v", "w"]))
        found.append(
            Span(f"r{n}", family, "fr-par-1", units, start, start + timedelta(hours=hours))
        )
    return found


def hour_by_hour(found: list[Piece], bought: list[Span]) -> tuple[int, int, dict[str, int]]:
    runs = [Run(p.server_id, p.family, p.region, p.size_units, p.start, p.end) for p in found]
    hours = by_hour(runs)
    every = {T0 + timedelta(hours=h): hours.get(T0 + timedelta(hours=h), []) for h in range(48)}

    def pools_at(hour: datetime) -> list[Pool]:
        return [s.pool() for s in bought if s.start <= hour < s.end]

    result = utilization(every, pools_at)
    return result.eligible, result.covered, result.used


@settings(max_examples=300, deadline=None)
@given(pieces(), spans())
def test_stretches_match_what_every_hour_gives(found: list[Piece], bought: list[Span]) -> None:
    period = match_period(found, bought, T0, END)
    eligible, covered, used = hour_by_hour(found, bought)
    assert (period.eligible, period.covered_total) == (eligible, covered)
    assert {k: v for k, v in period.used.items() if v} == {k: v for k, v in used.items() if v}
    assert sum(period.covered.values()) == covered
    for span in bought:
        in_force = max(min(span.end, END) - max(span.start, T0), timedelta(0))
        purchased = period.purchased.get(span.reservation_id, 0)
        assert purchased == span.units * in_force.total_seconds()
        assert period.used.get(span.reservation_id, 0) <= purchased  # never beyond what was bought


@settings(max_examples=200, deadline=None)
@given(pieces(), spans())
def test_no_piece_is_covered_beyond_its_own_usage(found: list[Piece], bought: list[Span]) -> None:
    period = match_period(found, bought, T0, END)
    by_key = {p.key: p for p in found}
    per_piece: dict[str, int] = {}
    for (key, _), amount in period.covered.items():
        per_piece[key] = per_piece.get(key, 0) + amount
    for key, amount in per_piece.items():
        piece = by_key[key]
        assert 0 < amount <= piece.size_units * (piece.end - piece.start).total_seconds()


def test_a_month_of_steady_use_is_one_stretch() -> None:
    start, end = T0, T0 + timedelta(days=31)
    server = Piece("p", "s", "v", "fr-par-1", 2, start, end)
    reservation = Span("r", "v", "fr-par-1", 2, start, end)
    result = match_period([server], [reservation], start, end)
    assert result.covered == {("p", "r"): 2 * 31 * 24 * 3600}
    assert result.used["r"] == result.purchased["r"]
