"""Placement invariants: never over capacity, group policies held, deterministic."""

import random

from hypothesis import given, settings
from hypothesis import strategies as st

from andromede.compute.placement import (
    HostState,
    NoFit,
    Placement,
    PlacementRequest,
    group_hosts,
    place,
)


def host(n: int, **kw: object) -> HostState:
    base: dict[str, object] = {
        "id": f"h{n:03d}",
        "name": f"host-{n:03d}",
        "region": "r1",
        "zone": "r1a",
        "vcpus": 8,
        "ram_mib": 16384,
        "disk_gib": 100,
        "cpu_ratio": 1.0,
    }
    base.update(kw)
    return HostState(**base)  # type: ignore[arg-type]


def test_spread_picks_most_free_ram_and_pack_the_least() -> None:
    hosts = [host(1, used_ram_mib=8000), host(2), host(3, used_ram_mib=12000)]
    spread = place(hosts, PlacementRequest(1, 1024, 0))
    pack = place(hosts, PlacementRequest(1, 1024, 0, weigher="pack"))
    assert isinstance(spread, Placement) and spread.host_id == "h002"
    assert isinstance(pack, Placement) and pack.host_id == "h003"


def test_ties_break_on_name_whatever_the_order() -> None:
    hosts = [host(3), host(1), host(2)]
    result = place(hosts, PlacementRequest(1, 1024, 0))
    assert isinstance(result, Placement) and result.host_name == "host-001"


def test_nothing_fits_explains_each_filter() -> None:
    hosts = [host(1, region="r2"), host(2, enabled=False), host(3, used_vcpus=8), host(4)]
    result = place(hosts, PlacementRequest(2, 32768, 0, region="r1"))
    assert isinstance(result, NoFit)
    assert result.reasons == {
        "region": "1 of 4 hosts not in region r1",
        "enabled": "1 of 3 hosts disabled or in maintenance",
        "vcpu": "1 of 2 hosts fewer than 2 free vCPUs",
        "ram": "1 of 1 hosts less than 32768 MiB free RAM",
    }


def test_required_traits_and_zone_filter() -> None:
    hosts = [
        host(1, traits=frozenset({"ssd"})),
        host(2, zone="r1b", traits=frozenset({"ssd"})),
        host(3),
    ]
    result = place(
        hosts, PlacementRequest(1, 512, 0, zone="r1b", required_traits=frozenset({"ssd"}))
    )
    assert isinstance(result, Placement) and result.host_id == "h002"
    none = place(hosts, PlacementRequest(1, 512, 0, required_traits=frozenset({"gpu"})))
    assert isinstance(none, NoFit) and "traits" in none.reasons


def test_affinity_sticks_to_the_group_host_and_anti_affinity_avoids_it() -> None:
    hosts = [host(1), host(2), host(3)]
    members = frozenset({"h003"})
    aff = place(hosts, PlacementRequest(1, 512, 0, group_policy="affinity", group_hosts=members))
    anti = place(
        hosts,
        PlacementRequest(
            1, 512, 0, group_policy="anti-affinity", group_hosts=frozenset({"h001", "h002", "h003"})
        ),
    )
    assert isinstance(aff, Placement) and aff.host_id == "h003"
    assert isinstance(anti, NoFit) and "server-group" in anti.reasons


def test_allocation_ratio_allows_overcommit_up_to_the_ratio() -> None:
    hosts = [host(1, vcpus=4, cpu_ratio=4.0, used_vcpus=15)]
    assert isinstance(place(hosts, PlacementRequest(1, 512, 0)), Placement)
    assert isinstance(place(hosts, PlacementRequest(2, 512, 0)), NoFit)


hosts_strategy = st.lists(
    st.builds(
        lambda n, v, r, uv, ur, z, en: host(
            n,
            vcpus=v,
            ram_mib=r,
            used_vcpus=min(uv, v),
            used_ram_mib=min(ur, r),
            zone=z,
            enabled=en,
        ),
        st.integers(0, 999),
        st.integers(1, 64),
        st.integers(1024, 262144),
        st.integers(0, 64),
        st.integers(0, 262144),
        st.sampled_from(["r1a", "r1b"]),
        st.booleans(),
    ),
    min_size=0,
    max_size=30,
    unique_by=lambda h: h.id,
)
requests = st.builds(
    PlacementRequest,
    st.integers(1, 16),
    st.integers(256, 65536),
    st.integers(0, 50),
    zone=st.sampled_from([None, "r1a", "r1b"]),
    group_policy=st.sampled_from([None, "affinity", "anti-affinity"]),
    weigher=st.sampled_from(["spread", "pack"]),
    subset_size=st.sampled_from([1, 1, 3]),
    seed=st.integers(0, 2**32),
)


@settings(max_examples=300, deadline=None)
@given(hosts_strategy, st.lists(requests, min_size=1, max_size=40), st.randoms())
def test_a_sequence_of_placements_never_overcommits_and_holds_groups(
    hosts: list[HostState], reqs: list[PlacementRequest], rnd: random.Random
) -> None:
    state = {h.id: h for h in hosts}
    group_members: set[str] = set()
    policy = reqs[0].group_policy
    for raw in reqs:
        req = PlacementRequest(
            raw.vcpus,
            raw.ram_mib,
            raw.disk_gib,
            zone=raw.zone,
            group_policy=policy,
            group_hosts=frozenset(group_members),
            weigher=raw.weigher,
            subset_size=raw.subset_size,
            seed=raw.seed,
        )
        snapshot = list(state.values())
        rnd.shuffle(snapshot)
        result = place(snapshot, req)
        assert result == place(list(reversed(snapshot)), req)  # order never matters
        if isinstance(result, NoFit):
            assert not any(
                h.enabled
                and h.free_vcpus >= req.vcpus
                and h.free_ram_mib >= req.ram_mib
                and h.free_disk_gib >= req.disk_gib
                and (req.zone in (None, h.zone))
                and (policy != "anti-affinity" or h.id not in group_members)
                and (policy != "affinity" or not group_members or h.id in group_members)
                for h in snapshot
            )
            continue
        chosen = state[result.host_id]
        assert chosen.enabled and (req.zone is None or chosen.zone == req.zone)
        if policy == "anti-affinity":
            assert chosen.id not in group_members
        if policy == "affinity" and group_members:
            assert chosen.id in group_members
        updated = HostState(
            **{
                **{f: getattr(chosen, f) for f in chosen.__slots__},
                "used_vcpus": chosen.used_vcpus + req.vcpus,
                "used_ram_mib": chosen.used_ram_mib + req.ram_mib,
                "used_disk_gib": chosen.used_disk_gib + req.disk_gib,
            }
        )
        assert updated.free_vcpus >= 0 and updated.free_ram_mib >= 0
        assert updated.free_disk_gib >= 0
        state[chosen.id] = updated
        group_members.add(chosen.id)


def test_group_hosts_names_where_members_are_and_which_hosts_are_full() -> None:
    members = {"h001": 1, "h002": 2, "h003": 3}
    assert group_hosts("affinity", members) == {"h001", "h002", "h003"}
    assert group_hosts("anti-affinity", members) == {"h001", "h002", "h003"}
    assert group_hosts("anti-affinity", members, max_per_host=2) == {"h002", "h003"}
    assert group_hosts("anti-affinity", members, max_per_host=4) == frozenset()
    assert group_hosts(None, {"h001": 0}) == frozenset()


@settings(max_examples=200, deadline=None)
@given(st.integers(1, 6), st.integers(1, 4), st.integers(1, 30), st.integers(0, 9))
def test_anti_affinity_members_per_host_stay_within_the_rule(
    hosts_count: int, limit: int, members: int, seed: int
) -> None:
    """Members placed one after the other never exceed the rule on any host, and a
    member is refused only once every host holds as many as the rule allows."""
    hosts = [host(n) for n in range(hosts_count)]
    per_host: dict[str, int] = {}
    for n in range(members):
        req = PlacementRequest(
            1,
            512,
            0,
            group_policy="anti-affinity",
            group_hosts=group_hosts("anti-affinity", per_host, limit),
            subset_size=2,
            seed=seed + n,
        )
        result = place(hosts, req)
        if isinstance(result, NoFit):
            assert len(per_host) == hosts_count and set(per_host.values()) == {limit}
            assert "server-group" in result.reasons
            return
        per_host[result.host_id] = per_host.get(result.host_id, 0) + 1
        assert per_host[result.host_id] <= limit
    assert members <= hosts_count * limit


def test_subset_choice_is_deterministic_and_stays_among_the_best() -> None:
    hosts = [host(n, used_ram_mib=n * 100) for n in range(10)]  # host 0 is the emptiest
    chosen = set()
    for seed in range(50):
        request = PlacementRequest(1, 512, 0, subset_size=3, seed=seed)
        result = place(hosts, request)
        assert result == place(list(reversed(hosts)), request)
        assert isinstance(result, Placement)
        chosen.add(result.host_id)
    assert chosen == {"h000", "h001", "h002"}


def test_subset_skips_hosts_that_do_not_fit() -> None:
    hosts = [host(0, used_vcpus=8), host(1), host(2, enabled=False), host(3)]
    results = {place(hosts, PlacementRequest(1, 512, 0, subset_size=4, seed=s)) for s in range(8)}
    assert {r.host_id for r in results if isinstance(r, Placement)} == {"h001", "h003"}
    refused = place([host(0, used_vcpus=8)], PlacementRequest(1, 512, 0, subset_size=4))
    assert isinstance(refused, NoFit) and "vcpu" in refused.reasons
