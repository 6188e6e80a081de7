"""Jobs through the HTTP API and the runtime's pass, on both databases: a cluster becomes
ACTIVE once its runtime answers, jobs go PENDING → RUNNING → SUCCEEDED | FAILED | KILLED
with their output and duration, a transient cluster deletes itself when its jobs are over,
a deleted cluster is stopped on its runtime, and bad jobs change nothing.

The runtime is a stand-in for the outside system (tests/integration/runtimes.py); real
Spark runs in tests/e2e/test_spark_jobs.py."""

import base64
from datetime import timedelta
from typing import Any

from fastapi.testclient import TestClient

from andromede.bootstrap import App
from andromede.clusters.runtime import JobRun
from andromede.kernel.clock import FrozenClock
from andromede.worker.jobs import advance_clusters, run_cluster_runtime
from tests.integration.builders import World, auth, login, ok
from tests.integration.runtimes import with_runtime

ME = "a-customer-admin"
SHAPE = {
    "engine": "spark",
    "version": "4.0",
    "image": "debian-12",
    "node_groups": [
        {"name": "master", "role": "master", "flavor": "SCS-1V-2", "count": 1},
        {"name": "workers", "role": "task", "flavor": "SCS-1V-2", "count": 1},
    ],
}


def settle(container: App) -> None:
    for _ in range(4):
        while container.reconciler.run_once():
            pass
        advance_clusters(container)
        run_cluster_runtime(container)


def job_body(**fields: Any) -> dict[str, Any]:
    code = base64.b64encode(b"print('hello')").decode()
    words = base64.b64encode(b"a b a").decode()
    return {"name": "wc", "file_name": "wc.py", "content_base64": code,
            "files": {"words.txt": words}, "args": ["words.txt"],
            "conf": {"spark.executor.memory": "512m"}, **fields}  # fmt: skip


def make_cluster(client: TestClient, world: World, **fields: Any) -> Any:
    body = {"project_id": world.a.project_id, "name": "etl", "region": "fr-par-1",
            "body": SHAPE, **fields}  # fmt: skip
    return ok(client.post("/v1/clusters", headers=auth(login(client, ME)), json=body), 201)


def test_a_job_runs_to_success_and_is_killed_on_demand(
    client: TestClient, container: App, world: World, clock: FrozenClock
) -> None:
    runtime = with_runtime(container)
    made = make_cluster(client, world)
    me = auth(login(client, ME))
    jobs = f"/v1/clusters/{made['id']}/jobs"
    early = ok(client.post(jobs, headers=me, json=job_body()), 201)
    assert early["status"] == "PENDING"  # waits for the cluster
    settle(container)
    state = ok(client.get(f"/v1/clusters/{made['id']}", headers=me))
    assert state["status"] == "ACTIVE" and made["id"] in runtime.started
    sent = runtime.submitted[early["id"]]
    assert (sent.file_name, sent.content, sent.files, sent.args) == (
        "wc.py", b"print('hello')", {"words.txt": b"a b a"}, ["words.txt"],
    )  # fmt: skip
    assert ok(client.get(f"{jobs}/{early['id']}", headers=me))["status"] == "RUNNING"
    clock.advance(timedelta(seconds=42))
    runtime.outcome[early["id"]] = JobRun("SUCCEEDED", 0, "COUNT a 2\nCOUNT b 1")
    settle(container)
    done = ok(client.get(f"{jobs}/{early['id']}", headers=auth(login(client, ME))))
    assert (done["status"], done["exit_code"], done["duration_seconds"]) == ("SUCCEEDED", 0, 42.0)
    assert done["output"].splitlines() == ["COUNT a 2", "COUNT b 1"]
    me = auth(login(client, ME))
    long = ok(client.post(jobs, headers=me, json=job_body(name="long")), 201)
    settle(container)
    killed = ok(client.post(f"{jobs}/{long['id']}/kill", headers=me))
    assert killed["status"] == "RUNNING"  # the runtime's next pass kills it
    settle(container)
    assert runtime.killed == [long["id"]]
    assert ok(client.get(f"{jobs}/{long['id']}", headers=me))["status"] == "KILLED"
    assert client.post(f"{jobs}/{long['id']}/kill", headers=me).status_code == 409
    listed = ok(client.get(jobs, headers=me))["items"]
    assert [(j["name"], j["status"]) for j in listed] == [("wc", "SUCCEEDED"), ("long", "KILLED")]
    assert client.delete(f"/v1/clusters/{made['id']}", headers=me).status_code == 202
    settle(container)
    assert runtime.stopped == [made["id"]]
    assert client.get(f"/v1/clusters/{made['id']}", headers=me).status_code == 404


def test_a_transient_cluster_deletes_itself_when_its_jobs_are_over(
    client: TestClient, container: App, world: World
) -> None:
    runtime = with_runtime(container)
    made = make_cluster(client, world, transient=True)
    me = auth(login(client, ME))
    job = ok(client.post(f"/v1/clusters/{made['id']}/jobs", headers=me, json=job_body()), 201)
    settle(container)
    assert ok(client.get(f"/v1/clusters/{made['id']}", headers=me))["status"] == "ACTIVE"
    runtime.outcome[job["id"]] = JobRun("FAILED", 1, "Traceback: boom")
    settle(container)
    me = auth(login(client, ME))
    assert client.get(f"/v1/clusters/{made['id']}", headers=me).status_code == 404
    assert runtime.stopped == [made["id"]]


def test_bad_jobs_change_nothing_and_walls_hold(
    client: TestClient, container: App, world: World
) -> None:
    made = make_cluster(client, world)
    me = auth(login(client, ME))
    jobs = f"/v1/clusters/{made['id']}/jobs"
    refused = client.post(jobs, headers=me, json=job_body())
    assert refused.status_code == 409 and "no cluster runtime" in refused.json()["detail"]
    with_runtime(container)
    for fields in (
        {"file_name": "wc.sh"},
        {"file_name": "../wc.py"},
        {"content_base64": "not base64!"},
        {"content_base64": ""},
        {"conf": {"spark.master": "local"}},
        {"conf": {"hadoop.x": "1"}},
        {"files": {"../etc/passwd": "eA=="}},
        {"args": ["x\x00y"]},
    ):
        answer = client.post(jobs, headers=me, json=job_body(**fields))
        assert answer.status_code in (400, 422), (fields, answer.text)
    assert ok(client.get(jobs, headers=me))["items"] == []
    other = auth(world.b.tokens["customer-admin"])
    assert client.post(jobs, headers=other, json=job_body()).status_code == 404
    assert client.get(jobs, headers=other).status_code == 404
    mine = ok(client.post(jobs, headers=me, json=job_body()), 201)
    assert client.get(f"{jobs}/{mine['id']}", headers=other).status_code == 404
    assert client.post(f"{jobs}/{mine['id']}/kill", headers=other).status_code == 404
    killed = ok(client.post(f"{jobs}/{mine['id']}/kill", headers=me))
    assert killed["status"] == "KILLED"  # still pending: killed at once


def test_daemons_that_never_answer_fail_the_cluster_and_free_its_nodes(
    client: TestClient, container: App, world: World
) -> None:
    runtime = with_runtime(container)
    runtime.answers = False
    made = make_cluster(client, world)
    settle(container)
    me = auth(login(client, ME))
    assert ok(client.get(f"/v1/clusters/{made['id']}", headers=me))["status"] == "CONFIGURING"
    runtime.broken[made["id"]] = "the Spark master stopped: java: not found"
    settle(container)
    state = ok(client.get(f"/v1/clusters/{made['id']}", headers=auth(login(client, ME))))
    assert state["status"] == "ERROR" and "java: not found" in state["reason"]
    assert {n["status"] for n in state["nodes"]} <= {None, "DELETED"}
