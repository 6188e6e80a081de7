import random
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from itertools import pairwise

import pytest
from hypothesis import given
from hypothesis import strategies as st

from andromede.metering.segments import (
    MINIMUM_SECONDS,
    OutOfOrder,
    StateEvent,
    _grouped_in_order,
    by_server_carried,
    by_server_streamed,
    derive_segments,
    segments_of_run,
)

T0 = datetime(2026, 10, 1, 8, tzinfo=UTC)
NOV = datetime(2026, 11, 1, tzinfo=UTC)


def ev(n: int, minutes: float, status: str, server: str = "s1", disk: int = 20) -> StateEvent:
    return StateEvent(
        f"{server}-{n}",
        server,
        T0 + timedelta(minutes=minutes),
        status,
        "SCS-2V-4",
        "fr-par-1",
        disk,
        "p1",
        "c1",
        "pa",
    )


def by_dim(segments: list, dim: str) -> list[tuple[float, float]]:  # type: ignore[type-arg]
    return [
        ((s.start - T0).total_seconds() / 60, float(s.seconds))
        for s in segments
        if s.dimension == dim
    ]


def test_compute_while_running_disk_while_existing() -> None:
    events = [
        ev(1, 0, "BUILD"),
        ev(2, 1, "ACTIVE"),
        ev(3, 61, "SHUTOFF"),
        ev(4, 121, "ACTIVE"),
        ev(5, 181, "DELETED"),
    ]
    segments = derive_segments(events, until=NOV)
    assert by_dim(segments, "compute") == [(1, 3600.0), (121, 3600.0)]
    assert by_dim(segments, "disk") == [(1, 10800.0)]
    disk = next(s for s in segments if s.dimension == "disk")
    assert disk.quantity == Decimal(10800 * 20) and disk.sku == "disk:fr-par-1"
    assert segments[0].sku == "compute:SCS-2V-4:fr-par-1"


def test_reboot_keeps_compute_running() -> None:
    events = [ev(1, 0, "ACTIVE"), ev(2, 10, "REBOOT"), ev(3, 11, "ACTIVE"), ev(4, 20, "DELETED")]
    assert by_dim(derive_segments(events, until=NOV), "compute") == [(0, 1200.0)]


def test_open_runs_end_at_until_and_split_at_boundaries() -> None:
    cut = T0 + timedelta(hours=2)
    segments = derive_segments(
        [ev(1, 0, "ACTIVE")],
        until=T0 + timedelta(hours=5),
        boundaries=[cut, T0 - timedelta(days=1)],
    )
    assert by_dim(segments, "compute") == [(0, 7200.0), (120, 10800.0)]


def test_short_runs_pay_the_minute_on_their_first_piece() -> None:
    events = [ev(1, 0, "ACTIVE"), ev(2, 0.25, "SHUTOFF")]  # 15 s of compute
    compute = [s for s in derive_segments(events, until=NOV) if s.dimension == "compute"]
    assert [s.seconds for s in compute] == [Decimal(60)]
    split = derive_segments(events, until=NOV, boundaries=[T0 + timedelta(seconds=5)])
    assert [s.seconds for s in split if s.dimension == "compute"] == [Decimal(50), Decimal(10)]


def test_duplicate_events_count_once_and_order_does_not_matter() -> None:
    events = [ev(1, 0, "ACTIVE"), ev(2, 30, "SHUTOFF"), ev(3, 45, "ACTIVE"), ev(4, 50, "DELETED")]
    once = derive_segments(events, until=NOV)
    assert derive_segments(list(reversed(events)) + events[:2], until=NOV) == once


def test_error_and_build_are_not_billed() -> None:
    events = [ev(1, 0, "BUILD"), ev(2, 5, "ERROR"), ev(3, 60, "DELETED")]
    assert derive_segments(events, until=NOV) == []


def test_no_disk_segment_for_volume_backed_flavors() -> None:
    segments = derive_segments([ev(1, 0, "ACTIVE", disk=0)], until=T0 + timedelta(hours=1))
    assert [s.dimension for s in segments] == ["compute"]


statuses = st.sampled_from(["BUILD", "ACTIVE", "SHUTOFF", "REBOOT", "ERROR"])


@given(
    st.lists(st.tuples(st.integers(0, 10_000), statuses), min_size=1, max_size=30),
    st.lists(st.integers(1, 10_000), max_size=10),
)
def test_splitting_never_changes_billed_time(
    changes: list[tuple[int, str]], cuts: list[int]
) -> None:
    events = [ev(i, m, status) for i, (m, status) in enumerate(sorted(changes))]
    until = T0 + timedelta(minutes=10_001)
    whole = derive_segments(events, until=until)
    split = derive_segments(
        events, until=until, boundaries=[T0 + timedelta(minutes=c) for c in cuts]
    )
    for dim in ("compute", "disk"):
        assert sum(s.seconds for s in whole if s.dimension == dim) == sum(
            s.seconds for s in split if s.dimension == dim
        )
    for segment in split:
        assert segment.start <= segment.end and segment.seconds >= Decimal(0)


def test_a_resize_starts_a_new_run_at_the_new_flavor() -> None:

    events = [
        ev(1, 0, "ACTIVE"),
        ev(2, 60, "SHUTOFF"),
        ev(3, 61, "SHUTOFF")._replace(flavor="SCS-4V-8"),  # resized while stopped
        ev(4, 62, "ACTIVE")._replace(flavor="SCS-4V-8"),
    ]
    segments = derive_segments(events, until=T0 + timedelta(hours=3))
    compute = [(s.flavor, s.sku, float(s.seconds)) for s in segments if s.dimension == "compute"]
    assert compute == [
        ("SCS-2V-4", "compute:SCS-2V-4:fr-par-1", 3600.0),
        ("SCS-4V-8", "compute:SCS-4V-8:fr-par-1", 118 * 60.0),
    ]
    # the disk keeps existing: its run is cut where the flavor changed, nothing lost
    disk = sum(float(s.seconds) for s in segments if s.dimension == "disk")
    assert disk == 3 * 3600.0


@given(
    st.lists(
        st.tuples(
            st.sampled_from(["s1", "s2", "s3"]),
            st.integers(0, 5_000),
            statuses,
            st.sampled_from(["SCS-2V-4", "SCS-4V-8"]),
        ),
        min_size=1,
        max_size=40,
    ),
    st.lists(st.integers(0, 5_001), max_size=6),
    st.randoms(use_true_random=False),
)
def test_events_in_database_order_give_what_any_order_and_repeats_give(
    changes: list[tuple[str, int, str, str]], cuts: list[int], rnd: random.Random
) -> None:
    """The database hands events over grouped by server and in order, once each, and
    derivation then skips its sort: the result must be the sorted path's, to the piece."""
    events = [
        StateEvent(
            i, server, T0 + timedelta(minutes=m), status, flavor, "fr-par-1", 20, "p", "c", "pa"
        )
        for i, (server, m, status, flavor) in enumerate(changes)
    ]
    in_order = sorted(events, key=lambda e: (e.server_id, e.at, e.key))
    repeated = [*events, *events[: len(events) // 2 + 1]]
    rnd.shuffle(repeated)
    assert _grouped_in_order(in_order) is not None  # the quick path is the one taken
    assert _grouped_in_order(repeated) is None  # a repeat always sends to the sort
    boundaries = [T0 + timedelta(minutes=c) for c in cuts]
    until = T0 + timedelta(minutes=5_001)
    quick = derive_segments(in_order, until=until, boundaries=boundaries)
    sorted_path = derive_segments(repeated, until=until, boundaries=boundaries)
    assert quick == sorted_path
    assert [s.seconds.as_tuple() for s in quick] == [s.seconds.as_tuple() for s in sorted_path]
    for segment in quick:  # no piece spans a boundary
        assert not any(segment.start < b < segment.end for b in boundaries)


@given(
    st.lists(st.tuples(st.sampled_from("abcde"), st.integers(0, 50)), max_size=30),
    st.sets(st.sampled_from("abcdefg")),
)
def test_a_stream_in_order_is_grouped_as_a_list_is(
    changes: list[tuple[str, int]], carried_servers: set[str]
) -> None:
    """Server by server, in id order, with the servers that only carry a run merged in
    their place: what ``by_server_carried`` gives from the whole list."""
    events = sorted(
        {(server, minutes): ev(minutes, minutes, "ACTIVE", server) for server, minutes in changes}
        .values(),
        key=lambda e: (e.server_id, e.at, e.key),
    )  # fmt: skip
    carried = {(server, "compute"): ev(0, -1, "ACTIVE", server) for server in carried_servers}
    assert list(by_server_streamed(iter(events), carried)) == by_server_carried(events, carried)


def test_a_stream_is_read_one_server_at_a_time() -> None:
    """When a server's changes are handed over, the stream has been read no further than
    the next server's first change (how the grouping knows the server's are all there)."""
    read: list[StateEvent] = []

    def stream() -> Iterator[StateEvent]:
        for server in ("a", "b", "c"):
            for n in range(30):
                read.append(ev(n, n, "ACTIVE", server))
                yield read[-1]

    seen = []
    for server_id, group in by_server_streamed(stream(), {}):
        seen.append(len(read))
        assert len(group) == 30 and {e.server_id for e in group} == {server_id}
    assert seen == [31, 61, 90]


def test_a_stream_out_of_order_or_read_twice_is_refused() -> None:
    a1, a2, b1 = ev(1, 1, "ACTIVE", "a"), ev(2, 2, "SHUTOFF", "a"), ev(1, 1, "ACTIVE", "b")
    for disorder in ([a2, a1], [a1, b1, a2], [b1, a1], [a1, a1], [a1, a2, a2, b1]):
        with pytest.raises(OutOfOrder):
            list(by_server_streamed(iter(disorder), {}))
    assert len(list(by_server_streamed(iter([a1, a2, b1]), {}))) == 2


@given(
    st.integers(0, 3_000),
    st.integers(0, 3_000),
    st.lists(st.integers(0, 6_000), max_size=5),
    st.sampled_from(["compute", "disk"]),
)
def test_a_run_is_cut_at_every_boundary_inside_it_and_topped_up_to_the_minimum(
    begin: int, length: int, cuts: list[int], dimension: str
) -> None:
    """The plain rule, written out here, against the quick one-piece path and the cutting."""
    opened = ev(1, 0, "ACTIVE")._replace(at=T0 + timedelta(seconds=begin))
    end = opened.at + timedelta(seconds=length)
    boundaries = sorted({T0 + timedelta(seconds=c) for c in cuts})
    edges = [opened.at, *(b for b in boundaries if opened.at < b < end), end]
    expected = [(a, b, Decimal(int((b - a).total_seconds()))) for a, b in pairwise(edges)]
    total = sum((s for _, _, s in expected), Decimal(0))
    if total < MINIMUM_SECONDS:
        a, b, s = expected[0]
        expected[0] = (a, b, s + MINIMUM_SECONDS - total)
    pieces = segments_of_run(opened, end, dimension, boundaries)
    assert [(p.start, p.end, p.seconds) for p in pieces] == expected
    assert [p.seconds.as_tuple() for p in pieces] == [s.as_tuple() for _, _, s in expected]
