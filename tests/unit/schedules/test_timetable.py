"""Timetables against a minute-by-minute walk of the local wall clock, and the days the
clock moves, named one by one."""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from hypothesis import assume, given, settings
from hypothesis import strategies as st

from andromede.schedules.timetable import (
    Period,
    Timetable,
    Transition,
    running_at,
    transitions,
)

PARIS = "Europe/Paris"
WEEKDAYS = frozenset(range(5))


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)  # type: ignore[arg-type, misc]


def office(zone: str = PARIS, skip: frozenset[date] = frozenset()) -> Timetable:
    return Timetable(zone, (Period(time(8), time(19), WEEKDAYS),), skip)


# -- the reference: the wall clock read every minute ----------------------------------
def wall_clock_running(table: Timetable, at: datetime) -> bool:
    """The definition read off the wall clock, for boundaries that exist once a day."""
    local = at.astimezone(ZoneInfo(table.zone))
    day, wall = local.date(), local.time()
    yesterday = day - timedelta(days=1)
    for p in table.periods:
        begins_today = p.applies_on(day) and day not in table.skip_days
        began_yesterday = p.applies_on(yesterday) and yesterday not in table.skip_days
        if p.end > p.begin:
            if begins_today and p.begin <= wall < p.end:
                return True
        elif (begins_today and wall >= p.begin) or (began_yesterday and wall < p.end):
            return True
    return False


def minute_walk(table: Timetable, start: datetime, minutes: int) -> list[Transition]:
    found = []
    state = wall_clock_running(table, start)
    for i in range(1, minutes + 1):
        at = start + timedelta(minutes=i)
        now = wall_clock_running(table, at)
        if now != state:
            found.append(Transition(at, now))
            state = now
    return found


def boundaries_exist_once(table: Timetable, start: datetime, days: int) -> bool:
    zone = ZoneInfo(table.zone)
    first = start.astimezone(zone).date() - timedelta(days=1)
    for offset in range(days + 3):
        day = first + timedelta(days=offset)
        for p in table.periods:
            for reading in (p.begin, p.end):
                a = datetime.combine(day, reading, zone)
                if a.astimezone(UTC) != a.replace(fold=1).astimezone(UTC):
                    return False  # read twice (autumn) or never (spring)
    return True


quarter_hours = st.integers(0, 95).map(lambda q: time(q // 4, q % 4 * 15))
periods = (
    st.tuples(
        quarter_hours,
        quarter_hours,
        st.sets(st.integers(0, 6), min_size=1),
        st.sets(st.integers(1, 31), max_size=3),
        st.sets(st.integers(1, 12), max_size=2),
    )
    .filter(lambda t: t[0] != t[1])
    .map(lambda t: Period(t[0], t[1], frozenset(t[2]), frozenset(t[3]), frozenset(t[4])))
)
zones = st.sampled_from([PARIS, "Europe/London", "America/New_York", "UTC", "Asia/Kolkata"])
starts = st.sampled_from(
    [utc(2026, 3, 26, 21, 7), utc(2026, 10, 23, 5), utc(2026, 3, 5, 0), utc(2026, 12, 30, 11)]
)


@settings(max_examples=60, deadline=None)
@given(
    zone=zones,
    plan=st.lists(
        st.tuples(quarter_hours, quarter_hours).filter(lambda t: t[0] != t[1]), min_size=1
    ),
    weekdays=st.sets(st.integers(0, 6), min_size=1),
    skip=st.sets(st.integers(0, 5), max_size=2),
    start=starts,
)
def test_transitions_are_where_the_wall_clock_changes_state(
    zone: str,
    plan: list[tuple[time, time]],
    weekdays: set[int],
    skip: set[int],
    start: datetime,
) -> None:
    first_day = start.date()
    table = Timetable(
        zone,
        tuple(Period(b, e, frozenset(weekdays)) for b, e in plan[:3]),
        frozenset(first_day + timedelta(days=d) for d in skip),
    )
    assume(boundaries_exist_once(table, start, 4))
    minutes = 4 * 24 * 60
    expected = minute_walk(table, start, minutes)
    assert transitions(table, start, start + timedelta(minutes=minutes)) == expected
    for change in expected:
        assert running_at(table, change.at) is change.running
        assert running_at(table, change.at - timedelta(minutes=1)) is not change.running


@settings(max_examples=40, deadline=None)
@given(zone=zones, period=periods, start=starts, hours=st.integers(1, 60))
def test_month_days_and_months_filter_the_day_a_period_begins(
    zone: str, period: Period, start: datetime, hours: int
) -> None:
    table = Timetable(zone, (period,))
    assume(boundaries_exist_once(table, start, 4))
    for step in range(0, hours * 4):
        at = start + timedelta(minutes=15 * step + 7)
        assert running_at(table, at) is wall_clock_running(table, at)


@settings(max_examples=40, deadline=None)
@given(zone=zones, start=starts, cut=st.integers(1, 3 * 24 * 60))
def test_a_window_cut_in_two_finds_the_same_transitions(
    zone: str, start: datetime, cut: int
) -> None:
    """A pass every minute or one pass after a day: the same boundaries in the end."""
    table = Timetable(zone, (Period(time(22), time(6)), Period(time(12), time(13), WEEKDAYS)))
    end = start + timedelta(days=3)
    middle = start + timedelta(minutes=cut)
    whole = transitions(table, start, end)
    assert transitions(table, start, middle) + transitions(table, middle, end) == whole


# -- the days the clock moves (Paris: 29 March and 25 October 2026) --------------------
def test_office_hours_stay_local_when_the_clock_moves_forward() -> None:
    found = transitions(office(), utc(2026, 3, 27, 0), utc(2026, 3, 31, 0))
    assert found == [
        Transition(utc(2026, 3, 27, 7), True),  # Friday 08:00 CET
        Transition(utc(2026, 3, 27, 18), False),  # 19:00 CET
        Transition(utc(2026, 3, 30, 6), True),  # Monday 08:00 CEST
        Transition(utc(2026, 3, 30, 17), False),
    ]


def test_office_hours_stay_local_when_the_clock_moves_back() -> None:
    found = transitions(office(), utc(2026, 10, 23, 0), utc(2026, 10, 27, 0))
    assert [t.at for t in found] == [
        utc(2026, 10, 23, 6),  # Friday 08:00 CEST
        utc(2026, 10, 23, 17),
        utc(2026, 10, 26, 7),  # Monday 08:00 CET
        utc(2026, 10, 26, 18),
    ]


def test_a_boundary_in_the_skipped_hour_takes_effect_when_the_clock_jumps() -> None:
    table = Timetable(PARIS, (Period(time(2, 30), time(10)),))
    found = transitions(table, utc(2026, 3, 28, 12), utc(2026, 3, 29, 12))
    assert found == [Transition(utc(2026, 3, 29, 1), True), Transition(utc(2026, 3, 29, 8), False)]


def test_a_boundary_in_the_repeated_hour_counts_at_its_first_reading() -> None:
    table = Timetable(PARIS, (Period(time(2, 30), time(10)),))
    found = transitions(table, utc(2026, 10, 24, 12), utc(2026, 10, 25, 12))
    assert found == [
        Transition(utc(2026, 10, 25, 0, 30), True),  # 02:30 CEST, not stopped at 02:00 CET
        Transition(utc(2026, 10, 25, 9), False),
    ]


def test_a_night_period_runs_through_the_longer_night() -> None:
    table = Timetable(PARIS, (Period(time(22), time(6)),))
    found = transitions(table, utc(2026, 10, 24, 12), utc(2026, 10, 25, 12))
    assert found == [
        Transition(utc(2026, 10, 24, 20), True),
        Transition(utc(2026, 10, 25, 5), False),
    ]
    assert (found[1].at - found[0].at) == timedelta(hours=9)  # 22:00 CEST → 06:00 CET


def test_touching_periods_make_one_stretch() -> None:
    table = Timetable(PARIS, (Period(time(8), time(12)), Period(time(12), time(18))))
    found = transitions(table, utc(2026, 6, 1, 0), utc(2026, 6, 2, 0))
    assert found == [Transition(utc(2026, 6, 1, 6), True), Transition(utc(2026, 6, 1, 16), False)]


def test_skipped_days_and_weekends_stay_off() -> None:
    may_day = date(2026, 5, 1)  # a Friday
    found = transitions(office(skip=frozenset({may_day})), utc(2026, 4, 30, 0), utc(2026, 5, 5, 0))
    days = [t.at.date() for t in found if t.running]
    assert days == [date(2026, 4, 30), date(2026, 5, 4)]
    assert not running_at(office(skip=frozenset({may_day})), utc(2026, 5, 1, 10))
    assert running_at(office(), utc(2026, 5, 1, 10))


def test_a_period_ending_at_midnight_ends_at_the_next_midnight() -> None:
    table = Timetable("UTC", (Period(time(20), time(0), frozenset({0})),))
    assert transitions(table, utc(2026, 6, 1, 0), utc(2026, 6, 3, 0)) == [
        Transition(utc(2026, 6, 1, 20), True),
        Transition(utc(2026, 6, 2, 0), False),
    ]


def test_bad_periods_are_refused() -> None:
    for kwargs in (
        {"begin": time(8), "end": time(8)},
        {"begin": time(8), "end": time(9), "weekdays": frozenset()},
        {"begin": time(8), "end": time(9), "weekdays": frozenset({7})},
        {"begin": time(8), "end": time(9), "monthdays": frozenset({0})},
        {"begin": time(8), "end": time(9), "months": frozenset({13})},
    ):
        try:
            Period(**kwargs)  # type: ignore[arg-type]
        except ValueError:
            continue
        raise AssertionError(f"accepted {kwargs}")
