"""The one clock. Business code receives a Clock so tests and simulations can steer time."""

from datetime import UTC, datetime, timedelta
from typing import Protocol

__all__ = ["Clock", "FrozenClock", "SystemClock", "clock_skew", "ensure_utc"]


class Clock(Protocol):
    def now(self) -> datetime: ...


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)


class FrozenClock:
    """A clock that only moves when told to: tests and the simulator drive it."""

    def __init__(self, start: datetime) -> None:
        self._now = ensure_utc(start)

    def now(self) -> datetime:
        return self._now

    def advance(self, delta: timedelta) -> None:
        self._now += delta

    def set(self, when: datetime) -> None:
        """Jump to an instant (tests and the simulator replay business at chosen times)."""
        self._now = ensure_utc(when)


def ensure_utc(value: datetime) -> datetime:
    """Databases hand back naive datetimes (SQLite); we store UTC, so re-attach it."""
    if value.tzinfo is UTC:  # PostgreSQL's sessions are in UTC: most values, untouched
        return value
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


def clock_skew(before: datetime, database: datetime, after: datetime) -> timedelta:
    """How far our clock is ahead of the database server's: the middle of our two readings
    around the query against its reading, so the round trip does not count as skew."""
    return before + (after - before) / 2 - ensure_utc(database)
