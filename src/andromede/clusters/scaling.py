"""Resizing a cluster's worker groups (pure).

Growing adds nodes to a group. Shrinking removes the newest nodes of a group, in two kinds:
task nodes (and every Spark standalone worker) hold no data, so they go at once; core
nodes hold HDFS blocks, so they are first decommissioned (their blocks copied elsewhere)
and deleted only once drained. Task nodes are always let go before any core node drains.
A core group is never shrunk below the number of copies HDFS keeps of each block: that
would remove the last replica of some data, so it is refused with the reason.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from andromede.clusters.template_spec import MAX_GROUP, MAX_NODES, ClusterSpec, Role
from andromede.kernel.errors import FieldError, ValidationFailed

__all__ = ["ExistingNode", "ScalePlan", "plan_scale"]


@dataclass(frozen=True)
class ExistingNode:
    name: str
    group: str
    index: int  # its number in the group: the newest has the highest


@dataclass(frozen=True)
class ScalePlan:
    add: tuple[tuple[str, int], ...]  # (group, how many)
    remove: tuple[str, ...]  # nodes deleted now (no data on them), task nodes first
    drain: tuple[str, ...]  # core nodes to decommission, then delete

    @property
    def empty(self) -> bool:
        return not (self.add or self.remove or self.drain)


def plan_scale(
    spec: ClusterSpec,
    nodes: list[ExistingNode],
    targets: Mapping[str, int],
    replication: int,
) -> ScalePlan:
    """What to add, remove and drain to bring each named group to its target count.
    ``replication``: the copies HDFS keeps of each block (0: no HDFS)."""
    groups = {g.name: g for g in spec.groups}
    errors: list[FieldError] = []
    for name, count in targets.items():
        group = groups.get(name)
        if group is None:
            errors.append(FieldError(f"groups.{name}", "no such node group in the cluster"))
        elif group.role is Role.MASTER:
            errors.append(FieldError(f"groups.{name}", "the master group is one node"))
        elif isinstance(count, bool) or not isinstance(count, int) or not 0 <= count <= MAX_GROUP:
            errors.append(FieldError(f"groups.{name}", f"from 0 to {MAX_GROUP} nodes"))
    if errors:
        raise ValidationFailed(errors)
    members: dict[str, list[ExistingNode]] = {name: [] for name in groups}
    for node in nodes:
        members.setdefault(node.group, []).append(node)
    after = {name: targets.get(name, len(members[name])) for name in groups}
    _check_after(spec, after, replication)
    add: list[tuple[str, int]] = []
    remove: list[str] = []
    drain: list[str] = []
    for name, group in groups.items():
        have = sorted(members[name], key=lambda n: n.index)
        wanted = after[name]
        if wanted > len(have):
            add.append((name, wanted - len(have)))
        going = [n.name for n in reversed(have[wanted:])]  # newest first
        holds_data = group.role is Role.CORE and replication > 0
        (drain if holds_data else remove).extend(going)
    return ScalePlan(tuple(add), tuple(remove), tuple(drain))


def _check_after(spec: ClusterSpec, after: Mapping[str, int], replication: int) -> None:
    roles = {g.name: g.role for g in spec.groups}
    workers = sum(n for name, n in after.items() if roles[name] is not Role.MASTER)
    cores = sum(n for name, n in after.items() if roles[name] is Role.CORE)
    if workers < 1:
        raise ValidationFailed.one("groups", "a cluster keeps at least one worker")
    if replication and cores < replication:
        raise ValidationFailed.one(
            "groups",
            f"HDFS keeps {replication} copies of each block: at least {replication} core "
            f"nodes must stay (asked: {cores}); removing more would lose data",
        )
    if sum(after.values()) > MAX_NODES:
        raise ValidationFailed.one("groups", f"at most {MAX_NODES} nodes in a cluster")
