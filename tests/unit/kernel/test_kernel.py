from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from andromede.config import load_settings
from andromede.kernel.clock import FrozenClock, ensure_utc
from andromede.kernel.ids import is_uuid, new_id
from andromede.kernel.money import round_cents, to_decimal


@given(st.decimals(min_value=-(10**9), max_value=10**9, allow_nan=False, places=6))
def test_rounding_is_half_up_to_the_cent_and_within_half_a_cent(amount: Decimal) -> None:
    rounded = round_cents(amount)
    assert rounded.as_tuple().exponent == -2
    assert abs(rounded - amount) <= Decimal("0.005")


def test_half_up_not_bankers() -> None:
    assert round_cents(Decimal("0.125")) == Decimal("0.13")
    assert round_cents(Decimal("-0.125")) == Decimal("-0.13")


def test_floats_are_refused() -> None:
    with pytest.raises(TypeError):
        to_decimal(0.1)  # type: ignore[arg-type]
    assert to_decimal("0.10") == Decimal("0.10")


def test_ids_are_uuids() -> None:
    assert is_uuid(new_id()) and not is_uuid("SCS-1V-2")


def test_clock_is_utc_and_moves_only_when_told() -> None:
    clock = FrozenClock(datetime(2026, 1, 1, 1, tzinfo=timezone(timedelta(hours=1))))
    assert clock.now() == datetime(2026, 1, 1, tzinfo=UTC)
    clock.advance(timedelta(minutes=5))
    assert clock.now().minute == 5
    assert ensure_utc(datetime(2026, 1, 1)).tzinfo is UTC  # noqa: DTZ001


def test_settings_from_env_and_file(tmp_path) -> None:  # type: ignore[no-untyped-def]
    config = tmp_path / "andromede.toml"
    config.write_text('listen = "0.0.0.0:9000"\nquota_cores = 8\n')
    settings = load_settings(
        {
            "ANDROMEDE_CONFIG": str(config),
            "ANDROMEDE_QUOTA_CORES": "12",
            "ANDROMEDE_RECONCILER_IN_SERVE": "false",
        }
    )
    assert settings.port == 9000 and settings.host == "0.0.0.0"
    assert settings.quota_cores == 12 and settings.reconciler_in_serve is False
    with pytest.raises(ValueError, match="unknown settings"):
        config.write_text("nonsense = 1\n")
        load_settings({"ANDROMEDE_CONFIG": str(config)})


def test_a_process_admits_at_least_one_writing_request() -> None:
    assert load_settings({}).write_concurrency == 4
    assert load_settings({"ANDROMEDE_WRITE_CONCURRENCY": "1"}).write_concurrency == 1
    for bad in ("0", "-3"):
        with pytest.raises(ValueError, match="write_concurrency must be at least 1"):
            load_settings({"ANDROMEDE_WRITE_CONCURRENCY": bad})
