"""``andromede cluster`` against a running service (its worker moves clusters on), as a
customer's data engineer types it: a shape in a file, a wait with progress, the nodes'
configuration, a resize, a delete; bad input is one line and exit code 2."""

import json
from pathlib import Path

from tests.e2e.conftest import Service

SHAPE = {
    "engine": "spark",
    "version": "4.0",
    "image": "debian-12",
    "node_groups": [
        {"name": "master", "role": "master", "flavor": "SCS-1V-2", "count": 1},
        {"name": "workers", "role": "task", "flavor": "SCS-2V-4", "count": 2},
    ],
    "config": {"spark-defaults.conf": {"spark.executor.memory": "1g"}},
}


def test_a_data_engineer_runs_a_spark_cluster(service: Service, tmp_path: Path) -> None:
    config = tmp_path / "cli.json"
    shape = tmp_path / "spark.json"
    shape.write_text(json.dumps(SHAPE))

    def cli(*args: str) -> str:
        done = service.cli(*args, config=config)
        assert done.returncode == 0, done.stderr
        return done.stdout

    cli("login", "-u", "brasserie-member", "-p", "demo-password-2026", "--url", service.url)
    made = json.loads(
        cli(
            "cluster", "create", "etl", "--project", "production", "--region", "fr-rns-1",
            "--file", str(shape), "--count", "workers=3", "--wait", "--timeout", "240",
            "-o", "json",
        )
    )  # fmt: skip
    assert made["status"] == "ACTIVE", made
    assert sorted(n["name"] for n in made["nodes"]) == [
        "etl-master-0", "etl-workers-0", "etl-workers-1", "etl-workers-2",
    ]  # fmt: skip
    files = cli("cluster", "config", made["id"], "etl-workers-1")
    master = next(n for n in made["nodes"] if n["role"] == "master")
    assert f"spark.master spark://{master['address']}:7077" in files
    assert "spark.executor.memory 1g" in files and "SPARK_WORKER_CORES=2" in files
    assert "etl" in cli("cluster", "list")
    scaled = json.loads(
        cli("cluster", "scale", made["id"], "--count", "workers=1", "--wait", "-o", "json")
    )
    assert scaled["status"] == "ACTIVE" and len(scaled["nodes"]) == 2
    assert "deleting" in cli("cluster", "delete", made["id"])
    for args, says in [
        (("cluster", "create", "x", "--project", "production", "--region", "fr-rns-1"), "give"),
        (("cluster", "scale", made["id"], "--count", "workers"), "group=N"),
        (
            ("cluster", "create", "x", "--project", "production", "--region", "fr-rns-1",
             "--file", str(tmp_path / "missing.json")),
            "missing.json",
        ),
    ]:  # fmt: skip
        done = service.cli(*args, config=config)
        assert done.returncode == 2 and says in done.stderr, done.stderr
        assert len(done.stderr.strip().splitlines()) == 1
