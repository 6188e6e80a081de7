"""Volume placement invariants: never beyond a pool's promise (its size times its
over-subscription ratio), the type and the residency zones held, the roomiest pool
chosen, the same answer in any order, and a refusal only when no pool fits."""

import random
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from andromede.storage.pool_placement import (
    NoPool,
    PoolPlacement,
    PoolState,
    VolumeRequest,
    can_grow,
    claimed,
    fits,
    place_volume,
)

SSD = frozenset({"ssd"})


def pool(n: int, **kw: object) -> PoolState:
    base: dict[str, object] = {
        "id": f"p{n:02d}",
        "name": f"pool-{n:02d}",
        "region": "fr-par-1",
        "zone": "fr-par-1a",
        "volume_types": SSD,
        "total_gib": 1000,
    }
    base.update(kw)
    return PoolState(**base)  # type: ignore[arg-type]


def test_the_roomiest_pool_of_the_type_takes_the_volume() -> None:
    pools = [
        pool(1, allocated_gib=600),
        pool(2, allocated_gib=100, volume_types=frozenset({"ssd-replicated"})),
        pool(3, allocated_gib=300),
    ]
    chosen = place_volume(pools, VolumeRequest(100, "ssd", "fr-par-1"))
    assert chosen == PoolPlacement("p03", "pool-03", "fr-par-1", "fr-par-1a")
    replicated = place_volume(pools, VolumeRequest(100, "ssd-replicated", "fr-par-1"))
    assert isinstance(replicated, PoolPlacement) and replicated.pool_id == "p02"


def test_over_subscription_promises_more_than_the_disks_hold() -> None:
    thin = pool(1, allocated_gib=1400, ratio=Decimal("1.5"))
    assert thin.room_gib == Decimal(100)
    assert isinstance(place_volume([thin], VolumeRequest(100, "ssd", "fr-par-1")), PoolPlacement)
    refused = place_volume([thin], VolumeRequest(101, "ssd", "fr-par-1"))
    assert refused == NoPool({"capacity": "1 of 1 pools less than 101 GiB of room"})


def test_nothing_fits_explains_each_filter() -> None:
    pools = [
        pool(1, region="fr-rns-1"),
        pool(2, zone="fr-par-1b"),
        pool(3, enabled=False),
        pool(4, volume_types=frozenset({"hdd"})),
        pool(5, allocated_gib=990),
    ]
    request = VolumeRequest(20, "ssd", "fr-par-1", zones=frozenset({"fr-par-1a"}))
    assert place_volume(pools, request) == NoPool(
        {
            "region": "1 of 5 pools not in region fr-par-1",
            "residency": "1 of 4 pools outside the zones residency policies allow",
            "enabled": "1 of 3 pools disabled or in maintenance",
            "type": "1 of 2 pools not offering type ssd",
            "capacity": "1 of 1 pools less than 20 GiB of room",
        }
    )
    assert place_volume([], request) == NoPool({"pools": "no storage pools known"})
    assert place_volume(pools, VolumeRequest(0, "ssd", "fr-par-1")) == NoPool(
        {"size": "a volume holds at least 1 GiB"}
    )


def test_an_extension_stays_on_its_pool_within_its_room() -> None:
    full = pool(1, allocated_gib=950)
    assert can_grow(full, 50) and not can_grow(full, 51) and not can_grow(full, 0)
    assert can_grow(pool(2, enabled=False, allocated_gib=10), 10)  # maintenance: still grows
    assert claimed(full, 50).room_gib == 0 and claimed(full, -950).allocated_gib == 0


pools_strategy = st.lists(
    st.builds(
        pool,
        st.integers(0, 99),
        zone=st.sampled_from(["fr-par-1a", "fr-par-1b"]),
        volume_types=st.sampled_from([SSD, frozenset({"hdd"}), frozenset({"ssd", "hdd"})]),
        total_gib=st.integers(1, 500),
        ratio=st.sampled_from([Decimal(1), Decimal("1.5"), Decimal("2.25")]),
        enabled=st.booleans(),
    ),
    min_size=0,
    max_size=12,
    unique_by=lambda p: p.id,
)
requests = st.builds(
    VolumeRequest,
    st.integers(1, 300),
    st.sampled_from(["ssd", "hdd"]),
    st.just("fr-par-1"),
    zone=st.sampled_from([None, "fr-par-1a"]),
    zones=st.sampled_from([None, frozenset({"fr-par-1a"}), frozenset({"fr-par-1b"})]),
)


@settings(max_examples=300, deadline=None)
@given(pools_strategy, st.lists(requests, min_size=1, max_size=40), st.randoms())
def test_a_sequence_of_volumes_never_exceeds_a_pools_promise(
    pools: list[PoolState], reqs: list[VolumeRequest], rnd: random.Random
) -> None:
    state = {p.id: p for p in pools}
    for req in reqs:
        snapshot = list(state.values())
        rnd.shuffle(snapshot)
        result = place_volume(snapshot, req)
        assert result == place_volume(list(reversed(snapshot)), req)  # order never matters
        fitting = [p for p in snapshot if fits(req, p)]
        if isinstance(result, NoPool):
            assert not fitting  # refused only when no pool fits
            continue
        chosen = state[result.pool_id]
        assert chosen in fitting and req.volume_type in chosen.volume_types
        assert req.zones is None or chosen.zone in req.zones
        assert chosen.room_gib == max(p.room_gib for p in fitting)  # the roomiest
        state[chosen.id] = claimed(chosen, req.size_gib)
        assert state[chosen.id].room_gib >= 0  # never beyond its promise
