from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from andromede.kernel.errors import Conflict
from andromede.offboarding.lifecycle import NOTICE, check_erase, check_reinstate, check_terminate

T0 = datetime(2026, 11, 2, 9, tzinfo=UTC)


@given(st.integers(0, 60 * 24 * 60))
def test_erasure_is_allowed_exactly_when_the_21_day_notice_has_ended(minutes: int) -> None:
    now = T0 + timedelta(minutes=minutes)
    due = T0 + NOTICE
    if now < due:
        with pytest.raises(Conflict, match="notice runs until"):
            check_erase("terminated", due, now)
        check_reinstate("terminated", due, now)
    else:
        check_erase("terminated", due, now)
        with pytest.raises(Conflict, match="no longer be reinstated"):
            check_reinstate("terminated", due, now)


def test_only_the_next_step_is_allowed() -> None:
    assert NOTICE == timedelta(days=21)
    check_terminate("active")
    for status in ("terminated", "erased"):
        with pytest.raises(Conflict):
            check_terminate(status)
    for status in ("active", "erased"):
        with pytest.raises(Conflict, match="terminate it first"):
            check_erase(status, None, T0)
        with pytest.raises(Conflict):
            check_reinstate(status, None, T0)
