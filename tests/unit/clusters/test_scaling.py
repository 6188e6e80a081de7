"""Resizing: properties over any cluster shape and any targets — groups reach their
targets, the newest nodes go first, task nodes are let go at once and core nodes drained,
and HDFS never keeps fewer core nodes than copies of a block (such a resize is refused)."""

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from andromede.clusters.scaling import ExistingNode, plan_scale
from andromede.clusters.template_spec import ClusterSpec, NodeGroup, Role, default_replication
from andromede.compute.placement import HostState, NoFit, PlacementRequest, place
from andromede.kernel.errors import ValidationFailed


def spec_of(engine: str, counts: dict[str, int]) -> ClusterSpec:
    roles = {"master": Role.MASTER, "core": Role.CORE, "task": Role.TASK}
    groups = tuple(NodeGroup(name, roles[name], "f", n) for name, n in counts.items())
    return ClusterSpec(engine, "3.4", "img", groups, {})


def nodes_of(spec: ClusterSpec) -> list[ExistingNode]:
    return [ExistingNode(f"{g.name}-{i}", g.name, i) for g in spec.groups for i in range(g.count)]


SHAPES = st.fixed_dictionaries(
    {"master": st.just(1), "core": st.integers(1, 8), "task": st.integers(0, 8)}
)


@given(SHAPES, st.integers(0, 10), st.integers(0, 10), st.integers(1, 3))
def test_hadoop_resizes_keep_every_block(
    shape: dict[str, int], core: int, task: int, copies: int
) -> None:
    copies = min(copies, shape["core"])
    spec = spec_of("hadoop", shape)
    try:
        plan = plan_scale(spec, nodes_of(spec), {"core": core, "task": task}, copies)
    except ValidationFailed as refused:
        assert core < copies or core + task < 1, refused
        return
    assert core >= copies  # never fewer core nodes than copies of a block
    added = dict(plan.add)
    assert shape["core"] + added.get("core", 0) - len(plan.drain) == core
    assert shape["task"] + added.get("task", 0) - len(plan.remove) == task
    assert all(name.startswith("core-") for name in plan.drain)  # drained, not deleted
    assert all(name.startswith("task-") for name in plan.remove)  # at once
    for going, group in ((plan.drain, "core"), (plan.remove, "task")):
        indexes = [int(name.split("-")[1]) for name in going]
        assert indexes == sorted(indexes, reverse=True)  # newest first
        assert all(i >= (core if group == "core" else task) for i in indexes)


@given(st.integers(1, 8), st.integers(0, 10))
def test_spark_workers_hold_no_data_and_go_at_once(have: int, want: int) -> None:
    spec = spec_of("spark", {"master": 1, "task": have})
    try:
        plan = plan_scale(spec, nodes_of(spec), {"task": want}, 0)
    except ValidationFailed:
        assert want == 0  # the last worker stays
        return
    assert plan.drain == ()
    assert len(plan.remove) == max(0, have - want)
    assert dict(plan.add).get("task", 0) == max(0, want - have)


def test_the_refusal_says_why() -> None:
    spec = spec_of("hadoop", {"master": 1, "core": 3, "task": 0})
    with pytest.raises(ValidationFailed, match="HDFS keeps 3 copies"):
        plan_scale(spec, nodes_of(spec), {"core": 2}, default_replication(3))


@pytest.mark.parametrize(
    "targets",
    [{"master": 2}, {"nope": 1}, {"core": -1}, {"core": 101}, {"core": True}],
)
def test_bad_targets_are_refused(targets: dict[str, Any]) -> None:
    spec = spec_of("hadoop", {"master": 1, "core": 3, "task": 1})
    with pytest.raises(ValidationFailed):
        plan_scale(spec, nodes_of(spec), targets, 3)


def test_nothing_to_do_is_an_empty_plan() -> None:
    spec = spec_of("hadoop", {"master": 1, "core": 3, "task": 1})
    assert plan_scale(spec, nodes_of(spec), {"core": 3}, 3).empty


@given(
    st.lists(st.integers(1, 16), min_size=1, max_size=12),  # hosts' vCPUs
    st.integers(1, 6),  # nodes made
    st.lists(st.integers(0, 8), min_size=1, max_size=4),  # successive worker targets
)
def test_made_and_scaled_nodes_never_share_a_host(
    host_vcpus: list[int], made: int, targets: list[int]
) -> None:
    """A cluster's nodes (one anti-affinity group) placed as the service places them, then
    grown and shrunk by the plan: never two on one host; a node that finds no free host is
    refused, not placed on a taken one."""
    hosts = [
        HostState(f"h{i}", f"h{i}", "r", "z", v, 65536, 1000, cpu_ratio=1.0)
        for i, v in enumerate(host_vcpus)
    ]
    taken: dict[str, str] = {}  # node -> host

    def make(node: str) -> None:
        request = PlacementRequest(
            1, 1024, 10, region="r", group_policy="anti-affinity",
            group_hosts=frozenset(taken.values()),
        )  # fmt: skip
        found = place(hosts, request)
        if isinstance(found, NoFit):
            assert len(taken) >= sum(1 for h in hosts if h.vcpus >= 1)
            return
        assert found.host_id not in taken.values()
        taken[node] = found.host_id

    for n in range(made):
        make(f"task-{n}")
    for target in targets:
        existing = [ExistingNode(name, "task", int(name.split("-")[1])) for name in taken]
        spec = spec_of("spark", {"master": 1, "task": len(existing) or 1})
        try:
            plan = plan_scale(spec, existing, {"task": target}, 0)
        except ValidationFailed:
            continue
        for name in plan.remove:
            del taken[name]
        start = max((n.index for n in existing), default=-1) + 1
        for i in range(dict(plan.add).get("task", 0)):
            make(f"task-{start + i}")
        assert len(set(taken.values())) == len(taken)
