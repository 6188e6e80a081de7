"""The shortcuts that make long reads fast keep their meaning: instants read back aware and
in UTC whatever form the database gives them, and the collector paused for a pass comes
back exactly as it was."""

import gc
from datetime import UTC, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

from hypothesis import given
from hypothesis import strategies as st

from andromede.db import _sqlite_utc
from andromede.kernel.clock import ensure_utc
from andromede.kernel.collector import collector_paused

INSTANTS = st.datetimes(
    min_value=datetime(2000, 1, 1),  # noqa: DTZ001 (hypothesis bounds are naive)
    max_value=datetime(2100, 1, 1),  # noqa: DTZ001
    timezones=st.just(UTC),
)


@given(INSTANTS)
def test_sqlite_text_reads_back_as_the_same_utc_instant(instant: datetime) -> None:
    stored = instant.replace(tzinfo=None).isoformat(" ", "microseconds")  # SQLite's form
    read = _sqlite_utc(stored)
    assert read == instant and read is not None and read.utcoffset() == timedelta(0)


def test_sqlite_text_with_an_offset_is_converted_not_misread() -> None:
    read = _sqlite_utc("2026-03-29 03:30:00+02:00")
    assert read == datetime(2026, 3, 29, 1, 30, tzinfo=UTC)
    assert read is not None and read.tzinfo is UTC
    assert _sqlite_utc(None) is None


@given(INSTANTS, st.sampled_from(["Europe/Paris", "America/Cayenne", "Etc/UTC"]))
def test_ensure_utc_gives_the_same_instant_in_utc(instant: datetime, zone: str) -> None:
    for value in (instant, instant.astimezone(ZoneInfo(zone)), instant.replace(tzinfo=None)):
        result = ensure_utc(value)
        assert result == instant and result.utcoffset() == timedelta(0)
    assert ensure_utc(instant) is instant  # already UTC: nothing to do
    assert ensure_utc(instant.astimezone(timezone(timedelta(hours=1)))).tzinfo is UTC


def test_the_collector_comes_back_as_it_was() -> None:
    assert gc.isenabled()
    with collector_paused():
        assert not gc.isenabled()
    assert gc.isenabled()
    try:
        with collector_paused():
            raise RuntimeError("a pass that fails")
    except RuntimeError:
        pass
    assert gc.isenabled()
    gc.disable()
    try:
        with collector_paused():
            pass
        assert not gc.isenabled()  # paused by someone else: left to them
    finally:
        gc.enable()
