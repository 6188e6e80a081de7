"""What one scheduler pass decides for a schedule's servers."""

from datetime import UTC, datetime, time, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from andromede.schedules.decisions import Options, ServerState, Why, decide
from andromede.schedules.timetable import Period, Timetable, running_at

OFFICE = Timetable("Europe/Paris", (Period(time(8), time(19), frozenset(range(5))),))
MONDAY = datetime(2026, 6, 1, tzinfo=UTC)  # 08:00 Paris is 06:00 UTC in June
LONG_AGO = MONDAY - timedelta(days=30)


def at(hour: int, minute: int = 0, day: int = 0) -> datetime:
    return MONDAY + timedelta(days=day, hours=hour, minutes=minute)


def server(sid: str, running: bool, **kw: object) -> ServerState:
    return ServerState(sid, running, kw.pop("settled", True), kw.pop("created", LONG_AGO), **kw)  # type: ignore[arg-type]


def test_the_period_begins_and_stopped_servers_start() -> None:
    result = decide(OFFICE, Options(), at(5, 59), at(6, 0), [server("a", False), server("b", True)])
    assert [(d.server_id, d.start, d.why) for d in result.decisions] == [
        ("a", True, Why.PERIOD_BEGINS)
    ]
    assert result.boundary == at(6) and result.missed == 0


def test_the_period_ends_and_running_servers_stop() -> None:
    result = decide(
        OFFICE, Options(), at(16, 59), at(17, 1), [server("a", True), server("b", False)]
    )
    assert [(d.server_id, d.start) for d in result.decisions] == [("a", False)]


def test_a_server_moving_between_states_is_left_alone() -> None:
    result = decide(OFFICE, Options(), at(16, 59), at(17, 1), [server("a", True, settled=False)])
    assert result.decisions == ()


def test_after_downtime_only_the_last_boundary_counts_and_says_how_late() -> None:
    """Down from Monday 05:00 UTC to Tuesday 20:00: four boundaries passed; Tuesday's end
    of period is what is due, 3 hours late."""
    result = decide(OFFICE, Options(), at(5), at(20, day=1), [server("a", True)])
    (decision,) = result.decisions
    assert not decision.start and decision.why is Why.PERIOD_ENDS
    assert decision.due_at == at(17, day=1)
    assert decision.late_by(at(20, day=1)) == timedelta(hours=3)
    assert result.missed == 3


def test_between_boundaries_nothing_is_touched_unless_enforced() -> None:
    hand_started = server("a", True)  # started by hand at night
    assert decide(OFFICE, Options(), at(21), at(21, 1), [hand_started]).decisions == ()
    enforced = decide(OFFICE, Options(enforced=True), at(21), at(21, 1), [hand_started])
    assert [(d.start, d.why) for d in enforced.decisions] == [(False, Why.ENFORCED)]
    inside = decide(OFFICE, Options(enforced=True), at(9), at(9, 1), [server("b", False)])
    assert [(d.start, d.why) for d in inside.decisions] == [(True, Why.ENFORCED)]


def test_a_new_server_outside_the_periods_is_stopped_when_stop_new() -> None:
    new = server("n", True, created=at(21, 0, 30))
    assert decide(OFFICE, Options(stop_new=False), at(21), at(21, 1), [new]).decisions == ()
    (d,) = decide(OFFICE, Options(stop_new=True), at(21), at(21, 1), [new]).decisions
    assert (d.start, d.why) == (False, Why.NEW_OUTSIDE)
    old = server("o", True)  # created before the last pass: not new
    assert decide(OFFICE, Options(stop_new=True), at(21), at(21, 1), [old]).decisions == ()


def test_retain_running_keeps_a_server_started_before_its_period() -> None:
    options = Options(retain_running=True, enforced=True)
    begins = decide(
        OFFICE, options, at(5, 59), at(6), [server("early", True), server("late", False)]
    )
    assert begins.retain == {"early"}
    assert [d.server_id for d in begins.decisions] == ["late"]
    ends = decide(
        OFFICE,
        options,
        at(16, 59),
        at(17),
        [server("early", True, retained=True), server("late", True)],
    )
    assert [d.server_id for d in ends.decisions] == ["late"]
    night = decide(OFFICE, options, at(21), at(21, 1), [server("early", True, retained=True)])
    assert night.decisions == ()  # enforced leaves it on too
    stopped_by_hand = decide(
        OFFICE, options, at(5, 59, 1), at(6, 0, 1), [server("early", False, retained=True)]
    )
    assert stopped_by_hand.release == {"early"}
    assert [d.start for d in stopped_by_hand.decisions] == [True]


@settings(max_examples=80, deadline=None)
@given(
    start=st.integers(0, 7 * 24 * 60),
    length=st.integers(1, 3 * 24 * 60),
    running=st.booleans(),
    enforced=st.booleans(),
)
def test_after_a_boundary_or_when_enforced_every_settled_server_ends_in_the_wanted_state(
    start: int, length: int, running: bool, enforced: bool
) -> None:
    last = MONDAY + timedelta(minutes=start)
    now = last + timedelta(minutes=length)
    result = decide(
        OFFICE, Options(enforced=enforced, stop_new=False), last, now, [server("s", running)]
    )
    after = result.decisions[0].start if result.decisions else running
    if result.boundary is not None or enforced:
        assert after is running_at(OFFICE, now)
    else:
        assert after is running  # untouched between boundaries
