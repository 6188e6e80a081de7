"""Savings of schedules: hours on and off per server, to the cent, and the stopped time
metering derives for them."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from andromede.metering.segments import StateEvent, derive_segments, idle_segments
from andromede.schedules.savings import Rated, notes, summarise

D = Decimal
T0 = datetime(2026, 11, 2, tzinfo=UTC)


def event(n: int, status: str, hours: int, flavor: str = "SCS-1V-2") -> StateEvent:
    return StateEvent(
        f"{n:04d}",
        "s1",
        T0 + timedelta(hours=hours),
        status,
        flavor,
        "fr-par-1",
        10,
        "p",
        "c",
        "pa",
    )


def test_stopped_time_is_derived_to_the_second_without_a_minimum() -> None:
    events = [
        event(0, "BUILD", 0),
        event(1, "ACTIVE", 0),
        event(2, "SHUTOFF", 11),
        event(3, "ACTIVE", 24),
        event(4, "SHUTOFF", 35),
        event(5, "DELETED", 40),
    ]
    idle = idle_segments(events, until=T0 + timedelta(days=2))
    assert [(s.start, s.end, s.seconds) for s in idle] == [
        (T0 + timedelta(hours=11), T0 + timedelta(hours=24), D(13 * 3600)),
        (T0 + timedelta(hours=35), T0 + timedelta(hours=40), D(5 * 3600)),
    ]
    assert {s.sku for s in idle} == {"compute:SCS-1V-2:fr-par-1"}


@settings(max_examples=80, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(["ACTIVE", "SHUTOFF"]), st.integers(1, 50)), max_size=12))
def test_running_and_stopped_time_add_up_to_the_time_it_existed(
    steps: list[tuple[str, int]],
) -> None:
    events, hours = [event(0, "BUILD", 0), event(1, "ACTIVE", 0)], 0
    for i, (status, gap) in enumerate(steps, start=2):
        hours += gap
        events.append(event(i, status, hours))
    until = T0 + timedelta(hours=hours + 5)
    running = [s for s in derive_segments(events, until=until) if s.dimension == "compute"]
    idle = idle_segments(events, until=until)
    exact = sum(((s.end - s.start).total_seconds() for s in running + idle), 0.0)
    assert exact == (hours + 5) * 3600


def test_summary_rounds_once_per_server_and_marks_reserved_ones() -> None:
    on = [
        Rated("a", "SCS-1V-2", "fr-par-1", D("110"), D("2.2000004")),
        Rated("a", "SCS-1V-2", "fr-par-1", D("110"), D("2.2000004")),
        Rated("x", "SCS-1V-2", "fr-par-1", D("700"), D("14")),
    ]  # not scheduled
    off = [
        Rated("a", "SCS-1V-2", "fr-par-1", D("469"), D("9.385")),
        Rated("b", "SCS-2V-4", "fr-rns-1", D("24"), D("1.2")),
    ]
    hourly = {("SCS-1V-2", "fr-par-1"): D("0.012")}
    found = summarise(on, off, {"a": "office", "b": "nights"}, {("SCS-2V-4", "fr-rns-1")}, hourly)
    assert [
        (s.server_id, s.hours_on, s.hours_off, s.paid, s.saved, s.reserved, s.reserved_instead)
        for s in found
    ] == [
        ("a", D("220.000000"), D("469.000000"), D("4.40"), D("9.39"), False, D("8.27")),
        ("b", D("0.000000"), D("24.000000"), D("0.00"), D("1.20"), True, None),
    ]
    (note,) = notes(found)
    assert note.startswith("server b (SCS-2V-4, fr-rns-1) is covered by a reservation")
