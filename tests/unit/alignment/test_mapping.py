"""Which of their types each flavor is compared with: the written rule, as properties."""

from decimal import Decimal
from fractions import Fraction

from hypothesis import given
from hypothesis import strategies as st

from andromede.alignment.mapping import (
    MAX_DISTANCE,
    Flavor,
    distance,
    kind_of_flavor,
    map_flavor,
    map_flavors,
)
from andromede.alignment.price_list import InstanceType


def t(
    name: str, kind: str, vcpus: int, ram_gib: int, price: str = "0.1", **kw: bool
) -> InstanceType:
    return InstanceType(
        name,
        kind,
        vcpus,
        ram_gib * 1024,
        kw.get("arm", False),
        kw.get("current", True),
        Decimal(price),
    )


CATALOG = [
    t("t3.micro", "burstable", 2, 1, "0.0118"),
    t("t3.small", "burstable", 2, 2, "0.0236"),
    t("c6i.large", "compute", 2, 4, "0.0960"),
    t("c6i.xlarge", "compute", 4, 8, "0.1920"),
    t("m6i.large", "general", 2, 8, "0.1120"),
    t("m6i.xlarge", "general", 4, 16, "0.2240"),
    t("m6i.2xlarge", "general", 8, 32, "0.4480"),
    t("m5.xlarge", "general", 4, 16, "0.2140", current=False),
    t("m7g.xlarge", "general", 4, 16, "0.1900", arm=True),
    t("m6i.metal", "general", 128, 512, "7.1680"),
    t("r6i.large", "memory", 2, 16, "0.1480"),
    t("r6i.xlarge", "memory", 4, 32, "0.2960"),
]


def flavor(name: str, vcpus: int, ram_gib: float, cpu: str = "shared-core") -> Flavor:
    return Flavor(name, vcpus, int(ram_gib * 1024), cpu)


def test_flavor_kinds_follow_ram_per_vcpu_and_the_crowded_core() -> None:
    assert kind_of_flavor(flavor("SCS-2V-4", 2, 4)) == "compute"
    assert kind_of_flavor(flavor("SCS-4V-16", 4, 16)) == "general"
    assert kind_of_flavor(flavor("SCS-2V-16", 2, 16)) == "memory"
    assert kind_of_flavor(flavor("SCS-1L-1", 1, 1, "crowded-core")) == "burstable"


def test_the_same_size_of_the_same_kind_is_chosen_and_never_arm_old_or_metal() -> None:
    match = map_flavor(flavor("SCS-4V-16", 4, 16), CATALOG)
    # m5.xlarge (previous generation) and m7g.xlarge (arm) are as close, and cheaper
    assert match.type is not None and match.type.name == "m6i.xlarge"
    assert match.reason == "same size"


def test_between_two_sizes_the_one_that_covers_the_flavor_wins_the_tie() -> None:
    # 3 vCPU 12 GiB: large (x1.5, x1.5) and xlarge (x4/3, x4/3): xlarge is closer
    assert map_flavor(flavor("X-3-12", 3, 12), CATALOG).type.name == "m6i.xlarge"  # type: ignore[union-attr]
    # 2 vCPU 10 GiB: large (x1, x1.25) is closer than xlarge (x2, x1.6), covering or not
    assert map_flavor(flavor("X-2-10", 2, 10), CATALOG).type.name == "m6i.large"  # type: ignore[union-attr]
    # SCS-1V-4 against m6i.large (2 vCPU, 8 GiB): twice as large on both sides, too far
    assert map_flavor(flavor("SCS-1V-4", 1, 4), CATALOG).type is None
    # 6 vCPU 24 GiB: xlarge (x1.5, x1.5) and 2xlarge (x4/3, x4/3): 2xlarge is closer
    assert map_flavor(flavor("X-6-24", 6, 24), CATALOG).type.name == "m6i.2xlarge"  # type: ignore[union-attr]


def test_a_pin_wins_and_a_pin_to_a_missing_type_says_so() -> None:
    pinned = map_flavor(flavor("SCS-4V-16", 4, 16), CATALOG, pin="m5.xlarge")
    assert pinned.pinned and pinned.type is not None and pinned.type.name == "m5.xlarge"
    gone = map_flavor(flavor("SCS-4V-16", 4, 16), CATALOG, pin="m4.xlarge")
    assert gone.type is None and "not in this price list" in gone.reason


def test_no_type_of_the_kind_leaves_the_flavor_unmapped() -> None:
    only_general = [x for x in CATALOG if x.kind == "general"]
    match = map_flavor(flavor("SCS-2V-16", 2, 16), only_general)
    assert match.type is None and "memory" in match.reason


kinds = st.sampled_from(["burstable", "compute", "general", "memory"])
types = st.builds(
    lambda n, kind, v, r, p, arm, cur: t(
        f"x{n}.{v}x{r}", kind, v, r, f"0.{p:04d}", arm=arm, current=cur
    ),
    st.integers(0, 9999),
    kinds,
    st.integers(1, 64),
    st.integers(1, 256),
    st.integers(1, 9999),
    st.booleans(),
    st.booleans(),
)
flavors = st.builds(
    lambda v, r, cpu: Flavor(f"F-{v}-{r}", v, r * 1024, cpu),
    st.integers(1, 64),
    st.integers(1, 256),
    st.sampled_from(["shared-core", "crowded-core", "dedicated-core"]),
)


@given(flavors, st.lists(types, max_size=25, unique_by=lambda x: x.name), st.randoms())
def test_the_choice_is_the_closest_candidate_whatever_the_order(f, listed, rnd) -> None:  # type: ignore[no-untyped-def]
    match = map_flavor(f, listed)
    shuffled = list(listed)
    rnd.shuffle(shuffled)
    assert map_flavor(f, shuffled) == match  # deterministic
    candidates = [
        x
        for x in listed
        if x.kind == match.kind and not x.arm and x.current and "metal" not in x.name
    ]
    if not candidates:
        assert match.type is None
        return
    closest = min(distance(f, x) for x in candidates)
    if closest > MAX_DISTANCE:  # nothing near enough: no match rather than a wrong one
        assert match.type is None and "within one size step" in match.reason
        return
    assert match.type is not None and match.type in candidates
    best = distance(f, match.type)
    assert best == closest and 1 <= best <= MAX_DISTANCE and isinstance(best, Fraction)
    same = [x for x in candidates if x.vcpus == f.vcpus and x.ram_mib == f.ram_mib]
    if same:  # an exact size is always taken when there is one
        assert match.type.vcpus == f.vcpus and match.type.ram_mib == f.ram_mib


@given(
    st.lists(flavors, max_size=8, unique_by=lambda f: f.name),
    st.lists(types, max_size=12, unique_by=lambda x: x.name),
    st.data(),
)
def test_pins_win_over_the_rule_for_their_flavors_only(fs, listed, data) -> None:  # type: ignore[no-untyped-def]
    if not listed or not fs:
        return
    pinned = data.draw(st.sampled_from(fs))
    target = data.draw(st.sampled_from(listed))
    matches = {m.flavor.name: m for m in map_flavors(fs, listed, {pinned.name: target.name})}
    assert matches[pinned.name].type == target and matches[pinned.name].pinned
    for f in fs:
        if f.name != pinned.name:
            assert matches[f.name] == map_flavor(f, listed)
