"""Jobs really run: against a service whose simulated region runs clusters on local Spark
(a standalone master and worker per cluster, pyspark and a Java runtime), a data engineer
makes a cluster, submits a PySpark word count over a file it uploads, reads the counts in
the job's output, and deletes the cluster — after which none of its processes is left.
Allow a few minutes: JVMs start slowly on two cores."""

import json
import os
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.e2e.conftest import Service, start_service

WORD_COUNT = """\
import sys
from pyspark.sql import SparkSession

spark = SparkSession.builder.appName("wordcount").getOrCreate()
text = open(sys.argv[1], encoding="utf-8").read().split()
counts = spark.sparkContext.parallelize(text, 2).map(lambda w: (w, 1)).reduceByKey(
    lambda a, b: a + b
).collect()
for word, count in sorted(counts):
    print(f"COUNT {word} {count}")
spark.stop()
"""

SHAPE = {
    "engine": "spark",
    "version": "4.0",
    "image": "debian-12",
    "node_groups": [
        {"name": "master", "role": "master", "flavor": "SCS-2V-4", "count": 1},
        {"name": "workers", "role": "task", "flavor": "SCS-2V-4", "count": 2},
    ],
}


@pytest.fixture
def spark_service(tmp_path: Path) -> Iterator[Service]:
    svc = start_service(tmp_path, ANDROMEDE_CLUSTER_RUNTIME="local-spark")
    yield svc
    svc.stop()


def processes_of(marker: str) -> list[str]:
    """Live processes working in ``marker`` or naming it (zombies count as gone)."""
    found = []
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            status = (proc / "status").read_text()
            cmdline = (proc / "cmdline").read_bytes().replace(b"\0", b" ").decode()
            cwd = os.readlink(proc / "cwd")
        except OSError:
            continue
        if (marker in cmdline or cwd.startswith(marker)) and "\nState:\tZ" not in status:
            found.append(f"{proc.name}: {cmdline[:120]}")
    return found


def test_a_pyspark_word_count_runs_on_a_cluster(spark_service: Service, tmp_path: Path) -> None:
    config = tmp_path / "cli.json"
    (tmp_path / "wordcount.py").write_text(WORD_COUNT)
    (tmp_path / "words.txt").write_text("le cloud souverain\nle cloud de confiance\n")
    (tmp_path / "spark.json").write_text(json.dumps(SHAPE))

    def cli(*args: str) -> str:
        done = spark_service.cli(*args, config=config)
        assert done.returncode == 0, done.stdout + done.stderr
        return done.stdout

    cli("login", "-u", "brasserie-member", "-p", "demo-password-2026", "--url", spark_service.url)
    made = json.loads(
        cli(
            "cluster", "create", "wc", "--project", "production", "--region", "fr-rns-1",
            "--file", str(tmp_path / "spark.json"), "--wait", "--timeout", "300", "-o", "json",
        )
    )  # fmt: skip
    assert made["status"] == "ACTIVE", made
    runtime = spark_service.db_path.with_name("andromede-spark")
    assert processes_of(str(runtime / "clusters" / made["id"]))  # its master and worker run
    done = spark_service.cli(
        "cluster", "job-submit", made["id"], str(tmp_path / "wordcount.py"),
        "--file", str(tmp_path / "words.txt"), "--arg", "words.txt", "--name", "wc",
        "--conf", "spark.executor.memory=512m", "--wait", "--timeout", "400",
        config=config,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    counts = [line for line in done.stdout.splitlines() if line.startswith("COUNT ")]
    assert counts == [
        "COUNT cloud 2", "COUNT confiance 1", "COUNT de 1", "COUNT le 2", "COUNT souverain 1",
    ]  # fmt: skip
    jobs = json.loads(cli("cluster", "jobs", made["id"], "-o", "json"))
    assert [(j["name"], j["status"], j["exit_code"]) for j in jobs] == [("wc", "SUCCEEDED", 0)]
    assert jobs[0]["duration_seconds"] > 0
    cli("cluster", "delete", made["id"])
    for _ in range(120):
        gone = spark_service.cli("cluster", "show", made["id"], config=config).returncode != 0
        if gone and not processes_of(str(runtime / "clusters" / made["id"])):
            break
        time.sleep(1)
    assert gone, "the cluster was not deleted"
    assert processes_of(str(runtime / "clusters" / made["id"])) == []
