"""The one place where numbers, amounts, instants and names are bounded: properties over
the whole input space, not a few examples."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from andromede.kernel.bounds import (
    AMOUNT_MAX,
    INSTANT_MAX,
    INSTANT_MIN,
    INT32_MAX,
    bounded_decimal,
    bounded_instant,
    bounded_int,
)
from andromede.kernel.errors import ValidationFailed
from andromede.kernel.names import display_name


@given(st.integers())
def test_an_integer_is_accepted_exactly_when_it_fits(value: int) -> None:
    if 0 <= value <= INT32_MAX:
        assert bounded_int("n", value) == value
        assert bounded_int("n", str(value)) == value
    else:
        with pytest.raises(ValidationFailed) as caught:
            bounded_int("n", value)
        assert caught.value.errors[0].field == "n"


@given(st.one_of(st.booleans(), st.floats(), st.text(max_size=40), st.none()))
def test_non_integers_are_field_errors_never_crashes(value: object) -> None:
    try:
        result = bounded_int("n", value)
    except ValidationFailed as exc:
        assert exc.errors[0].field == "n"
    else:
        assert isinstance(result, int) and not isinstance(value, bool | float)


@given(st.decimals(allow_nan=True, allow_infinity=True))
def test_a_decimal_is_kept_exactly_or_refused(value: Decimal) -> None:
    try:
        parsed = bounded_decimal("amount", str(value))
    except ValidationFailed as exc:
        assert exc.errors[0].field == "amount"
        assert (
            not value.is_finite()
            or not 0 <= value <= AMOUNT_MAX
            or (
                -value.normalize().as_tuple().exponent > 8  # type: ignore[operator]
            )
        )
    else:
        assert parsed == value and parsed.is_finite() and 0 <= parsed <= AMOUNT_MAX


@pytest.mark.parametrize("text", ["1e1000", "1e30", "Infinity", "-Infinity", "sNaN", "1" * 41])
def test_the_reported_amounts_are_refused(text: str) -> None:
    with pytest.raises(ValidationFailed):
        bounded_decimal("amount", text)


def test_floats_never_become_money() -> None:
    with pytest.raises(ValidationFailed):
        bounded_decimal("amount", 0.1)


@given(st.datetimes(timezones=st.just(UTC)))
def test_instants_between_2000_and_2199_only(value: datetime) -> None:
    if INSTANT_MIN <= value <= INSTANT_MAX:
        assert bounded_instant("at", value) == value
    else:
        with pytest.raises(ValidationFailed):
            bounded_instant("at", value)


def test_naive_instants_are_refused() -> None:
    with pytest.raises(ValidationFailed):
        bounded_instant("at", datetime(2030, 1, 1) + timedelta(0))  # noqa: DTZ001


@given(st.text(max_size=300))
def test_a_name_is_stored_nfc_and_visible_or_refused(value: str) -> None:
    import unicodedata

    try:
        name = display_name("name", value)
    except ValidationFailed:
        return
    assert name == unicodedata.normalize("NFC", name) and name == name.strip()
    assert 1 <= len(name) <= 200
    assert all(unicodedata.category(c) not in {"Cc", "Cf", "Co", "Cn", "Cs"} for c in name)


@pytest.mark.parametrize(
    "name", ["evil\u202eexe.txt", "\u200b", "\u200b\u200c", "a\x00b", "line\nbreak", "  "]
)
def test_bidi_overrides_zero_width_and_control_characters_are_refused(name: str) -> None:
    with pytest.raises(ValidationFailed):
        display_name("name", name)
