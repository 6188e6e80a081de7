"""The month close adds most customers' server usage up in one pass
(``summed_server_usage``); going segment by segment (``derive_segments``, ``rate``, then
``summed_by_party``) stays the oracle. On random months — events before the month,
repeats and disorder, resizes, short runs, price changes inside runs, servers changing
hands, customers kept in detail — both give the same pieces, to the last digit."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from andromede.billing.invoicing import summed_by_party
from andromede.billing.rating import RatedSegment, rate
from andromede.billing.summed_usage import summed_server_usage
from andromede.catalog.pricing import PriceBook, PriceEntry, compute_sku, disk_sku
from andromede.metering.segments import (
    OutOfOrder,
    StateEvent,
    derive_segments,
    idle_segments,
    open_at,
)
from tests.unit.billing.price_books import price_entries

START = datetime(2026, 10, 1, tzinfo=UTC)
UNTIL = datetime(2026, 11, 1, tzinfo=UTC)
FLAVORS = ("SCS-2V-4", "SCS-4V-8")
REGIONS = ("fr-par-1", "fr-rns-1")
SKUS = [compute_sku(f, r) for f in FLAVORS for r in REGIONS] + [disk_sku(r) for r in REGIONS]
STATUSES = ("ACTIVE", "SHUTOFF", "BUILD", "REBOOT", "ERROR", "DELETED")
PARTNERS = {"p1": "registered", "p2": "gold"}
OWNERS = {"c1": "p1", "c2": "p1", "c3": "p2", "c4": "p2"}

# seconds from the month's start: some before it, many short gaps (the one-minute minimum)
instants = st.one_of(
    st.integers(min_value=-86_400, max_value=31 * 86_400),
    st.integers(min_value=0, max_value=600),
)


@st.composite
def months(draw: st.DrawFn) -> list[StateEvent]:
    events: list[StateEvent] = []
    for n in range(draw(st.integers(min_value=0, max_value=5))):
        owner = draw(st.sampled_from(sorted(OWNERS)))
        disk = draw(st.sampled_from([0, 20, 100]))
        region = draw(st.sampled_from(REGIONS))
        for _ in range(draw(st.integers(min_value=1, max_value=12))):
            if draw(st.integers(min_value=0, max_value=9)) == 0:  # changes hands
                owner = draw(st.sampled_from(sorted(OWNERS)))
            at = START + timedelta(seconds=draw(instants), microseconds=draw(st.integers(0, 9)))
            status, flavor = draw(st.sampled_from(STATUSES)), draw(st.sampled_from(FLAVORS))
            args: Any = (f"s{n}", at, status, flavor, region, disk, "proj", owner, OWNERS[owner])
            events.append(StateEvent(len(events), *args))
    if draw(st.booleans()):  # as the database hands them over
        return sorted(events, key=lambda e: (e.server_id, e.at, e.key))
    return draw(st.permutations(events)) + events[: draw(st.integers(0, 3))]


def exact(pieces: dict[str, dict[str, list[RatedSegment]]]) -> list[Any]:
    """The pieces with each quantity's digits and exponent, not only its value."""
    return sorted(
        (repr(piece), piece.quantity.as_tuple())
        for by_customer in pieces.values()
        for own in by_customer.values()
        for piece in own
    )


@settings(max_examples=400, deadline=None)
@given(
    months(),
    price_entries(SKUS, PARTNERS, sorted(OWNERS), START, 6),
    st.sets(st.sampled_from(sorted(OWNERS))),
)
def test_the_one_pass_sums_are_the_segment_paths(
    events: list[StateEvent], entries: list[PriceEntry], detailed: set[str]
) -> None:
    book = PriceBook(entries)
    cuts = [START, *(t for t in book.change_times() if START < t < UNTIL)]
    segments = [
        s for s in derive_segments(events, until=UNTIL, boundaries=cuts) if s.start >= START
    ]
    rated = rate(segments, book, PARTNERS)
    plain, kept, still_open = summed_server_usage(
        events,
        start=START,
        until=UNTIL,
        cuts=cuts,
        book=book,
        tiers=PARTNERS,
        detailed=frozenset(detailed),
    )
    assert kept == [s for s in segments if s.customer_id in detailed]
    assert still_open == open_at(events, UNTIL)
    expected = summed_by_party(r for r in rated if r.segment.customer_id not in detailed)
    assert summed_by_party(plain) == expected
    assert exact(summed_by_party(plain)) == exact(expected)
    assert len(plain) == sum(len(own) for by in expected.values() for own in by.values())
    # as the close plans: the sums beside the detailed customers' pieces, rated
    together = summed_by_party([*plain, *rate(kept, book, PARTNERS)])
    assert exact(together) == exact(summed_by_party(rated))


@settings(max_examples=300, deadline=None)
@given(
    months(),
    price_entries(SKUS, PARTNERS, sorted(OWNERS), START, 6),
    st.sets(st.sampled_from(sorted(OWNERS))),
    st.sampled_from([0, 600, 43_200]),
)
def test_carrying_the_runs_open_at_a_month_end_is_the_whole_history(
    events: list[StateEvent], entries: list[PriceEntry], detailed: set[str], before: int
) -> None:
    """A month's usage read from the runs open at a month end at or before its start
    (carried from that month's close) and the changes after it, not each server's whole
    history: the same pieces to the last digit, the same segments, the same idle time of
    stopped servers, the same runs open at its end."""
    book = PriceBook(entries)
    cuts = [START, *(t for t in book.change_times() if START < t < UNTIL)]
    point = START - timedelta(seconds=before)
    carried = open_at([e for e in events if e.at < point], point)
    after = [e for e in events if e.at >= point]
    usage: Any = dict(start=START, until=UNTIL, cuts=cuts, book=book, tiers=PARTNERS)
    whole = summed_server_usage(events, **usage, detailed=frozenset(detailed))
    part = summed_server_usage(after, **usage, detailed=frozenset(detailed), carried=carried)
    assert exact(summed_by_party(part.summed)) == exact(summed_by_party(whole.summed))
    assert part.kept == whole.kept
    assert part.open_at_end == whole.open_at_end == open_at(after, UNTIL, carried)
    # as a close reads them: streamed in the database's order, each once
    read = sorted({e.key: e for e in after}.values(), key=lambda e: (e.server_id, e.at, e.key))
    streamed = summed_server_usage(
        iter(read), **usage, detailed=frozenset(detailed), carried=carried
    )
    assert exact(summed_by_party(streamed.summed)) == exact(summed_by_party(part.summed))
    assert streamed.kept == part.kept and streamed.open_at_end == part.open_at_end
    from_start = [
        s for s in derive_segments(events, until=UNTIL, boundaries=cuts) if s.start >= START
    ]
    carrying = derive_segments(after, until=UNTIL, boundaries=cuts, carried=carried)
    assert [s for s in carrying if s.start >= START] == from_start
    idle = [s for s in idle_segments(events, until=UNTIL, boundaries=cuts) if s.start >= START]
    stopped = idle_segments(after, until=UNTIL, boundaries=cuts, carried=carried)
    assert [s for s in stopped if s.start >= START] == idle


def test_a_stream_out_of_the_databases_order_is_refused_not_added_up() -> None:
    """A stream cannot be sorted before it has been read: a change out of (server, time,
    key) order, or one read twice, stops the sums (a list is sorted instead)."""
    owner: Any = ("proj", "c1", "p1")
    a1, a2, b1 = (
        StateEvent(key, server, START + timedelta(hours=hours), "ACTIVE", *SHAPE, *owner)
        for key, server, hours in ((1, "a", 1), (2, "a", 2), (3, "b", 1))
    )
    usage: Any = dict(start=START, until=UNTIL, cuts=[START], tiers=PARTNERS)
    book = PriceBook([PriceEntry("list", "price", "", sku, Decimal("0.01"), START) for sku in SKUS])
    for disorder in ([a2, a1, b1], [a1, b1, a2], [b1, a1, a2], [a1, a1, a2, b1]):
        in_a_list = summed_server_usage(disorder, **usage, book=book, detailed=frozenset())
        assert len(in_a_list.summed) == 2  # compute and disk, one line each
        with pytest.raises(OutOfOrder):
            summed_server_usage(iter(disorder), **usage, book=book, detailed=frozenset())


SHAPE = (FLAVORS[0], REGIONS[0], 20)


def test_a_line_starts_at_its_earliest_piece_whatever_stretch_is_met_first() -> None:
    """A price change of another SKU cuts the month in two stretches at the same prices
    for this one: one line. The server met first runs only after the change, the other
    only before it: the line is placed at the earlier piece, as the segment path
    places it."""
    change = START + timedelta(days=10)
    book = PriceBook(
        [
            PriceEntry("list", "price", "", SKUS[0], Decimal("0.02"), START),
            PriceEntry("list", "price", "", SKUS[1], Decimal("0.03"), START),
            PriceEntry("list", "price", "", SKUS[1], Decimal("0.01"), change),
            *(PriceEntry("list", "price", "", sku, Decimal("0.01"), START) for sku in SKUS[2:]),
        ]
    )
    owner: Any = ("proj", "c1", "p1")
    events = [
        StateEvent(1, "a", change + timedelta(days=2), "ACTIVE", FLAVORS[0], REGIONS[0], 0, *owner),
        StateEvent(
            2, "a", change + timedelta(days=3), "DELETED", FLAVORS[0], REGIONS[0], 0, *owner
        ),
        StateEvent(3, "b", START + timedelta(days=1), "ACTIVE", FLAVORS[0], REGIONS[0], 0, *owner),
        StateEvent(4, "b", START + timedelta(days=2), "DELETED", FLAVORS[0], REGIONS[0], 0, *owner),
    ]
    cuts = [START, change]
    usage = summed_server_usage(
        events, start=START, until=UNTIL, cuts=cuts, book=book, tiers=PARTNERS, detailed=frozenset()
    )
    segments = derive_segments(events, until=UNTIL, boundaries=cuts)
    (line,) = usage.summed
    assert (line.segment.server_id, line.segment.start, line.quantity) == (
        "b",
        events[2].at,
        Decimal(48),
    )
    assert exact(summed_by_party(usage.summed)) == exact(
        summed_by_party(rate(segments, book, PARTNERS))
    )
