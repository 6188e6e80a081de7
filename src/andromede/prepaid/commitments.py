"""Prepaid commitments: credit, drawdown, expiry. Pure.

A customer prepays an amount for some months; its partner may add a bonus, so the
credit is the amount plus the bonus. Each month's charges draw on the credits in force
that month, the one expiring first first, before anything is billed. What is left at
expiry is forfeited; the customer is told 30 days before.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from andromede.kernel.money import round_cents

__all__ = ["NOTICE", "Credit", "credit_of", "draw", "expires_at", "notice_due"]

NOTICE = timedelta(days=30)
MAX_MONTHS = 60
MAX_BONUS = Decimal("0.5")


@dataclass(frozen=True)
class Credit:
    commitment_id: str
    starts_at: datetime
    expires_at: datetime
    remaining: Decimal  # to the cent


def credit_of(amount: Decimal, bonus: Decimal) -> Decimal:
    """What the customer can draw: the amount paid plus the partner's bonus."""
    return round_cents(amount * (1 + bonus))


def expires_at(start: datetime, months: int) -> datetime:
    """The same day and time ``months`` later (the month's last day if it is shorter)."""
    index = start.month - 1 + months
    year, month = start.year + index // 12, index % 12 + 1
    day = start.day
    while True:
        try:
            return start.replace(year=year, month=month, day=day)
        except ValueError:  # 31 January + 1 month: 28 or 29 February
            day -= 1


def draw(
    credits: Sequence[Credit], charge: Decimal, period_start: datetime, period_end: datetime
) -> list[tuple[str, Decimal]]:
    """(commitment, amount drawn) for a month's ``charge`` (excl. VAT, to the cent): from
    the credits in force some time in the period, soonest expiry first; never more than
    a credit holds nor more than the charge."""
    due = round_cents(charge)
    drawn = []
    usable = [c for c in credits if c.starts_at < period_end and c.expires_at > period_start]
    for c in sorted(usable, key=lambda c: (c.expires_at, c.commitment_id)):
        if due <= 0:
            break
        take = min(due, c.remaining)
        if take > 0:
            drawn.append((c.commitment_id, take))
            due -= take
    return drawn


def notice_due(now: datetime, expiry: datetime, remaining: Decimal) -> bool:
    """True from 30 days before expiry while some credit would be forfeited."""
    return remaining > 0 and expiry - NOTICE <= now < expiry
