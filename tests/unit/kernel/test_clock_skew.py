from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from andromede.kernel.clock import FrozenClock, MonotonicClock, clock_skew

T0 = datetime(2026, 12, 5, 17, tzinfo=UTC)


@given(
    st.integers(min_value=0, max_value=10_000_000),
    st.integers(min_value=-600_000_000, max_value=600_000_000),
)
def test_the_round_trip_is_not_skew(round_trip_us: int, skew_us: int) -> None:
    """The database read its clock halfway through our round trip: what is left is the
    skew alone, however slow the round trip."""
    before = T0
    after = before + timedelta(microseconds=round_trip_us)
    database = before + (after - before) / 2 - timedelta(microseconds=skew_us)
    assert clock_skew(before, database, after) == timedelta(microseconds=skew_us)


def test_a_naive_database_time_is_read_as_utc() -> None:
    naive = datetime(2026, 12, 5, 17, 0, 3)  # noqa: DTZ001 - SQLite's text, UTC
    assert clock_skew(T0, naive, T0) == -timedelta(seconds=3)  # the database is ahead


def test_the_business_clock_never_goes_back() -> None:
    start = datetime(2026, 12, 5, 9, 0, tzinfo=UTC)
    host = FrozenClock(start)
    clock = MonotonicClock(host)
    assert clock.now() == start
    host.advance(-timedelta(seconds=30))  # NTP steps the host's clock back
    assert clock.now() == start  # time holds
    host.advance(timedelta(seconds=31))
    assert clock.now() == start + timedelta(seconds=1)  # and moves once caught up
    clock.hold_from(start + timedelta(minutes=1))  # the log's latest entry, at start
    assert clock.now() == start + timedelta(minutes=1)
    clock.hold_from(start)  # a floor never lowers it
    assert clock.now() == start + timedelta(minutes=1)
