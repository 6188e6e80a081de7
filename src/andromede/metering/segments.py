"""Usage segments from state-change events. Pure and idempotent.

A server's events are replayed in order; a change of flavor (a resize) starts a new run.
Compute is used while the server runs (ACTIVE, REBOOT or REBUILD), per flavor and region;
its disk while it exists (those or SHUTOFF), in GiB. Each run becomes a segment
``[start, end)``, cut at every boundary given (month starts, price changes) and at the end
of the period. A run shorter than 60 s is billed 60 s: the difference is added to its first
piece. The same event delivered twice counts once.
"""

from bisect import bisect_right
from collections.abc import Iterable, Iterator, Mapping, Sequence
from datetime import datetime
from decimal import Decimal
from itertools import groupby, islice, pairwise
from operator import attrgetter, ge
from typing import NamedTuple

from andromede.catalog.pricing import compute_sku, disk_sku

__all__ = [
    "CARRIED",
    "DIMENSIONS",
    "MINIMUM_SECONDS",
    "STOPPED",
    "Carried",
    "OutOfOrder",
    "Segment",
    "StateEvent",
    "by_server",
    "by_server_carried",
    "by_server_streamed",
    "compute_sku",
    "derive_segments",
    "disk_sku",
    "idle_segments",
    "open_at",
    "open_run",
    "pieces_of_run",
    "runs_of",
    "seconds_between",
    "segment_of",
    "segments_of_run",
    "sku_of",
]

MINIMUM_SECONDS = Decimal(60)
RUNNING = frozenset({"ACTIVE", "REBOOT", "REBUILD"})  # a rebuild keeps its host: as running
EXISTING = frozenset({"ACTIVE", "REBOOT", "REBUILD", "SHUTOFF"})
STOPPED = frozenset({"SHUTOFF"})
# what each server is billed for, and while in which states, in the order derived
DIMENSIONS = (("compute", RUNNING), ("disk", EXISTING))
# the runs a period carries over from the one before: the billed ones, and the time a
# server stood stopped (``idle_segments``)
CARRIED = (*DIMENSIONS, ("stopped", STOPPED))


class StateEvent(NamedTuple):
    """Tuples, not dataclasses: a month close builds one per event (300,000 for 10,000
    servers), and a frozen dataclass costs several times as much to build."""

    key: int | str  # unique per real event (a duplicate delivery has the same key): the
    # database's sequence number; sorts events of the same instant in order
    server_id: str
    at: datetime
    status: str
    flavor: str
    region: str
    disk_gib: int
    project_id: str
    customer_id: str
    partner_id: str


class Segment(NamedTuple):
    server_id: str
    dimension: str  # "compute" (quantity: seconds) or "disk" (quantity: GiB-seconds)
    sku: str
    start: datetime
    end: datetime
    seconds: Decimal  # billed seconds: end - start, plus the run minimum on a first piece
    gib: int
    region: str
    flavor: str
    project_id: str
    customer_id: str
    partner_id: str
    vcpus: int = 0  # a fee per vCPU (cluster): the node's
    owner: str = ""  # what a fee is for (the cluster's name)

    @property
    def quantity(self) -> Decimal:
        if self.dimension == "compute":
            return self.seconds
        if self.dimension == "cluster":
            return self.seconds * self.vcpus
        return self.seconds * self.gib


# (server id, dimension): the change that opened a run still open at a boundary, which a
# period starting there carries over instead of reading the server's history before it
Carried = Mapping[tuple[str, str], StateEvent]


def seconds_between(start: datetime, end: datetime) -> Decimal:
    delta = end - start
    whole = Decimal(delta.days * 86400 + delta.seconds)
    return whole + Decimal(delta.microseconds) / 10**6 if delta.microseconds else whole


def runs_of(
    events: Sequence[StateEvent],
    active: frozenset[str],
    until: datetime,
    opened: StateEvent | None = None,
) -> list[tuple[StateEvent, datetime]]:
    """(event that opened the run, end of the run) for each maximal run in ``active``;
    ``opened``, a run already open before the first event (carried over a boundary)."""
    runs: list[tuple[StateEvent, datetime]] = []
    for event in events:
        if event.at >= until:
            break
        inside = event.status in active
        if inside and opened is not None and event.flavor != opened.flavor:
            runs.append((opened, event.at))  # resized: a new run at the new flavor
            opened = event
        elif inside and opened is None:
            opened = event
        elif not inside and opened is not None:
            runs.append((opened, event.at))
            opened = None
    if opened is not None:
        runs.append((opened, until))
    return runs


def open_run(
    events: Sequence[StateEvent],
    active: frozenset[str],
    until: datetime,
    opened: StateEvent | None = None,
) -> StateEvent | None:
    """The event that opened the run in ``active`` still open at ``until`` (``runs_of``'s
    last run, when it ends there), found from the end: only that run's events are looked
    at, not every run before it."""
    last = len(events)
    while last and events[last - 1].at >= until:
        last -= 1
    if not last:
        return opened  # no change before ``until``: what was open stays open
    final = events[last - 1]
    if final.status not in active:
        return None
    first = last - 1
    while first and events[first - 1].status in active and events[first - 1].flavor == final.flavor:
        first -= 1
    if first == 0 and opened is not None and opened.flavor == final.flavor:
        return opened  # the carried run goes on through every change
    return events[first]


def segments_of_run(
    opened: StateEvent,
    end: datetime,
    dimension: str,
    boundaries: Sequence[datetime],
    minimum: Decimal = MINIMUM_SECONDS,
) -> list[Segment]:
    sku = sku_of(opened, dimension)
    return [
        segment_of(opened, dimension, sku, a, b, seconds)
        for a, b, seconds in pieces_of_run(opened.at, end, boundaries, minimum)
    ]


def sku_of(opened: StateEvent, dimension: str) -> str:
    if dimension == "compute":
        return compute_sku(opened.flavor, opened.region)
    return disk_sku(opened.region)


def pieces_of_run(
    start: datetime,
    end: datetime,
    boundaries: Sequence[datetime],
    minimum: Decimal = MINIMUM_SECONDS,
) -> list[tuple[datetime, datetime, Decimal]]:
    """A run ``[start, end)`` cut at the ``boundaries`` (sorted) inside it: (start, end,
    billed seconds) of each piece, the run minimum topped up on the first. Most runs have
    no boundary inside (no price change or month start), which one look tells."""
    first = bisect_right(boundaries, start)
    if first == len(boundaries) or boundaries[first] >= end:  # one piece: most runs
        seconds = seconds_between(start, end)
        if seconds < minimum:  # as below, to the same digits (60 s run minimum)
            seconds = seconds + minimum - seconds
        return [(start, end, seconds)]
    inside = [b for b in boundaries[first:] if b < end]
    pieces = [(a, b, seconds_between(a, b)) for a, b in pairwise([start, *inside, end])]
    total = sum((seconds for _, _, seconds in pieces), Decimal(0))
    if total < minimum:
        a, b, seconds = pieces[0]
        pieces[0] = (a, b, seconds + minimum - total)
    return pieces


def segment_of(
    opened: StateEvent, dimension: str, sku: str, start: datetime, end: datetime, seconds: Decimal
) -> Segment:
    return Segment(
        opened.server_id,
        dimension,
        sku,
        start,
        end,
        seconds,
        opened.disk_gib,
        opened.region,
        opened.flavor,
        opened.project_id,
        opened.customer_id,
        opened.partner_id,
    )


def by_server(events: Iterable[StateEvent]) -> list[list[StateEvent]]:
    """Each server's events in order; the same event delivered twice counts once. Events
    read from the database come grouped and in order, once each: then only checked."""
    given = events if isinstance(events, list) else list(events)
    return _grouped_in_order(given) or _sorted_by_server(given)


def _grouped_in_order(events: list[StateEvent]) -> list[list[StateEvent]] | None:
    """The events cut into one list per server if they are already in (server, time, key)
    order, each strictly after the last (so none twice); None otherwise."""
    try:
        return [group for _, group in by_server_streamed(events, {})]
    except OutOfOrder:
        return None


class OutOfOrder(ValueError):
    """Events that had to come in (server, time, key) order, each once, did not."""


def by_server_streamed(
    events: Iterable[StateEvent], carried: Carried
) -> Iterator[tuple[str, list[StateEvent]]]:
    """``by_server_carried`` for events that come in (server, time, key) order, each once,
    as a database reads them: one server at a time, so that only one server's events are
    held at once (a month close of 100,000 servers reads 3 million; held together, making
    them cost more than reading them). Raises ``OutOfOrder`` where they do not come so,
    after the servers before: what has not been read yet cannot be sorted. Cut and
    checked by the interpreter's own iterators."""
    alone = sorted({server_id for server_id, _ in carried})  # in order, to merge in
    waiting = 0
    previous: str | None = None
    for server_id, group in groupby(events, _SERVER_OF):
        current = list(group)
        stamps = list(map(_STAMP_OF, current))
        if (previous is not None and server_id <= previous) or any(
            map(ge, stamps, islice(stamps, 1, None))
        ):
            raise OutOfOrder(f"the changes of server {server_id} came out of order")
        while waiting < len(alone) and alone[waiting] < server_id:
            yield alone[waiting], []
            waiting += 1
        if waiting < len(alone) and alone[waiting] == server_id:
            waiting += 1
        previous = server_id
        yield server_id, current
    for server_id in alone[waiting:]:
        yield server_id, []


_SERVER_OF = attrgetter("server_id")
_STAMP_OF = attrgetter("at", "key")


def _sorted_by_server(events: list[StateEvent]) -> list[list[StateEvent]]:
    unique = {e.key: e for e in events}
    by_server: dict[str, list[StateEvent]] = {}
    for event in sorted(unique.values(), key=lambda e: (e.server_id, e.at, e.key)):
        by_server.setdefault(event.server_id, []).append(event)
    return list(by_server.values())


def by_server_carried(
    events: Iterable[StateEvent], carried: Carried
) -> list[tuple[str, list[StateEvent]]]:
    """``by_server`` with each server's id, and the servers with a carried run but no
    change of their own in their place (in id order, as ``by_server`` gives them)."""
    groups = [(group[0].server_id, group) for group in by_server(events)]
    if not carried:
        return groups
    found = dict(groups)
    for server_id, _ in carried:
        found.setdefault(server_id, [])
    return sorted(found.items())


def derive_segments(
    events: Iterable[StateEvent],
    *,
    until: datetime,
    boundaries: Sequence[datetime] = (),
    carried: Carried | None = None,
) -> list[Segment]:
    """All segments up to ``until`` for the servers in ``events`` (and in ``carried``:
    the runs open before them), ordered by server, start."""
    cuts = sorted(set(boundaries))
    carried = carried or {}
    segments: list[Segment] = []
    for server_id, server_events in by_server_carried(events, carried):
        for dimension, states in DIMENSIONS:
            opened = carried.get((server_id, dimension))
            for run, end in runs_of(server_events, states, until, opened):
                if dimension == "disk" and not run.disk_gib:
                    continue
                segments.extend(segments_of_run(run, end, dimension, cuts))
    return segments


def open_at(
    events: Iterable[StateEvent], at: datetime, carried: Carried | None = None
) -> dict[tuple[str, str], StateEvent]:
    """The runs of each ``CARRIED`` kind still open at ``at`` (what a period starting
    there carries): from the events before it, after the runs ``carried`` into them."""
    carried = carried or {}
    found: dict[tuple[str, str], StateEvent] = {}
    for server_id, server_events in by_server_carried(events, carried):
        for kind, states in CARRIED:
            runs = runs_of(server_events, states, at, carried.get((server_id, kind)))
            if runs and runs[-1][1] == at:
                found[(server_id, kind)] = runs[-1][0]
    return found


def idle_segments(
    events: Iterable[StateEvent],
    *,
    until: datetime,
    boundaries: Sequence[datetime] = (),
    carried: Carried | None = None,
) -> list[Segment]:
    """Compute segments of the time each server existed stopped (SHUTOFF), at its flavor
    then, to the second: what running it would have cost, which is what an on/off schedule
    saved. Nothing is billed from these. ``carried``: as ``derive_segments``'s."""
    cuts = sorted(set(boundaries))
    carried = carried or {}
    found: list[Segment] = []
    for server_id, server_events in by_server_carried(events, carried):
        opened = carried.get((server_id, "stopped"))
        for run, end in runs_of(server_events, STOPPED, until, opened):
            found.extend(segments_of_run(run, end, "compute", cuts, minimum=Decimal(0)))
    return found
