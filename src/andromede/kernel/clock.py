"""The one clock. Business code receives a Clock so tests and simulations can steer time."""

import threading
from datetime import UTC, datetime, timedelta
from typing import Protocol

__all__ = ["Clock", "FrozenClock", "MonotonicClock", "SystemClock", "clock_skew", "ensure_utc"]


class Clock(Protocol):
    def now(self) -> datetime: ...


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)


class MonotonicClock:
    """The host's time that never goes back (SecNumCloud 12.8: events are monotonic): when
    the host's clock steps back, time holds at the latest instant given until the clock
    catches up. ``hold_from`` sets a floor (the audit log's latest entry, at start)."""

    def __init__(self, source: Clock | None = None) -> None:
        self._source = source or SystemClock()
        self._latest = datetime.min.replace(tzinfo=UTC)
        self._lock = threading.Lock()

    def now(self) -> datetime:
        read = self._source.now()
        with self._lock:
            self._latest = max(self._latest, read)
            return self._latest

    def hold_from(self, floor: datetime) -> None:
        with self._lock:
            self._latest = max(self._latest, ensure_utc(floor))


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
