"""NIST SP 800-63B rev. 4 password rules, and the fixed windows of the login limits."""

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from andromede.kernel.errors import ValidationFailed
from andromede.tenancy.password_rules import (
    MAX_LENGTH,
    SERVICE_WORDS,
    acceptable_password,
    normal,
)
from andromede.tenancy.throttle import Window, retry_after


@given(st.text(min_size=15, max_size=MAX_LENGTH, alphabet=st.characters(codec="utf-8")))
def test_any_long_enough_unicode_is_accepted_unless_listed(password: str) -> None:
    try:
        kept = acceptable_password(password, username="someone", second_factor=False)
    except ValidationFailed as exc:
        folded = normal(password).casefold()
        reasons = ["common", "characters"]  # listed, repeated, or NFC shortened it
        if folded in SERVICE_WORDS:
            reasons = ["service name"]
        assert any(reason in exc.detail for reason in reasons), exc.detail
    else:
        assert len(kept) >= 15


@pytest.mark.parametrize(
    ("password", "mfa"),
    [("short-but-ok", True), ("a" * 7 + "!", False), ("fourteen-chars", False)],
)
def test_minimum_is_15_without_a_second_factor_and_8_with_one(password: str, mfa: bool) -> None:
    if len(password) >= (8 if mfa else 15):
        assert acceptable_password(password, username="u", second_factor=mfa) == password
    else:
        with pytest.raises(ValidationFailed):
            acceptable_password(password, username="u", second_factor=mfa)


@pytest.mark.parametrize(
    "password", ["1qaz2wsx3edc4rfv", "q1w2e3r4t5y6u7i8", "zzzzzzzzzzzzzzzz", "someone-long-name"]
)
def test_breached_repeated_and_context_passwords_are_refused(password: str) -> None:
    with pytest.raises(ValidationFailed):
        acceptable_password(password, username="someone-long-name", second_factor=False)


@pytest.mark.parametrize("password", ["ANDROMEDE-CLOUD", "Andromede-Cloud"])
def test_the_service_name_in_any_case_is_refused_as_such(password: str) -> None:
    with pytest.raises(ValidationFailed, match="service name"):
        acceptable_password(password, username="someone", second_factor=False)


def test_no_composition_rules() -> None:
    assert acceptable_password(
        "tout en minuscules et sans chiffres", username="u", second_factor=False
    )


T0 = datetime(2026, 12, 1, tzinfo=UTC)


@given(st.integers(1, 100), st.integers(1, 100), st.integers(0, 3600))
def test_a_window_admits_exactly_its_attempts(limit: int, count: int, elapsed: int) -> None:
    window = Window(limit, timedelta(minutes=1))
    wait = retry_after(count, T0, T0 + timedelta(seconds=elapsed), window)
    if count <= limit:
        assert wait is None
    else:
        assert wait == max(1, 60 - elapsed)
