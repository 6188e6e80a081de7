"""Fixed windows that bound how often something may be tried (sign-ins per source and per
account, signups per source, one-time codes per account) and the lockout after repeated
failures. Pure: the counting is the store's (one atomic upsert), the verdict is here."""

from dataclasses import dataclass
from datetime import datetime, timedelta
from math import ceil

__all__ = ["Window", "retry_after"]


@dataclass(frozen=True)
class Window:
    """At most ``attempts`` within ``period`` of the window's start."""

    attempts: int
    period: timedelta


def retry_after(count: int, started: datetime, now: datetime, window: Window) -> int | None:
    """Seconds to wait before the window admits another try, or None when the ``count``-th
    try (this one) is within the window."""
    if count <= window.attempts:
        return None
    return max(1, ceil((started + window.period - now).total_seconds()))
