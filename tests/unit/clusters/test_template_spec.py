"""A template says what it may: engines and versions, one master, HDFS on core nodes,
overrides of known keys only; every problem is named at once."""

from typing import Any

import pytest

from andromede.clusters.template_spec import (
    Role,
    default_replication,
    parse_template,
    replication,
)
from andromede.kernel.errors import ValidationFailed


def hadoop(**changes: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "engine": "hadoop",
        "version": "3.4",
        "image": "debian-12",
        "node_groups": [
            {"name": "master", "role": "master", "flavor": "SCS-4V-16", "count": 1},
            {"name": "core", "role": "core", "flavor": "SCS-4V-16", "count": 3},
            {"name": "task", "role": "task", "flavor": "SCS-2V-8", "count": 2},
        ],
        "config": {
            "hdfs-site.xml": {"dfs.blocksize": "128m"},
            "spark-defaults.conf": {"spark.executor.memory": "2g", "spark.speculation": True},
        },
    }
    body.update(changes)
    return body


SPARK, YARN, HDFS = "spark-defaults.conf", "yarn-site.xml", "hdfs-site.xml"


def cfg(file: str, key: str, value: str) -> dict[str, Any]:
    return {"config": {file: {key: value}}}


def fields(body: dict[str, Any]) -> set[str]:
    with pytest.raises(ValidationFailed) as failed:
        parse_template(body)
    return {e.field for e in failed.value.errors}


def test_a_hadoop_template_reads_back_as_a_spec() -> None:
    spec = parse_template(hadoop())
    assert (spec.engine, spec.version, spec.image) == ("hadoop", "3.4", "debian-12")
    assert spec.master.name == "master" and spec.count(Role.CORE) == 3
    assert spec.count(Role.TASK) == 2
    assert spec.config["spark-defaults.conf"]["spark.speculation"] == "true"
    assert replication(spec) == 3


def test_spark_standalone_has_task_workers_and_no_hdfs() -> None:
    groups = [
        {"name": "master", "role": "master", "flavor": "f", "count": 1},
        {"name": "workers", "role": "task", "flavor": "f", "count": 4},
    ]
    spec = parse_template(
        {"engine": "spark", "version": "4.0", "image": "i", "node_groups": groups}
    )
    assert replication(spec) == 0
    groups[1]["role"] = "core"
    body = {"engine": "spark", "version": "4.0", "image": "i", "node_groups": groups}
    with pytest.raises(ValidationFailed, match="keeps no HDFS"):
        parse_template(body)


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"engine": "flink"}, "engine"),
        ({"version": "2.7"}, "version"),
        ({"image": " "}, "image"),
        ({"node_groups": []}, "node_groups"),
        ({"node_groups": "three"}, "node_groups"),
        (cfg("mapred-site.xml", "a", "b"), "config.mapred-site.xml"),
        (cfg("core-site.xml", "fs.defaultFS", "hdfs://x"), "config.core-site.xml.fs.defaultFS"),
        (cfg(SPARK, "spark.master", "local"), f"config.{SPARK}.spark.master"),
        (cfg(SPARK, "spark.exeutor.memory", "2g"), f"config.{SPARK}.spark.exeutor.memory"),
        (cfg(SPARK, "spark.executor.memory", "lots"), f"config.{SPARK}.spark.executor.memory"),
        (cfg(YARN, "yarn.log-aggregation-enable", "<x/>"), f"config.{YARN}.yarn.log-aggregation-enable"),  # noqa: E501
        (cfg(HDFS, "dfs.replication", "4"), f"config.{HDFS}.dfs.replication"),
        ({"config": ["dfs.replication"]}, "config"),
    ],
)  # fmt: skip
def test_each_bad_field_is_named(change: dict[str, Any], field: str) -> None:
    assert field in fields(hadoop(**change))


@pytest.mark.parametrize(
    ("groups", "field"),
    [
        ([{"name": "w", "role": "task", "flavor": "f", "count": 2}], "node_groups"),  # no master
        ([{"name": "m", "role": "master", "flavor": "f", "count": 2},
          {"name": "c", "role": "core", "flavor": "f", "count": 2}], "node_groups"),
        ([{"name": "m", "role": "master", "flavor": "f", "count": 1},
          {"name": "t", "role": "task", "flavor": "f", "count": 2}], "node_groups"),  # no HDFS
        ([{"name": "m", "role": "master", "flavor": "f", "count": 1},
          {"name": "m", "role": "core", "flavor": "f", "count": 2}], "node_groups"),  # same name
        ([{"name": "M!", "role": "master", "flavor": "f", "count": 1}], "node_groups[0].name"),
        ([{"name": "m", "role": "boss", "flavor": "f", "count": 1}], "node_groups[0].role"),
        ([{"name": "m", "role": "master", "flavor": "", "count": 1}], "node_groups[0].flavor"),
        ([{"name": "m", "role": "master", "flavor": "f", "count": True}], "node_groups[0].count"),
        ([{"name": "m", "role": "master", "flavor": "f", "count": 1},
          {"name": "c", "role": "core", "flavor": "f", "count": 101}], "node_groups[1].count"),
        (["master"], "node_groups[0]"),
    ],
)  # fmt: skip
def test_bad_node_groups_are_named(groups: list[Any], field: str) -> None:
    assert field in fields(hadoop(node_groups=groups))


def test_every_problem_at_once() -> None:
    assert {"engine", "image", "node_groups"} <= fields({"engine": "x", "node_groups": None})


@pytest.mark.parametrize(("cores", "copies"), [(1, 1), (2, 2), (3, 3), (10, 3)])
def test_default_replication_follows_the_core_nodes(cores: int, copies: int) -> None:
    assert default_replication(cores) == copies


def test_a_smaller_replication_may_be_asked() -> None:
    spec = parse_template(hadoop(config={"hdfs-site.xml": {"dfs.replication": "2"}}))
    assert replication(spec) == 2
