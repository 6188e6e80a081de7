"""When a schedule wants its servers on: periods of local wall-clock time in the schedule's
time zone, days to skip, and the instants where that changes.

A period applies on the days its filters name (the day it begins) unless the day is
skipped; on such a day it runs from the instant the local clock first reads its begin to
the instant it first reads its end (the next day's, when the end is at or before the
begin: the period crosses midnight). So 08:00–19:00 stays 08:00–19:00 local on the days
the clock moves; a boundary in the hour the clock skips in spring takes effect when the
clock jumps over it, and one in the hour that happens twice in autumn at its first
reading. Periods that touch or overlap make one stretch: no stop between them.

Everything here is computed from those stretches, a few per day, never minute by minute
(tests compare with a minute-by-minute walk of the wall clock).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

__all__ = [
    "ALL_DAYS",
    "Period",
    "Timetable",
    "Transition",
    "running_at",
    "transitions",
    "zone_of",
]

ALL_DAYS = frozenset(range(7))  # 0 = Monday


@dataclass(frozen=True)
class Period:
    """``weekdays``, ``monthdays`` and ``months`` filter the day a period begins; an empty
    ``monthdays`` or ``months`` means any."""

    begin: time
    end: time
    weekdays: frozenset[int] = ALL_DAYS
    monthdays: frozenset[int] = frozenset()
    months: frozenset[int] = frozenset()

    def __post_init__(self) -> None:
        if self.begin == self.end:
            raise ValueError("a period's end must differ from its begin")
        if not self.weekdays or not self.weekdays <= ALL_DAYS:
            raise ValueError("weekdays are 0 (Monday) to 6 (Sunday), at least one")
        if not self.monthdays <= frozenset(range(1, 32)):
            raise ValueError("month days are 1 to 31")
        if not self.months <= frozenset(range(1, 13)):
            raise ValueError("months are 1 to 12")

    @property
    def crosses_midnight(self) -> bool:
        return self.end <= self.begin

    def applies_on(self, day: date) -> bool:
        return (
            day.weekday() in self.weekdays
            and (not self.monthdays or day.day in self.monthdays)
            and (not self.months or day.month in self.months)
        )


@dataclass(frozen=True)
class Timetable:
    zone: str
    periods: tuple[Period, ...]
    skip_days: frozenset[date] = field(default_factory=frozenset)

    def starts_on(self, period: Period, day: date) -> bool:
        return period.applies_on(day) and day not in self.skip_days


@dataclass(frozen=True)
class Transition:
    at: datetime  # UTC
    running: bool  # the state from this instant on


@lru_cache(maxsize=64)
def zone_of(name: str) -> ZoneInfo:
    return ZoneInfo(name)


def running_at(table: Timetable, at: datetime) -> bool:
    day = at.astimezone(zone_of(table.zone)).date()
    stretches = _stretches(table, day - timedelta(days=1), day)
    return any(begin <= at < end for begin, end in stretches)


def transitions(table: Timetable, after: datetime, until: datetime) -> list[Transition]:
    """The changes of state in ``(after, until]``, in order."""
    if until <= after:
        return []
    zone = zone_of(table.zone)
    first = after.astimezone(zone).date() - timedelta(days=1)
    last = until.astimezone(zone).date()
    found = []
    for begin, end in _stretches(table, first, last):
        if after < begin <= until:
            found.append(Transition(begin, True))
        if after < end <= until:
            found.append(Transition(end, False))
    return found


def _stretches(table: Timetable, first: date, last: date) -> list[tuple[datetime, datetime]]:
    """The running stretches of the periods that begin from ``first`` to ``last`` (local
    days), merged where they touch or overlap, in UTC."""
    zone = zone_of(table.zone)
    spans = []
    day = first
    while day <= last:
        for period in table.periods:
            if table.starts_on(period, day):
                ends_on = day + timedelta(days=1) if period.crosses_midnight else day
                spans.append(
                    (_reading(zone, day, period.begin), _reading(zone, ends_on, period.end))
                )
        day += timedelta(days=1)
    spans.sort()
    merged: list[tuple[datetime, datetime]] = []
    for begin, end in spans:
        if merged and begin <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((begin, end))
    return merged


def _reading(zone: ZoneInfo, day: date, wall: time) -> datetime:
    """The first instant the local clock reads ``wall`` on ``day`` (or jumps past it)."""
    local = datetime.combine(day, wall, zone)  # fold 0: the first of two readings
    instant = local.astimezone(UTC)
    if instant.astimezone(zone).replace(tzinfo=None) == local.replace(tzinfo=None):
        return instant
    return _clock_change(zone.key, day)  # in the skipped hour: when the clock jumps


@lru_cache(maxsize=4096)
def _clock_change(zone_name: str, day: date) -> datetime:
    """The instant the zone's offset changes on a local day (by bisection to the second
    between its two midnights); only asked for days where a reading does not exist."""
    zone = zone_of(zone_name)
    low = datetime.combine(day, time(), zone).astimezone(UTC)
    high = datetime.combine(day + timedelta(days=1), time(), zone).astimezone(UTC)
    before = low.astimezone(zone).utcoffset()
    while high - low > timedelta(seconds=1):
        middle = (low + (high - low) / 2).replace(microsecond=0)
        if middle.astimezone(zone).utcoffset() == before:
            low = middle
        else:
            high = middle
    return high
