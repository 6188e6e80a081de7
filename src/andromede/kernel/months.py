"""Calendar months as half-open UTC intervals: billing closes them, attestations cover them."""

from datetime import UTC, datetime

__all__ = ["month_bounds"]


def month_bounds(month: str) -> tuple[datetime, datetime]:
    """``2026-10`` → [2026-10-01T00:00Z, 2026-11-01T00:00Z)."""
    try:
        year, number = (int(part) for part in month.split("-"))
        start = datetime(year, number, 1, tzinfo=UTC)
    except ValueError:
        raise ValueError(f"{month!r} is not a month (YYYY-MM)") from None
    end = datetime(year + number // 12, number % 12 + 1, 1, tzinfo=UTC)
    return start, end
