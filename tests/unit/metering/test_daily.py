"""Usage per day from segments cut at midnight."""

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from andromede.metering.daily import day_usage
from andromede.metering.segments import StateEvent, derive_segments


def _event(
    key: str, server: str, at: datetime, status: str, flavor: str = "SCS-2V-4"
) -> StateEvent:
    return StateEvent(key, server, at, status, flavor, "fr-par-1", 20, "p", "c", "pa")


def test_a_server_running_across_midnight_counts_on_both_days() -> None:
    events = [
        _event("1", "s1", datetime(2026, 10, 1, 18, tzinfo=UTC), "ACTIVE"),
        _event("2", "s1", datetime(2026, 10, 2, 6, tzinfo=UTC), "SHUTOFF"),
        _event("3", "s2", datetime(2026, 10, 2, 0, tzinfo=UTC), "ACTIVE", "SCS-4V-16"),
    ]
    segments = derive_segments(events, until=datetime(2026, 10, 4, tzinfo=UTC))
    first, second, third = day_usage(
        segments, {"SCS-2V-4": 2, "SCS-4V-16": 4}, date(2026, 10, 1), date(2026, 10, 3)
    )
    assert (first.server_hours, first.vcpu_hours) == (Decimal(6), Decimal(12))
    assert (second.server_hours, second.vcpu_hours) == (Decimal(30), Decimal(108))
    assert third.server_hours == 24 and third.average_running == 1
    assert second.average_running == Decimal(30) / 24


@given(
    st.datetimes(min_value=datetime(2026, 1, 1), max_value=datetime(2026, 12, 1)),  # noqa: DTZ001
    st.integers(min_value=1, max_value=90 * 86400),
)
def test_a_run_is_shared_among_its_days_without_losing_a_second(
    start: datetime, length: int
) -> None:
    opened = start.replace(tzinfo=UTC)
    events = [
        _event("1", "s", opened, "ACTIVE"),
        _event("2", "s", opened + timedelta(seconds=length), "SHUTOFF"),
    ]
    until = opened + timedelta(days=100)
    days = day_usage(
        derive_segments(events, until=until), {"SCS-2V-4": 2}, opened.date(), until.date()
    )
    total = sum((d.server_hours for d in days), Decimal(0)) * 3600
    assert abs(total - length) < Decimal("1e-18")  # hours are seconds / 3600, inexactly
    assert all(0 <= d.server_hours <= 24 for d in days)
