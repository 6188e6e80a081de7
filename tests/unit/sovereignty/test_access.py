from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from andromede.kernel.errors import Conflict, ValidationFailed
from andromede.sovereignty.access import (
    AccessState,
    RequestTimes,
    approval,
    check_request,
    state_at,
)

T0 = datetime(2026, 11, 2, 9, tzinfo=UTC)
H = timedelta(hours=1)


def test_pending_lapses_after_exactly_four_days() -> None:
    times = RequestTimes(T0, 60)
    assert state_at(times, T0 + timedelta(days=4) - timedelta(seconds=1)) is AccessState.PENDING
    assert state_at(times, T0 + timedelta(days=4)) is AccessState.EXPIRED
    with pytest.raises(Conflict, match="expired"):
        approval(times, T0 + timedelta(days=5), "approve")


def test_grant_runs_from_approval_for_the_duration_asked() -> None:
    times = RequestTimes(T0, 90, approved_at=T0 + 2 * H)
    assert times.grant_ends_at == T0 + 3.5 * H
    assert state_at(times, T0 + 3 * H) is AccessState.APPROVED
    assert state_at(times, T0 + 3.5 * H) is AccessState.ENDED


def test_revocation_ends_the_grant_at_once_and_denial_is_final() -> None:
    revoked = RequestTimes(T0, 480, approved_at=T0, revoked_at=T0 + H)
    assert state_at(revoked, T0 + H) is AccessState.REVOKED
    denied = RequestTimes(T0, 60, denied_at=T0 + H)
    assert state_at(denied, T0 + 2 * H) is AccessState.DENIED
    for verb in ("approve", "deny", "revoke"):
        with pytest.raises(Conflict):
            approval(denied, T0 + 2 * H, verb)
    with pytest.raises(Conflict, match="approved"):
        approval(RequestTimes(T0, 60, approved_at=T0), T0, "approve")


@given(
    st.integers(0, 10_000),  # minutes from creation to approval
    st.integers(1, 480),
    st.integers(0, 20_000),  # minutes from approval (or creation) to the instant we look
    st.booleans(),
)
def test_access_is_open_only_between_approval_and_its_end(
    approve_after: int, duration: int, look_after: int, approved: bool
) -> None:
    approved_at = T0 + timedelta(minutes=approve_after) if approved else None
    times = RequestTimes(T0, duration, approved_at=approved_at)
    now = (approved_at or T0) + timedelta(minutes=look_after)
    is_open = state_at(times, now) is AccessState.APPROVED
    assert is_open == (approved and look_after < duration)


def test_request_checks_name_every_bad_field() -> None:
    with pytest.raises(ValidationFailed) as caught:
        check_request("root", " ", 481, "US")
    assert {e.field for e in caught.value.errors} == {
        "scope",
        "reason",
        "duration_minutes",
        "location",
    }
    assert check_request("operate", "ticket 1", 480, "fr") == "FR"
