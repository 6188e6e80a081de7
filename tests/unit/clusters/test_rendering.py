"""Each node's configuration: the files parsed back say what the layout and the template
say (the master's address, each node's memory and cores, the replication, the overrides),
and the whole user data matches golden files reviewed by hand (refresh them with
ANDROMEDE_REGOLD=1 and read the diff)."""

import json
import os
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest
import yaml

from andromede.clusters.rendering import Layout, Node, cloud_init, node_files, usable_mib
from andromede.clusters.template_spec import Role, parse_template

GOLDEN = Path(__file__).parent / "golden"

HADOOP = parse_template(
    {
        "engine": "hadoop",
        "version": "3.4",
        "image": "debian-12",
        "node_groups": [
            {"name": "master", "role": "master", "flavor": "SCS-4V-16", "count": 1},
            {"name": "core", "role": "core", "flavor": "SCS-4V-16", "count": 2},
            {"name": "task", "role": "task", "flavor": "SCS-2V-8", "count": 1},
        ],
        "config": {
            "hdfs-site.xml": {"dfs.blocksize": "256m"},
            "yarn-site.xml": {"yarn.log-aggregation-enable": "true"},
            "spark-defaults.conf": {"spark.executor.memory": "3g"},
        },
    }
)
SPARK = parse_template(
    {
        "engine": "spark",
        "version": "4.0",
        "image": "debian-12",
        "node_groups": [
            {"name": "master", "role": "master", "flavor": "SCS-2V-8", "count": 1},
            {"name": "workers", "role": "task", "flavor": "SCS-4V-16", "count": 2},
        ],
        "config": {"spark-defaults.conf": {"spark.sql.shuffle.partitions": "8"}},
    }
)


def layout(spark: bool = False) -> Layout:
    master = Node("etl-master-0", "10.1.0.10", Role.MASTER, "master", 4, 16384)
    if spark:
        workers = tuple(
            Node(f"etl-workers-{n}", f"10.1.0.{11 + n}", Role.TASK, "workers", 4, 16384)
            for n in range(2)
        )
        return Layout("etl", master, workers)
    workers = (
        Node("etl-core-0", "10.1.0.11", Role.CORE, "core", 4, 16384),
        Node("etl-core-1", "10.1.0.12", Role.CORE, "core", 4, 16384),
        Node("etl-task-0", "10.1.0.13", Role.TASK, "task", 2, 8192),
    )
    return Layout("etl", master, workers)


def site(text: str) -> dict[str, str]:
    root = ET.fromstring(text)
    assert root.tag == "configuration"
    return {p.findtext("name", ""): p.findtext("value", "") for p in root.iter("property")}


def properties(text: str) -> dict[str, str]:
    return dict(line.split(" ", 1) for line in text.splitlines())


def test_hadoop_files_say_the_layout_and_the_overrides() -> None:
    plan = layout()
    files = node_files(HADOOP, plan, plan.workers[2])  # the task node
    core = site(files["/etc/hadoop/conf/core-site.xml"])
    assert core == {"fs.defaultFS": "hdfs://10.1.0.10:8020"}
    hdfs = site(files["/etc/hadoop/conf/hdfs-site.xml"])
    assert hdfs["dfs.replication"] == "2"  # two core nodes
    assert hdfs["dfs.blocksize"] == "256m"
    assert hdfs["dfs.namenode.rpc-address"] == "10.1.0.10:8020"
    yarn = site(files["/etc/hadoop/conf/yarn-site.xml"])
    assert yarn["yarn.resourcemanager.hostname"] == "10.1.0.10"
    assert yarn["yarn.nodemanager.resource.memory-mb"] == str(8192 - 1024)
    assert yarn["yarn.nodemanager.resource.cpu-vcores"] == "2"
    assert yarn["yarn.log-aggregation-enable"] == "true"
    spark = properties(files["/opt/spark/conf/spark-defaults.conf"])
    assert spark == {
        "spark.executor.memory": "3g",
        "spark.master": "yarn",
        "spark.submit.deployMode": "client",
    }
    assert "/etc/hadoop/conf/workers" not in files  # only the master lists its workers


def test_the_master_lists_every_worker_and_those_draining() -> None:
    plan = Layout("etl", layout().master, layout().workers, decommissioning=("10.1.0.12",))
    files = node_files(HADOOP, plan, plan.master)
    assert files["/etc/hadoop/conf/workers"].split() == ["10.1.0.11", "10.1.0.12", "10.1.0.13"]
    assert files["/etc/hadoop/conf/dfs.exclude"].split() == ["10.1.0.12"]


def test_spark_standalone_files() -> None:
    plan = layout(spark=True)
    worker = node_files(SPARK, plan, plan.workers[1])
    assert properties(worker["/opt/spark/conf/spark-defaults.conf"]) == {
        "spark.master": "spark://10.1.0.10:7077",
        "spark.sql.shuffle.partitions": "8",
    }
    env = dict(
        line.removeprefix("export ").split("=", 1)
        for line in worker["/opt/spark/conf/spark-env.sh"].splitlines()
    )
    assert env == {
        "SPARK_MASTER_HOST": "10.1.0.10",
        "SPARK_LOCAL_IP": "10.1.0.12",
        "SPARK_WORKER_CORES": "4",
        "SPARK_WORKER_MEMORY": f"{16384 - 2048}m",
    }
    master = node_files(SPARK, plan, plan.master)
    assert master["/opt/spark/conf/workers"].split() == ["10.1.0.11", "10.1.0.12"]


@pytest.mark.parametrize(("ram", "usable"), [(2048, 1024), (1024, 512), (16384, 14336)])
def test_usable_memory_keeps_a_reserve(ram: int, usable: int) -> None:
    assert usable_mib(ram) == usable


def cloud(text: str) -> dict[str, Any]:
    assert text.startswith("#cloud-config\n")
    as_yaml = yaml.safe_load(text)  # what cloud-init reads
    assert as_yaml == json.loads(text.split("\n", 1)[1])
    return dict(as_yaml)


@pytest.mark.parametrize(
    ("name", "spec", "spark", "node"),
    [
        ("hadoop-master", HADOOP, False, "master"),
        ("hadoop-core", HADOOP, False, 0),
        ("hadoop-task", HADOOP, False, 2),
        ("spark-master", SPARK, True, "master"),
        ("spark-worker", SPARK, True, 0),
    ],
)
def test_user_data_matches_the_reviewed_golden_file(
    name: str, spec: Any, spark: bool, node: Any
) -> None:
    plan = layout(spark)
    chosen = plan.master if node == "master" else plan.workers[node]
    text = cloud_init(spec, plan, chosen)
    golden = GOLDEN / f"{name}.cloud-config"
    if os.environ.get("ANDROMEDE_REGOLD"):
        golden.write_text(text)
    assert text == golden.read_text()
    body = cloud(text)
    assert body["hostname"] == chosen.name
    paths = [f["path"] for f in body["write_files"]]
    assert paths == sorted(node_files(spec, plan, chosen))
    for item in body["write_files"]:
        assert item["content"] == node_files(spec, plan, chosen)[item["path"]]


def test_each_role_starts_its_own_daemons() -> None:
    plan = layout()
    commands = {
        node.role: " ; ".join(cloud(cloud_init(HADOOP, plan, node))["runcmd"])
        for node in (plan.master, *plan.workers)
    }
    assert "namenode" in commands[Role.MASTER] and "resourcemanager" in commands[Role.MASTER]
    assert "datanode" in commands[Role.CORE] and "nodemanager" in commands[Role.CORE]
    assert "datanode" not in commands[Role.TASK] and "nodemanager" in commands[Role.TASK]
