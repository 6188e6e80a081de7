"""Reservation matching over a whole period, without walking every hour. Pure.

The hourly rule (``reservations.match_hour``) is the definition; this module applies it
to a month or a year at the cost of the changes, not of the hours. Reservations start
and end on clock hours. An hour in which some usage piece starts or ends off the hour is
"ragged" and matched on its own; between such hours, every piece present runs the whole
hour and the reservations in force do not change, so one match stands for the whole
stretch, multiplied by its number of hours. The result is the same as matching hour by
hour (a property test holds it to that).
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from itertools import pairwise

from andromede.prepaid.reservations import SECONDS_PER_HOUR, Pool

__all__ = ["PeriodMatch", "Piece", "Span", "match_period"]

HOUR = timedelta(hours=1)


@dataclass(frozen=True)
class Piece:
    """A server's usage at one flavor and one price: ``key`` names it (a segment)."""

    key: str
    server_id: str
    family: str
    region: str
    size_units: int
    start: datetime
    end: datetime


@dataclass(frozen=True)
class Span:
    """A reservation in force from ``start`` to ``end`` (both on clock hours)."""

    reservation_id: str
    family: str
    region: str
    units: int
    start: datetime
    end: datetime

    def pool(self) -> Pool:
        return Pool(self.reservation_id, self.family, self.region, self.units, self.start)


@dataclass
class PeriodMatch:
    """Unit-seconds: covered per (piece key, reservation), used and bought per
    reservation, and the customer's eligible and covered usage."""

    covered: dict[tuple[str, str], int] = field(default_factory=dict)
    used: dict[str, int] = field(default_factory=dict)
    purchased: dict[str, int] = field(default_factory=dict)
    eligible: int = 0
    covered_total: int = 0

    def add(self, key: tuple[str, str], amount: int) -> None:
        if amount:
            self.covered[key] = self.covered.get(key, 0) + amount


def _floor(moment: datetime) -> datetime:
    return moment.replace(minute=0, second=0, microsecond=0)


def _edges(times: Iterable[datetime], start: datetime, end: datetime) -> list[datetime]:
    """Hour-aligned cut points: an aligned time cuts there; any other time makes its hour
    an interval of its own."""
    edges = {start, end}
    for t in times:
        hour = _floor(t)
        edges.add(hour)
        if hour != t:
            edges.add(hour + HOUR)
    return sorted(e for e in edges if start <= e <= end)


def _seconds(a: datetime, b: datetime) -> int:
    return int((b - a).total_seconds())


def match_period(
    pieces: Sequence[Piece], spans: Sequence[Span], start: datetime, end: datetime
) -> PeriodMatch:
    """Pieces and spans of one customer; the period is widened to whole clock hours (a
    month to date counts the hour in progress)."""
    start = _floor(start)
    end = end if _floor(end) == end else _floor(end) + HOUR
    places = {(s.family, s.region) for s in spans}
    pieces = [
        p for p in pieces if (p.family, p.region) in places and p.end > start and p.start < end
    ]
    times = [t for p in pieces for t in (p.start, p.end)] + [
        t for s in spans for t in (s.start, s.end)
    ]
    result = PeriodMatch()
    edges = _edges(times, start, end)
    ordered = sorted(pieces, key=lambda p: p.start)
    span_pools = [
        (s.start, s.end, s.pool()) for s in sorted(spans, key=lambda s: (s.start, s.reservation_id))
    ]
    uids = {p.key: f"{p.server_id}/{p.family}/{p.size_units}" for p in pieces}
    active: list[Piece] = []
    nxt = 0
    for a, b in pairwise(edges):
        while nxt < len(ordered) and ordered[nxt].start < b:
            active.append(ordered[nxt])
            nxt += 1
        active = [p for p in active if p.end > a]
        present = [p for p in active if p.start < b]
        pools = [pool for s_start, s_end, pool in span_pools if s_start <= a and s_end >= b]
        hours = _seconds(a, b) // SECONDS_PER_HOUR
        for pool in pools:
            bought = result.purchased.get(pool.reservation_id, 0)
            result.purchased[pool.reservation_id] = bought + pool.unit_seconds * hours
            result.used.setdefault(pool.reservation_id, 0)
        if present and pools:
            _match_interval(result, present, uids, pools, (a, b, hours))
    return result


def _match_interval(
    result: PeriodMatch,
    present: list[Piece],
    uids: dict[str, str],
    pools: list[Pool],
    interval: tuple[datetime, datetime, int],
) -> None:
    """One hour (ragged) or ``hours`` identical full hours. The filling order is
    ``match_hour``'s (smallest servers first, then by id; oldest reservation first), written
    out here on plain tuples because it runs once per interval of every customer."""
    a, b, hours = interval
    seconds: dict[str, dict[str, int]] = {}  # usage id → piece key → seconds
    shape: dict[str, Piece] = {}
    for piece in present:
        uid = uids[piece.key]
        within = _seconds(max(piece.start, a), min(piece.end, b)) // hours
        if within > 0:
            seconds.setdefault(uid, {})[piece.key] = within
            shape[uid] = piece
    left = {p.reservation_id: p.unit_seconds for p in pools}
    by_place: dict[tuple[str, str], list[str]] = {}
    for pool in pools:  # already oldest first
        by_place.setdefault((pool.family, pool.region), []).append(pool.reservation_id)
    order = sorted(
        seconds, key=lambda u: (shape[u].family, shape[u].region, shape[u].size_units, u)
    )
    for uid in order:
        piece = shape[uid]
        candidates = by_place.get((piece.family, piece.region))
        if not candidates:
            continue
        need = piece.size_units * min(sum(seconds[uid].values()), SECONDS_PER_HOUR)
        result.eligible += need * hours
        taken = []
        for reservation_id in candidates:
            take = min(need, left[reservation_id])
            if take:
                left[reservation_id] -= take
                need -= take
                taken.append((reservation_id, take * hours))
                result.used[reservation_id] += take * hours
            if not need:
                break
        if taken:
            _attribute(result, seconds[uid], taken)


def _attribute(result: PeriodMatch, pieces: dict[str, int], taken: list[tuple[str, int]]) -> None:
    """A server's covered unit-seconds onto its pieces in the interval."""
    total = sum(amount for _, amount in taken)
    result.covered_total += total
    if len(pieces) == 1:  # the usual case: one piece of the server in the interval
        (key,) = pieces
        for reservation_id, amount in taken:
            result.add((key, reservation_id), amount)
    else:
        _assign(result, _split(total, pieces), sorted(taken))


def _assign(result: PeriodMatch, shares: dict[str, int], taken: list[tuple[str, int]]) -> None:
    """Pours each reservation's unit-seconds into the pieces' shares, in order."""
    room = sorted(shares.items())
    i = 0
    for reservation_id, amount in taken:
        due = amount
        while due:
            key, free = room[i]
            pour = min(free, due)
            result.add((key, reservation_id), pour)
            due -= pour
            room[i] = (key, free - pour)
            if room[i][1] == 0:
                i += 1


def _split(amount: int, weights: dict[str, int]) -> dict[str, int]:
    """``amount`` over the pieces in proportion to their seconds, exactly: floors, then
    the units left to the largest remainders, so no piece gets more than its own share
    rounded up (never more than it used)."""
    total = sum(weights.values())
    shares = {k: amount * w // total for k, w in weights.items()}
    left = amount - sum(shares.values())
    by_remainder = sorted(weights, key=lambda k: (-(amount * weights[k] % total), k))
    for key in by_remainder[:left]:
        shares[key] += 1
    return shares
