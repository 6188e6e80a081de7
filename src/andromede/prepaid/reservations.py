"""Hourly matching of reservations to usage, with size flexibility. Pure.

A reservation of ``count`` servers of a flavor is worth ``size_units × count`` normalized
units in its family and region. Each clock hour, the reservations active in that hour
cover the customer's usage of the family in the region (all its projects), smallest
sizes first; a larger server may be covered in part; a unit covers at most 3,600
unit-seconds an hour, so four servers of one unit running fifteen minutes each use one
unit's hour. What no reservation covers is billed on demand. The same rules as the
hyperscalers' size-flexible reservations (see billing-anchors §2), in unit-seconds so that
everything stays an exact integer.
"""

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

__all__ = [
    "SECONDS_PER_HOUR",
    "Coverage",
    "HourUsage",
    "Pool",
    "Run",
    "Utilization",
    "by_hour",
    "match_hour",
    "utilization",
]

SECONDS_PER_HOUR = 3600


@dataclass(frozen=True)
class HourUsage:
    """One server's running time inside one clock hour."""

    server_id: str
    family: str
    region: str
    size_units: int
    seconds: int  # 0 < seconds ≤ 3600

    @property
    def unit_seconds(self) -> int:
        return self.size_units * self.seconds


@dataclass(frozen=True)
class Pool:
    """A reservation in force during the hour: its normalized units."""

    reservation_id: str
    family: str
    region: str
    units: int
    starts_at: datetime

    @property
    def unit_seconds(self) -> int:
        return self.units * SECONDS_PER_HOUR


@dataclass(frozen=True)
class Coverage:
    """The hour's result: unit-seconds covered per server and per reservation."""

    covered: dict[str, int]  # server id → unit-seconds covered
    used: dict[str, int]  # reservation id → unit-seconds used
    pairs: dict[tuple[str, str], int]  # (server id, reservation id) → unit-seconds

    def on_demand(self, usage: HourUsage) -> int:
        """Unit-seconds of the server billed at the on-demand price."""
        return usage.unit_seconds - self.covered.get(usage.server_id, 0)


def match_hour(usage: Iterable[HourUsage], pools: Sequence[Pool]) -> Coverage:
    """Fills each family-and-region's usage, smallest servers first (then by id, so the
    result never depends on input order), from its reservations, oldest first."""
    covered: dict[str, int] = {}
    used: dict[str, int] = {p.reservation_id: 0 for p in pools}
    pairs: dict[tuple[str, str], int] = {}
    ordered = sorted(usage, key=lambda u: (u.family, u.region, u.size_units, u.server_id))
    left = {
        p.reservation_id: p.unit_seconds
        for p in sorted(pools, key=lambda p: (p.starts_at, p.reservation_id))
    }
    by_place: dict[tuple[str, str], list[Pool]] = {}
    for pool in sorted(pools, key=lambda p: (p.starts_at, p.reservation_id)):
        by_place.setdefault((pool.family, pool.region), []).append(pool)
    for item in ordered:
        need = item.unit_seconds
        for pool in by_place.get((item.family, item.region), []):
            if need == 0:
                break
            take = min(need, left[pool.reservation_id])
            if take:
                left[pool.reservation_id] -= take
                used[pool.reservation_id] += take
                covered[item.server_id] = covered.get(item.server_id, 0) + take
                pair = (item.server_id, pool.reservation_id)
                pairs[pair] = pairs.get(pair, 0) + take
                need -= take
    return Coverage(covered, used, pairs)


@dataclass(frozen=True)
class Run:
    """A server running (or billed as running) from ``start`` to ``end``."""

    server_id: str
    family: str
    region: str
    size_units: int
    start: datetime
    end: datetime


def _hour_of(moment: datetime) -> datetime:
    return moment.replace(minute=0, second=0, microsecond=0)


def by_hour(runs: Iterable[Run]) -> dict[datetime, list[HourUsage]]:
    """Cuts runs at clock hours; a server's pieces in the same hour add up (a stop and
    start within the hour is still one server's time). Seconds are whole: a run's
    fraction of a second is dropped, as the 60-second minimum already rounds up."""
    seconds: dict[tuple[datetime, str], int] = {}
    shape: dict[str, Run] = {}
    for run in runs:
        shape.setdefault(run.server_id, run)
        moment = run.start
        while moment < run.end:
            hour = _hour_of(moment)
            cut = min(run.end, hour + timedelta(hours=1))
            key = (hour, run.server_id)
            seconds[key] = seconds.get(key, 0) + int((cut - moment).total_seconds())
            moment = cut
    hours: dict[datetime, list[HourUsage]] = {}
    for (hour, server_id), total in sorted(seconds.items()):
        run = shape[server_id]
        if total > 0:
            usage = HourUsage(server_id, run.family, run.region, run.size_units, min(total, 3600))
            hours.setdefault(hour, []).append(usage)
    return hours


@dataclass(frozen=True)
class Utilization:
    """A period's figures in unit-seconds: what the reservations offered and what they
    covered, per reservation, and what usage was eligible (same family and region as a
    reservation) and covered, for the customer."""

    purchased: dict[str, int]
    used: dict[str, int]
    eligible: int
    covered: int

    def rate(self, reservation_id: str) -> float:
        """Utilization of one reservation (used ÷ purchased), 0 when nothing was bought."""
        bought = self.purchased.get(reservation_id, 0)
        return self.used.get(reservation_id, 0) / bought if bought else 0.0

    @property
    def coverage(self) -> float:
        """Covered ÷ eligible usage, 0 when there was none."""
        return self.covered / self.eligible if self.eligible else 0.0


def utilization(
    hours: dict[datetime, list[HourUsage]], pools_at: Callable[[datetime], Sequence[Pool]]
) -> Utilization:
    """Matches every hour of the period and adds up. ``pools_at(hour)``: the reservations
    in force during that hour; a reservation counts as purchased for every hour it is in
    force, used or not (its hourly part is billed that way). Hours without usage count
    too, so ``hours`` must hold every hour of the period (empty lists for idle ones)."""
    purchased: dict[str, int] = {}
    used: dict[str, int] = {}
    eligible = covered = 0
    for hour in sorted(hours):
        pools = pools_at(hour)
        result = match_hour(hours[hour], pools)
        places = {(p.family, p.region) for p in pools}
        for pool in pools:
            purchased[pool.reservation_id] = purchased.get(pool.reservation_id, 0) + (
                pool.unit_seconds
            )
            used[pool.reservation_id] = (
                used.get(pool.reservation_id, 0) + (result.used[pool.reservation_id])
            )
        for item in hours[hour]:
            if (item.family, item.region) in places:
                eligible += item.unit_seconds
                covered += result.covered.get(item.server_id, 0)
    return Utilization(purchased, used, eligible, covered)
