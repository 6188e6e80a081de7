"""Usage per calendar day (UTC), from compute segments: server-hours and vCPU-hours, and
so the average number of servers running that day. The dashboard reads these stored
figures instead of replaying a year of server events on every view."""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from andromede.metering.segments import Segment, seconds_between

__all__ = ["DayUsage", "day_usage"]

HOUR = Decimal(3600)
DAY = Decimal(86400)


@dataclass(frozen=True)
class DayUsage:
    day: date
    server_hours: Decimal
    vcpu_hours: Decimal

    @property
    def average_running(self) -> Decimal:
        return self.server_hours * HOUR / DAY


def _midnight_after(at: datetime) -> datetime:
    day = at.astimezone(UTC).date() + timedelta(days=1)
    return datetime(day.year, day.month, day.day, tzinfo=UTC)


def day_usage(
    segments: Iterable[Segment], vcpus: Mapping[str, int], first: date, last: date
) -> list[DayUsage]:
    """One figure per day from ``first`` to ``last``; a segment that spans midnights is
    shared among its days (only compute segments count: a stopped server runs nothing).
    ``vcpus``: per flavor. Linear in segments and the days they span."""
    totals = {
        first + timedelta(days=i): [Decimal(0), Decimal(0)] for i in range((last - first).days + 1)
    }
    for segment in segments:
        if segment.dimension != "compute":
            continue
        cores = vcpus.get(segment.flavor, 0)
        at = segment.start
        while at < segment.end:
            until = min(_midnight_after(at), segment.end)
            day = totals.get(at.astimezone(UTC).date())
            if day is not None:
                spent = seconds_between(at, until)
                day[0] += spent
                day[1] += spent * cores
            at = until
    return [DayUsage(day, s / HOUR, v / HOUR) for day, (s, v) in sorted(totals.items())]
