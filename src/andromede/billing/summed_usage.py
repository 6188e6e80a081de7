"""A month's server usage for its invoices: derived, rated and added up in one pass. Pure.

The month close needs of most customers' usage only what each invoice line adds up. Going
segment by segment (``derive_segments``, then ``rate``, then ``summed_by_party``) built a
segment and a rated piece for each of 175,000 pieces of a 10,000-server month, to add them
up a moment later. Here each piece is priced and added where it is cut, and only the first
piece of each line becomes a segment. The runs, the cuts, the prices and the quantities
are the segment path's own functions, and the pieces are added in the order that path
adds them, so the sums are the same to the last digit: that path is the oracle its
property test compares against.

Customers whose usage needs the pieces themselves are ``detailed``: their segments come
back as the segment path gives them (reservations cover pieces one by one, a cluster's
fee is cut from its nodes' pieces).
"""

from bisect import bisect_right
from collections.abc import Callable, Iterable, Sequence
from datetime import datetime
from decimal import Decimal
from typing import NamedTuple

from andromede.billing.rating import UNITS, RatedSegment, price_lookup, quantity
from andromede.catalog.pricing import PriceBook, Prices
from andromede.metering.segments import (
    DIMENSIONS,
    STOPPED,
    Carried,
    Segment,
    StateEvent,
    by_server_carried,
    by_server_streamed,
    open_run,
    pieces_of_run,
    runs_of,
    segment_of,
    segments_of_run,
    sku_of,
)

__all__ = ["ServerUsage", "summed_server_usage"]

# partner, customer, SKU, wording and the three prices: what ``summed_by_party`` adds by
Key = tuple[str, str, str, str, Decimal, Decimal, Decimal]


class ServerUsage(NamedTuple):
    summed: list[RatedSegment]  # the other customers': one rated piece per invoice key
    kept: list[Segment]  # the ``detailed`` customers' segments
    open_at_end: dict[tuple[str, str], StateEvent]  # ``open_at(events, until, carried)``


def summed_server_usage(
    events: Iterable[StateEvent],
    *,
    start: datetime,
    until: datetime,
    cuts: Sequence[datetime],
    book: PriceBook,
    tiers: dict[str, str],
    detailed: frozenset[str],
    carried: Carried | None = None,
) -> ServerUsage:
    """The usage of the customers not ``detailed``, one rated piece per invoice key, its
    quantity the sum and its segment the earliest; the segments of the ``detailed`` ones.
    With ``derive_segments(events, until=until, boundaries=cuts, carried=carried)`` kept
    from ``start`` on: ``summed_by_party`` gives from the first what it gives from those
    segments rated, less the detailed customers'. The runs still open at ``until`` come
    along, those of stopped servers too: what the next period carries (``open_at``).
    ``events`` in a list may come in any order; any other iterable is read as a stream, one
    server at a time, and must come in (server, time, key) order, each once
    (``by_server_streamed``: ``OutOfOrder`` otherwise)."""
    boundaries = sorted(set(cuts))
    carried = carried or {}
    lines = _Lines(price_lookup(book, tiers), book.change_times(), start, boundaries)
    kept: list[Segment] = []
    still_open: dict[tuple[str, str], StateEvent] = {}
    grouped = (
        by_server_carried(events, carried)
        if isinstance(events, list)
        else by_server_streamed(events, carried)
    )
    for server_id, server_events in grouped:
        stopped = open_run(server_events, STOPPED, until, carried.get((server_id, "stopped")))
        if stopped is not None:  # not billed: carried for the idle time
            still_open[(server_id, "stopped")] = stopped
        for dimension, states in DIMENSIONS:
            opened = carried.get((server_id, dimension))
            for run, end in runs_of(server_events, states, until, opened):
                if end == until:
                    still_open[(server_id, dimension)] = run
                if dimension == "disk" and not run.disk_gib:
                    continue
                if run.customer_id in detailed:
                    found = segments_of_run(run, end, dimension, boundaries)
                    kept.extend(s for s in found if s.start >= start)
                else:
                    lines.add(run, end, dimension)
    return ServerUsage(lines.pieces(), kept, still_open)


class _Line:
    """One invoice key's sum, and its earliest piece (the line's place on the invoice)."""

    __slots__ = ("first", "total")

    def __init__(self, first: tuple[StateEvent, str, str, datetime, datetime, Decimal]) -> None:
        self.total = Decimal(0)
        self.first = first


class _Lines:
    """The sums by invoice key, added in the segment path's order. A month close adds
    175,000 pieces: each run finds its keys' sums through (SKU, partner, customer) once,
    then each piece through its price stretch, as ``price_lookup`` keys its prices, so
    that a piece costs a few lookups, not a price lookup, a key of seven and three probes
    by it."""

    def __init__(
        self,
        prices_for: Callable[[str, str, str, datetime], Prices],
        changes: list[datetime],
        start: datetime,
        boundaries: list[datetime],
    ) -> None:
        self.prices_for, self.changes = prices_for, changes
        self.start, self.boundaries = start, boundaries
        self.lines: dict[Key, _Line] = {}
        # (SKU, partner, customer), then the price stretch: the line a piece adds to
        self.by_run: dict[tuple[str, str, str], dict[int, _Line]] = {}

    def add(self, opened: StateEvent, end: datetime, dimension: str) -> None:
        pieces = pieces_of_run(opened.at, end, self.boundaries)
        sku = sku_of(opened, dimension)
        run = (sku, opened.partner_id, opened.customer_id)
        stretches = self.by_run.get(run)
        if stretches is None:
            stretches = self.by_run[run] = {}
        changes, start, gib = self.changes, self.start, opened.disk_gib
        for a, b, seconds in pieces:
            if a < start:
                continue
            stretch = bisect_right(changes, a)
            line = stretches.get(stretch)
            if line is None:
                line = stretches[stretch] = self._line(
                    run, a, (opened, dimension, sku, a, b, seconds)
                )
            elif a < line.first[3]:
                line.first = (opened, dimension, sku, a, b, seconds)
            line.total += quantity(dimension, seconds, gib)

    def _line(
        self,
        run: tuple[str, str, str],
        at: datetime,
        first: tuple[StateEvent, str, str, datetime, datetime, Decimal],
    ) -> _Line:
        """The line of a run's stretch: stretches at the same prices share one."""
        sku, partner, customer = run
        prices = self.prices_for(sku, partner, customer, at)
        key = (partner, customer, sku, "", prices.list, prices.wholesale, prices.resale)
        line = self.lines.get(key)
        if line is None:
            line = self.lines[key] = _Line(first)
        elif at < line.first[3]:
            line.first = first
        return line

    def pieces(self) -> list[RatedSegment]:
        found = []
        for key, line in self.lines.items():
            *_, list_price, wholesale, resale = key
            opened, dimension, sku, a, b, seconds = line.first
            segment = segment_of(opened, dimension, sku, a, b, seconds)
            found.append(
                RatedSegment(segment, line.total, UNITS[dimension], list_price, wholesale, resale)
            )
        return found
