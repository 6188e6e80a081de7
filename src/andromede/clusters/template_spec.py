"""What a cluster template may say, checked before anything is made (pure).

A template names an engine and its version, node groups with a role each, and
configuration overrides. Two engines:

- ``spark``: Spark standalone. A master runs the Spark master; workers run Spark
  workers. It keeps no HDFS, so its workers are ``task`` nodes.
- ``hadoop``: Hadoop YARN and HDFS, with Spark on YARN. The master runs the NameNode
  and the ResourceManager; ``core`` workers run a DataNode (they hold HDFS blocks) and a
  NodeManager; ``task`` workers run a NodeManager only, so they can come and go freely.

Overrides are accepted only for keys we know the meaning of (an allow-list per file): a
typo would otherwise be silently ignored by the daemons, and a key we set ourselves
(``fs.defaultFS``, ``spark.master``…) would break the cluster.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from andromede.kernel.errors import FieldError, ValidationFailed

__all__ = [
    "CONFIG_FILES",
    "ENGINES",
    "MAX_NODES",
    "ClusterSpec",
    "NodeGroup",
    "Role",
    "default_replication",
    "parse_template",
    "replication",
]

MAX_NODES = 200  # per cluster
MAX_GROUP = 100
NAME = re.compile(r"^[a-z][a-z0-9-]{0,19}$")


class Role(StrEnum):
    MASTER = "master"
    CORE = "core"  # HDFS and compute (hadoop)
    TASK = "task"  # compute only


ENGINES: dict[str, tuple[str, ...]] = {"spark": ("3.5", "4.0"), "hadoop": ("3.4",)}

SPARK_DEFAULTS = "spark-defaults.conf"
CORE_SITE = "core-site.xml"
HDFS_SITE = "hdfs-site.xml"
YARN_SITE = "yarn-site.xml"
CONFIG_FILES: dict[str, tuple[str, ...]] = {
    "spark": (SPARK_DEFAULTS,),
    "hadoop": (SPARK_DEFAULTS, CORE_SITE, HDFS_SITE, YARN_SITE),
}

POSITIVE_INT = re.compile(r"^[1-9][0-9]{0,9}$")
SIZE = re.compile(r"^[1-9][0-9]{0,6}[kmgKMG]?$")  # 512m, 2g, 134217728
BOOLEAN = re.compile(r"^(true|false)$")
ANY = re.compile(r"^[^\x00-\x1f<>&]{1,200}$")  # printable, nothing XML would have to escape

# key -> the values it takes; keys the service sets itself are absent (and refused).
ALLOWED: dict[str, dict[str, re.Pattern[str]]] = {
    SPARK_DEFAULTS: {
        "spark.executor.memory": SIZE,
        "spark.executor.cores": POSITIVE_INT,
        "spark.executor.instances": POSITIVE_INT,
        "spark.driver.memory": SIZE,
        "spark.default.parallelism": POSITIVE_INT,
        "spark.sql.shuffle.partitions": POSITIVE_INT,
        "spark.serializer": ANY,
        "spark.dynamicAllocation.enabled": BOOLEAN,
        "spark.eventLog.enabled": BOOLEAN,
        "spark.speculation": BOOLEAN,
        "spark.network.timeout": ANY,
        "spark.sql.adaptive.enabled": BOOLEAN,
    },
    CORE_SITE: {
        "io.file.buffer.size": POSITIVE_INT,
        "hadoop.tmp.dir": ANY,
        "fs.trash.interval": POSITIVE_INT,
        "io.compression.codecs": ANY,
    },
    HDFS_SITE: {
        "dfs.replication": POSITIVE_INT,
        "dfs.blocksize": SIZE,
        "dfs.namenode.handler.count": POSITIVE_INT,
        "dfs.datanode.handler.count": POSITIVE_INT,
        "dfs.permissions.enabled": BOOLEAN,
    },
    YARN_SITE: {
        "yarn.nodemanager.resource.memory-mb": POSITIVE_INT,
        "yarn.nodemanager.resource.cpu-vcores": POSITIVE_INT,
        "yarn.scheduler.minimum-allocation-mb": POSITIVE_INT,
        "yarn.scheduler.maximum-allocation-mb": POSITIVE_INT,
        "yarn.nodemanager.vmem-check-enabled": BOOLEAN,
        "yarn.log-aggregation-enable": BOOLEAN,
    },
}

RESERVED = {  # set from the cluster's own layout: an override would break it
    "spark.master",
    "spark.submit.deployMode",
    "fs.defaultFS",
    "dfs.namenode.rpc-address",
    "yarn.resourcemanager.hostname",
}


@dataclass(frozen=True)
class NodeGroup:
    name: str
    role: Role
    flavor: str
    count: int


@dataclass(frozen=True)
class ClusterSpec:
    engine: str
    version: str
    image: str
    groups: tuple[NodeGroup, ...]
    config: Mapping[str, Mapping[str, str]]  # file -> key -> value

    @property
    def master(self) -> NodeGroup:
        return next(g for g in self.groups if g.role is Role.MASTER)

    def count(self, role: Role) -> int:
        return sum(g.count for g in self.groups if g.role is role)

    def with_count(self, group: str, count: int) -> ClusterSpec:
        groups = tuple(
            NodeGroup(g.name, g.role, g.flavor, count) if g.name == group else g
            for g in self.groups
        )
        return ClusterSpec(self.engine, self.version, self.image, groups, self.config)


def default_replication(core_nodes: int) -> int:
    """HDFS's own default is 3; a smaller cluster keeps as many copies as it has core
    nodes (a block cannot have two replicas on one DataNode)."""
    return max(1, min(3, core_nodes))


def replication(spec: ClusterSpec) -> int:
    """Copies of each HDFS block (0: no HDFS)."""
    if spec.engine != "hadoop":
        return 0
    wanted = spec.config.get(HDFS_SITE, {}).get("dfs.replication")
    return int(wanted) if wanted else default_replication(spec.count(Role.CORE))


def parse_template(data: Mapping[str, Any]) -> ClusterSpec:
    """A template's body (or a cluster's, with the same keys) as a checked spec; every
    problem found is reported at once."""
    errors: list[FieldError] = []
    engine = str(data.get("engine", ""))
    version = str(data.get("version", ""))
    if engine not in ENGINES:
        errors.append(FieldError("engine", f"one of {', '.join(sorted(ENGINES))}"))
    elif version not in ENGINES[engine]:
        errors.append(FieldError("version", f"{engine}: one of {', '.join(ENGINES[engine])}"))
    image = data.get("image")
    if not isinstance(image, str) or not image.strip():
        errors.append(FieldError("image", "the image every node boots"))
        image = ""
    groups = _groups(data.get("node_groups"), engine, errors)
    config = _config(data.get("config") or {}, engine, errors)
    spec = ClusterSpec(engine, version, image.strip(), tuple(groups), config)
    if not errors:
        _check_replication(spec, errors)
    if errors:
        raise ValidationFailed(errors)
    return spec


def _groups(raw: Any, engine: str, errors: list[FieldError]) -> list[NodeGroup]:
    if not isinstance(raw, list) or not raw:
        errors.append(FieldError("node_groups", "a list of node groups"))
        return []
    groups: list[NodeGroup] = []
    for n, item in enumerate(raw):
        group = _group(item, f"node_groups[{n}]", engine, errors)
        if group is not None:
            groups.append(group)
    names = [g.name for g in groups]
    if len(set(names)) != len(names):
        errors.append(FieldError("node_groups", "group names must differ"))
    masters = [g for g in groups if g.role is Role.MASTER]
    if len(masters) != 1 or masters[0].count != 1:
        errors.append(FieldError("node_groups", "exactly one master group, of one node"))
    if engine == "hadoop" and not any(g.role is Role.CORE and g.count for g in groups):
        errors.append(FieldError("node_groups", "hadoop keeps HDFS on at least one core node"))
    if not any(g.role is not Role.MASTER and g.count for g in groups):
        errors.append(FieldError("node_groups", "at least one worker"))
    if sum(g.count for g in groups) > MAX_NODES:
        errors.append(FieldError("node_groups", f"at most {MAX_NODES} nodes in a cluster"))
    return groups


def _group(item: Any, where: str, engine: str, errors: list[FieldError]) -> NodeGroup | None:
    if not isinstance(item, Mapping):
        errors.append(FieldError(where, "an object with name, role, flavor and count"))
        return None
    name, role, flavor, count = (item.get(k) for k in ("name", "role", "flavor", "count"))
    found = len(errors)
    if not isinstance(name, str) or not NAME.match(name):
        errors.append(FieldError(f"{where}.name", "lowercase letters, digits and -, 1 to 20"))
    if role not in {r.value for r in Role}:
        errors.append(FieldError(f"{where}.role", "master, core or task"))
    elif role == Role.CORE and engine == "spark":
        errors.append(
            FieldError(f"{where}.role", "spark standalone keeps no HDFS: its workers are task")
        )
    if not isinstance(flavor, str) or not flavor:
        errors.append(FieldError(f"{where}.flavor", "a flavor name or id"))
    if isinstance(count, bool) or not isinstance(count, int) or not 0 <= count <= MAX_GROUP:
        errors.append(FieldError(f"{where}.count", f"a whole number from 0 to {MAX_GROUP}"))
    if len(errors) > found:
        return None
    assert isinstance(name, str) and isinstance(flavor, str) and isinstance(count, int)
    return NodeGroup(name, Role(str(role)), flavor, count)


def _config(raw: Any, engine: str, errors: list[FieldError]) -> dict[str, dict[str, str]]:
    if not isinstance(raw, Mapping):
        errors.append(FieldError("config", "an object of files, each an object of keys"))
        return {}
    config: dict[str, dict[str, str]] = {}
    for file, keys in raw.items():
        if file not in CONFIG_FILES.get(engine, ()):
            allowed = ", ".join(CONFIG_FILES.get(engine, ())) or "none"
            errors.append(FieldError(f"config.{file}", f"{engine or 'this engine'}: {allowed}"))
            continue
        if not isinstance(keys, Mapping):
            errors.append(FieldError(f"config.{file}", "an object of key: value"))
            continue
        config[file] = {}
        for key, value in keys.items():
            problem = _key_problem(file, str(key), value)
            if problem:
                errors.append(FieldError(f"config.{file}.{key}", problem))
            else:
                config[file][str(key)] = (
                    str(value).lower() if isinstance(value, bool) else str(value)
                )
    return config


def _key_problem(file: str, key: str, value: Any) -> str | None:
    if key in RESERVED:
        return "set by the service from the cluster's layout"
    pattern = ALLOWED[file].get(key)
    if pattern is None:
        return f"not a key of {file} that can be set here"
    text = str(value).lower() if isinstance(value, bool) else str(value)
    if isinstance(value, Mapping | list) or not pattern.match(text):
        return f"not a valid value: {text[:40]!r}"
    return None


def _check_replication(spec: ClusterSpec, errors: list[FieldError]) -> None:
    wanted = spec.config.get(HDFS_SITE, {}).get("dfs.replication")
    cores = spec.count(Role.CORE)
    if wanted and int(wanted) > cores:
        errors.append(
            FieldError(
                "config.hdfs-site.xml.dfs.replication",
                f"{wanted} copies need at least {wanted} core nodes (there are {cores})",
            )
        )
