"""Calendar months as half-open UTC intervals: billing closes them, attestations cover them."""

from datetime import UTC, datetime

from andromede.kernel.errors import ValidationFailed

__all__ = ["month_bounds", "month_period", "previous_month"]


def month_bounds(month: str) -> tuple[datetime, datetime]:
    """``2026-10`` → [2026-10-01T00:00Z, 2026-11-01T00:00Z)."""
    try:
        year, number = (int(part) for part in month.split("-"))
        start = datetime(year, number, 1, tzinfo=UTC)
    except ValueError:
        raise ValueError(f"{month!r} is not a month (YYYY-MM)") from None
    end = datetime(year + number // 12, number % 12 + 1, 1, tzinfo=UTC)
    return start, end


def month_period(month: str) -> tuple[datetime, datetime]:
    """``month_bounds`` for input from a user: a bad month is a 400 naming the field."""
    try:
        return month_bounds(month)
    except ValueError as exc:
        raise ValidationFailed.one("month", str(exc)) from None


def previous_month(now: datetime) -> str:
    """The month before ``now``'s: the last whole month, which dry runs replay."""
    year, number = (now.year, now.month - 1) if now.month > 1 else (now.year - 1, 12)
    return f"{year:04d}-{number:02d}"
