"""A customer's end of contract, as rules over plain data. Pure.

active → terminated (erasure notice of 21 days; reinstating is possible until it ends)
→ erased. Erasing before the notice ends is refused, whoever asks.
"""

from datetime import datetime, timedelta
from enum import StrEnum

from andromede.kernel.errors import Conflict

__all__ = ["NOTICE", "CustomerStatus", "check_erase", "check_reinstate", "check_terminate"]

NOTICE = timedelta(days=21)


class CustomerStatus(StrEnum):
    ACTIVE = "active"
    TERMINATED = "terminated"
    ERASED = "erased"


def check_terminate(status: str) -> None:
    if status != CustomerStatus.ACTIVE:
        raise Conflict(f"the customer is {status}, not active")


def check_reinstate(status: str, erasure_due_at: datetime | None, now: datetime) -> None:
    if status != CustomerStatus.TERMINATED or erasure_due_at is None:
        raise Conflict(f"the customer is {status}: only a terminated customer is reinstated")
    if now >= erasure_due_at:
        raise Conflict("the erasure notice has ended; the customer can no longer be reinstated")


def check_erase(status: str, erasure_due_at: datetime | None, now: datetime) -> None:
    if status != CustomerStatus.TERMINATED or erasure_due_at is None:
        raise Conflict(f"the customer is {status}: terminate it first (21-day notice)")
    if now < erasure_due_at:
        left = erasure_due_at - now
        raise Conflict(
            f"the erasure notice runs until {erasure_due_at.isoformat()} "
            f"({left.days} days {left.seconds // 3600} h left); erasure is refused before"
        )
