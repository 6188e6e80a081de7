"""Each node's configuration, rendered from the template and the cluster's layout (pure).

The files are the daemons' own (``spark-defaults.conf``, ``spark-env.sh``, Hadoop's
``*-site.xml``, the ``workers`` lists); the cloud-init user data writes them and starts the
daemons of the node's role. Values the cluster's layout decides (the master's address,
each node's memory and cores, the replication) are computed here; the template's
overrides come on top of the defaults, never over what the layout decides (the template
check refuses those keys).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from xml.sax.saxutils import escape

from andromede.clusters.template_spec import (
    CORE_SITE,
    HDFS_SITE,
    SPARK_DEFAULTS,
    YARN_SITE,
    ClusterSpec,
    Role,
    replication,
)

__all__ = [
    "HADOOP_CONF",
    "SPARK_CONF",
    "Layout",
    "Node",
    "cloud_init",
    "node_files",
    "usable_mib",
]

SPARK_CONF = "/opt/spark/conf"
HADOOP_CONF = "/etc/hadoop/conf"
SPARK_MASTER_PORT = 7077
NAMENODE_PORT = 8020
EXCLUDE_FILE = f"{HADOOP_CONF}/dfs.exclude"


@dataclass(frozen=True)
class Node:
    name: str  # the server's name
    address: str
    role: Role
    group: str
    vcpus: int
    ram_mib: int


@dataclass(frozen=True)
class Layout:
    cluster: str
    master: Node
    workers: tuple[Node, ...]
    decommissioning: tuple[str, ...] = ()  # addresses of core nodes being drained


def usable_mib(ram_mib: int) -> int:
    """What a node's daemons may hand to executors: the RAM less a reserve for the
    system and the daemons themselves (1 GiB, or an eighth on larger nodes)."""
    return max(512, ram_mib - max(1024, ram_mib // 8))


def node_files(spec: ClusterSpec, layout: Layout, node: Node) -> dict[str, str]:
    """Path → content of every configuration file of one node."""
    overrides = spec.config
    if spec.engine == "spark":
        files = {
            f"{SPARK_CONF}/spark-defaults.conf": _properties(
                {"spark.master": f"spark://{layout.master.address}:{SPARK_MASTER_PORT}"},
                overrides.get(SPARK_DEFAULTS, {}),
            ),
            f"{SPARK_CONF}/spark-env.sh": _spark_env(layout, node),
        }
        if node.role is Role.MASTER:
            files[f"{SPARK_CONF}/workers"] = _lines(w.address for w in layout.workers)
        return files
    files = {
        f"{HADOOP_CONF}/core-site.xml": _site(_core(layout), overrides.get(CORE_SITE, {})),
        f"{HADOOP_CONF}/hdfs-site.xml": _site(_hdfs(spec, layout), overrides.get(HDFS_SITE, {})),
        f"{HADOOP_CONF}/yarn-site.xml": _site(_yarn(layout, node), overrides.get(YARN_SITE, {})),
        f"{SPARK_CONF}/spark-defaults.conf": _properties(
            {"spark.master": "yarn", "spark.submit.deployMode": "client"},
            overrides.get(SPARK_DEFAULTS, {}),
        ),
    }
    if node.role is Role.MASTER:
        files[f"{HADOOP_CONF}/workers"] = _lines(w.address for w in layout.workers)
        files[EXCLUDE_FILE] = _lines(layout.decommissioning)
    return files


def cloud_init(spec: ClusterSpec, layout: Layout, node: Node) -> str:
    """The node's user data: cloud-config (JSON is YAML) writing its files and starting
    its daemons."""
    files = node_files(spec, layout, node)
    body = {
        "hostname": node.name,
        "write_files": [
            {"path": path, "permissions": "0644", "owner": "root:root", "content": content}
            for path, content in sorted(files.items())
        ],
        "runcmd": _commands(spec.engine, node.role, layout),
    }
    return "#cloud-config\n" + json.dumps(body, indent=2, ensure_ascii=True) + "\n"


def _commands(engine: str, role: Role, layout: Layout) -> list[str]:
    master = layout.master.address
    if engine == "spark":
        if role is Role.MASTER:
            return [f"/opt/spark/sbin/start-master.sh --host {master}"]
        return [f"/opt/spark/sbin/start-worker.sh spark://{master}:{SPARK_MASTER_PORT}"]
    if role is Role.MASTER:
        return [
            "hdfs namenode -format -nonInteractive -clusterId " + layout.cluster,
            "hdfs --daemon start namenode",
            "yarn --daemon start resourcemanager",
        ]
    daemons = ["hdfs --daemon start datanode"] if role is Role.CORE else []
    return [*daemons, "yarn --daemon start nodemanager"]


def _spark_env(layout: Layout, node: Node) -> str:
    values = {"SPARK_MASTER_HOST": layout.master.address, "SPARK_LOCAL_IP": node.address}
    if node.role is not Role.MASTER:
        values["SPARK_WORKER_CORES"] = str(node.vcpus)
        values["SPARK_WORKER_MEMORY"] = f"{usable_mib(node.ram_mib)}m"
    return _lines(f"export {k}={v}" for k, v in values.items())


def _core(layout: Layout) -> dict[str, str]:
    return {"fs.defaultFS": f"hdfs://{layout.master.address}:{NAMENODE_PORT}"}


def _hdfs(spec: ClusterSpec, layout: Layout) -> dict[str, str]:
    return {
        "dfs.replication": str(replication(spec)),
        "dfs.namenode.rpc-address": f"{layout.master.address}:{NAMENODE_PORT}",
        "dfs.namenode.name.dir": "file:///data/hdfs/namenode",
        "dfs.datanode.data.dir": "file:///data/hdfs/datanode",
        "dfs.hosts.exclude": EXCLUDE_FILE,
    }


def _yarn(layout: Layout, node: Node) -> dict[str, str]:
    return {
        "yarn.resourcemanager.hostname": layout.master.address,
        "yarn.nodemanager.resource.memory-mb": str(usable_mib(node.ram_mib)),
        "yarn.nodemanager.resource.cpu-vcores": str(node.vcpus),
    }


def _merged(defaults: Mapping[str, str], overrides: Mapping[str, str]) -> list[tuple[str, str]]:
    return sorted({**defaults, **overrides}.items())


def _properties(defaults: Mapping[str, str], overrides: Mapping[str, str]) -> str:
    return _lines(f"{key} {value}" for key, value in _merged(defaults, overrides))


def _site(defaults: Mapping[str, str], overrides: Mapping[str, str]) -> str:
    lines = ['<?xml version="1.0" encoding="UTF-8"?>', "<configuration>"]
    for key, value in _merged(defaults, overrides):
        lines += [
            "  <property>",
            f"    <name>{escape(key)}</name>",
            f"    <value>{escape(value)}</value>",
            "  </property>",
        ]
    lines.append("</configuration>")
    return _lines(lines)


def _lines(lines: Iterable[str]) -> str:
    return "".join(f"{line}\n" for line in lines)
