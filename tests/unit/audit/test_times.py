from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from andromede.audit.store import _sqlite_time_to_iso

# hypothesis draws naive datetimes between naive bounds; they stand for UTC here
LOW = datetime(2000, 1, 1)  # noqa: DTZ001
HIGH = datetime(2100, 1, 1)  # noqa: DTZ001


@given(st.datetimes(min_value=LOW, max_value=HIGH))
def test_sqlite_text_times_read_as_the_isoformat_of_the_instant(moment: datetime) -> None:
    stored = moment.strftime("%Y-%m-%d %H:%M:%S.%f")  # how SQLite keeps a UTC time
    assert _sqlite_time_to_iso(stored) == moment.replace(tzinfo=UTC).isoformat()


def test_other_text_forms_fall_back_to_the_parser() -> None:
    moment = datetime(2026, 10, 1, 12, tzinfo=UTC) + timedelta(microseconds=5)
    assert _sqlite_time_to_iso("2026-10-01 12:00:00.000005") == moment.isoformat()
    assert _sqlite_time_to_iso("2026-10-01 12:00:00") == "2026-10-01T12:00:00+00:00"


@given(st.datetimes(min_value=LOW, max_value=HIGH))
def test_postgres_text_times_read_as_the_isoformat_of_the_instant(moment: datetime) -> None:
    from andromede.audit.store import _postgres_time_to_iso

    text = moment.strftime("%Y-%m-%d %H:%M:%S")
    if moment.microsecond:  # PostgreSQL prints the fraction without trailing zeros
        text += "." + f"{moment.microsecond:06d}".rstrip("0")
    assert _postgres_time_to_iso(text + "+00") == moment.replace(tzinfo=UTC).isoformat()
