"""Reservation matching on plain data: the worked examples of size-flexible reservations
(normalization: small 1, medium 2, large 4, xlarge 8, 2xlarge 16 units) and invariants."""

from datetime import UTC, datetime

from hypothesis import given
from hypothesis import strategies as st

from andromede.prepaid.reservations import SECONDS_PER_HOUR, HourUsage, Pool, match_hour

T0 = datetime(2026, 1, 1, tzinfo=UTC)
HOUR = SECONDS_PER_HOUR


def run(server: str, units: int, seconds: int = HOUR, family: str = "v") -> HourUsage:
    return HourUsage(server, family, "fr-par-1", units, seconds)


def pool(rid: str, units: int, family: str = "v") -> Pool:
    return Pool(rid, family, "fr-par-1", units, T0)


def test_one_medium_covers_two_smalls() -> None:
    smalls = [run("s1", 1), run("s2", 1)]
    result = match_hour(smalls, [pool("r-medium", 2)])
    assert [result.on_demand(u) for u in smalls] == [0, 0]
    assert result.used == {"r-medium": 2 * HOUR}


def test_a_2xlarge_covers_two_larges_then_one_xlarge() -> None:
    usage = [run("x2", 8), run("l1", 4), run("x1", 8), run("l2", 4)]
    result = match_hour(usage, [pool("r-2xl", 16)])
    assert result.covered == {"l1": 4 * HOUR, "l2": 4 * HOUR, "x1": 8 * HOUR}
    assert result.on_demand(usage[0]) == 8 * HOUR  # the second xlarge, on demand


def test_four_quarter_hours_use_one_reservation_hour() -> None:
    usage = [run(f"s{i}", 1, 900) for i in range(4)]
    result = match_hour(usage, [pool("r-small", 1)])
    assert all(result.on_demand(u) == 0 for u in usage)
    assert result.used == {"r-small": HOUR}


def test_partial_cover_of_a_larger_server_and_other_families_untouched() -> None:
    usage = [run("big", 8, 1800), run("other", 1, family="c")]
    result = match_hour(usage, [pool("r", 2)])
    assert result.covered == {"big": 2 * HOUR}
    assert result.on_demand(usage[0]) == 8 * 1800 - 2 * HOUR
    assert result.on_demand(usage[1]) == HOUR


def test_several_reservations_oldest_first() -> None:
    older = Pool("r-old", "v", "fr-par-1", 1, T0)
    newer = Pool("r-new", "v", "fr-par-1", 4, datetime(2026, 6, 1, tzinfo=UTC))
    result = match_hour([run("m", 2)], [newer, older])
    assert result.used == {"r-old": HOUR, "r-new": HOUR}


usages = st.lists(
    st.builds(
        HourUsage,
        st.uuids().map(str),
        st.sampled_from(["v", "c"]),
        st.sampled_from(["fr-par-1", "fr-rns-1"]),
        st.sampled_from([1, 2, 4, 8, 16]),
        st.integers(1, HOUR),
    ),
    max_size=12,
    unique_by=lambda u: u.server_id,
)
pools = st.lists(
    st.builds(
        Pool,
        st.uuids().map(str),
        st.sampled_from(["v", "c"]),
        st.sampled_from(["fr-par-1", "fr-rns-1"]),
        st.integers(1, 32),
        st.just(T0),
    ),
    max_size=4,
    unique_by=lambda p: p.reservation_id,
)


@given(usages, pools)
def test_covered_plus_on_demand_is_the_usage_and_never_exceeds_purchase(
    usage: list[HourUsage], bought: list[Pool]
) -> None:
    result = match_hour(usage, bought)
    for u in usage:
        covered = result.covered.get(u.server_id, 0)
        assert 0 <= covered <= u.unit_seconds
        assert covered + result.on_demand(u) == u.unit_seconds
    for p in bought:
        assert 0 <= result.used[p.reservation_id] <= p.unit_seconds
    assert sum(result.used.values()) == sum(result.covered.values())


@given(usages, pools)
def test_the_result_does_not_depend_on_input_order(
    usage: list[HourUsage], bought: list[Pool]
) -> None:
    assert match_hour(usage, bought) == match_hour(list(reversed(usage)), list(reversed(bought)))


@given(usages, pools)
def test_nothing_is_left_on_demand_while_a_matching_reservation_has_room(
    usage: list[HourUsage], bought: list[Pool]
) -> None:
    result = match_hour(usage, bought)
    for u in usage:
        if result.on_demand(u):
            room = [
                p
                for p in bought
                if (p.family, p.region) == (u.family, u.region)
                and result.used[p.reservation_id] < p.unit_seconds
            ]
            assert room == []


def test_runs_are_cut_at_clock_hours_and_summed_per_server() -> None:
    from datetime import timedelta

    from andromede.prepaid.reservations import Run, by_hour

    t = datetime(2026, 3, 1, 10, 45, tzinfo=UTC)
    runs = [
        Run("a", "v", "fr-par-1", 2, t, t + timedelta(minutes=30)),  # 10:45–11:15
        Run("a", "v", "fr-par-1", 2, t + timedelta(minutes=40), t + timedelta(minutes=50)),
        Run("b", "v", "fr-par-1", 1, t + timedelta(minutes=15), t + timedelta(hours=2)),  # 11–12:45
    ]
    hours = by_hour(runs)
    h10, h11, h12 = (datetime(2026, 3, 1, h, tzinfo=UTC) for h in (10, 11, 12))
    assert hours[h10] == [HourUsage("a", "v", "fr-par-1", 2, 900)]
    assert hours[h11] == [
        HourUsage("a", "v", "fr-par-1", 2, 900 + 600),
        HourUsage("b", "v", "fr-par-1", 1, 3600),
    ]
    assert hours[h12] == [HourUsage("b", "v", "fr-par-1", 1, 2700)]  # until 12:45
    assert sorted(hours) == [h10, h11, h12]


def test_utilization_and_coverage_over_a_period() -> None:
    from datetime import timedelta

    from andromede.prepaid.reservations import utilization

    h0 = datetime(2026, 3, 1, tzinfo=UTC)
    hours = {
        h0: [run("a", 1), run("b", 2)],  # 3 units of usage, 2 reserved: 2 covered
        h0 + timedelta(hours=1): [run("a", 1, 1800)],  # half a unit-hour used
        h0 + timedelta(hours=2): [],  # idle: the reservation is paid anyway
    }
    r = pool("r", 2)
    result = utilization(hours, lambda hour: [r])
    assert result.purchased == {"r": 3 * 2 * HOUR}
    assert result.used == {"r": 2 * HOUR + 1800}
    assert result.rate("r") == (2 * HOUR + 1800) / (6 * HOUR)
    assert (result.eligible, result.covered) == (3 * HOUR + 1800, 2 * HOUR + 1800)
    assert result.coverage == (2 * HOUR + 1800) / (3 * HOUR + 1800)
    other_family = utilization({h0: [run("c", 4, family="c")]}, lambda hour: [r])
    assert (other_family.eligible, other_family.coverage) == (0, 0.0)


@given(usages, pools)
def test_utilization_never_exceeds_one_nor_coverage(
    usage: list[HourUsage], bought: list[Pool]
) -> None:
    from andromede.prepaid.reservations import utilization

    result = utilization({T0: usage}, lambda hour: bought)
    assert all(0 <= result.rate(p.reservation_id) <= 1 for p in bought)
    assert 0 <= result.coverage <= 1
