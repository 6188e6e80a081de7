"""Cinder's rules on what may be done to a volume in which state, and quota arithmetic."""

from hypothesis import given
from hypothesis import strategies as st

from andromede.storage import volume_rules as rules


def test_delete_is_refused_while_attached_with_snapshots_or_busy() -> None:
    assert rules.delete_refusal("available", 0, 0) is None
    assert rules.delete_refusal("error", 0, 0) is None
    assert "attached" in (rules.delete_refusal("in-use", 1, 0) or "")
    assert "snapshot" in (rules.delete_refusal("available", 0, 2) or "")
    assert "status" in (rules.delete_refusal("creating", 0, 0) or "")


def test_extend_grows_only_and_only_when_settled() -> None:
    assert rules.extend_refusal("available", 10, 11) is None
    assert rules.extend_refusal("in-use", 10, 20) is None  # online
    assert "greater" in (rules.extend_refusal("available", 10, 10) or "")
    assert "status" in (rules.extend_refusal("backing-up", 10, 20) or "")


def test_retype_needs_another_offered_type() -> None:
    assert rules.retype_refusal("available", "ssd", "hdd", ["ssd", "hdd"]) is None
    assert "already" in (rules.retype_refusal("available", "ssd", "ssd", ["ssd"]) or "")
    assert "no volume type" in (rules.retype_refusal("in-use", "ssd", "gold", ["ssd"]) or "")


def test_attach_once_unless_multiattach() -> None:
    assert rules.attach_refusal("available", False, [], "s1") is None
    assert "multi-attach" in (rules.attach_refusal("in-use", False, ["s1"], "s2") or "")
    assert rules.attach_refusal("in-use", True, ["s1"], "s2") is None
    assert "already" in (rules.attach_refusal("in-use", True, ["s1"], "s1") or "")
    assert "status" in (rules.attach_refusal("error", True, [], "s1") or "")


def test_snapshot_of_an_attached_volume_needs_force() -> None:
    assert rules.snapshot_refusal("available", False) is None
    assert rules.snapshot_refusal("in-use", True) is None
    assert "force" in (rules.snapshot_refusal("in-use", False) or "")


def test_devices_follow_the_root_disk_and_skip_used_ones() -> None:
    assert rules.next_device([]) == "/dev/vdb"
    assert rules.next_device(["/dev/vdb", "/dev/vdd"]) == "/dev/vdc"


def test_wanted_usage_counts_per_type_for_volumes_only() -> None:
    assert rules.wanted_usage("volume", "ssd", 10) == {
        "volumes": 1,
        "gigabytes": 10,
        "volumes_ssd": 1,
        "gigabytes_ssd": 10,
    }
    assert rules.wanted_usage("volume", "ssd", 5, 0)["volumes"] == 0  # an extend
    assert rules.wanted_usage("snapshot", "ssd", 10) == {"snapshots": 1, "gigabytes": 10}
    assert rules.wanted_usage("backup", "ssd", 10) == {"backups": 1, "backup_gigabytes": 10}


names = st.sampled_from(["volumes", "gigabytes", "gigabytes_ssd", "snapshots"])


@given(
    limits=st.dictionaries(names, st.integers(-1, 50)),
    usage=st.dictionaries(names, st.integers(0, 50)),
    wanted=st.dictionaries(names, st.integers(-5, 50)),
)
def test_a_refusal_names_a_quota_really_exceeded_and_none_means_all_fit(
    limits: dict[str, int], usage: dict[str, int], wanted: dict[str, int]
) -> None:
    refusal = rules.quota_refusal(limits, usage, wanted)

    def exceeded(name: str) -> bool:
        limit = limits.get(name, -1)
        more = wanted[name]
        return more > 0 and limit != -1 and usage.get(name, 0) + more > limit

    if refusal is None:
        assert not any(exceeded(name) for name in wanted)
    else:
        assert exceeded(refusal.resource)
        assert (refusal.limit, refusal.wanted) == (
            limits[refusal.resource],
            wanted[refusal.resource],
        )
