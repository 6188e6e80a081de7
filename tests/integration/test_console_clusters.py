"""The customer's clusters in the console: the list with nodes up, a cluster's page with
its nodes and its master's configuration, a resize and a delete from the page; another
customer's cluster is not found."""

import base64

from fastapi.testclient import TestClient

from andromede.bootstrap import App
from andromede.clusters.runtime import JobRun
from andromede.worker.jobs import advance_clusters, run_cluster_runtime
from tests.integration.builders import World, auth, ok
from tests.integration.console_client import form, sign_in
from tests.integration.runtimes import with_runtime

SPARK = {
    "engine": "spark",
    "version": "4.0",
    "image": "debian-12",
    "node_groups": [
        {"name": "master", "role": "master", "flavor": "SCS-1V-2", "count": 1},
        {"name": "workers", "role": "task", "flavor": "SCS-2V-4", "count": 2},
    ],
}


def settle(container: App) -> None:
    for _ in range(4):
        while container.reconciler.run_once():
            pass
        advance_clusters(container)


def test_a_customer_sees_resizes_and_deletes_its_cluster(
    client: TestClient, world: World, container: App
) -> None:
    token = world.a.tokens["customer-admin"]
    body = {"project_id": world.a.project_id, "name": "etl", "region": "fr-par-1", "body": SPARK}
    made = ok(client.post("/v1/clusters", headers=auth(token), json=body), 201)
    ok(
        client.post(
            "/v1/cluster-templates",
            headers=auth(world.admin),
            json={"name": "spark-small", "body": SPARK},
        ),
        201,
    )
    sign_in(client, "a-customer-admin")
    listed = client.get("/console/clusters")
    assert "etl" in listed.text and "CRÉATION" in listed.text and "0 / 3" in listed.text
    assert "spark-small" in listed.text and "opérateur" in listed.text
    settle(container)
    assert "3 / 3" in client.get("/console/clusters").text
    page = client.get(f"/console/clusters/{made['id']}")
    assert page.status_code == 200
    assert "etl-workers-1" in page.text and "spark-defaults.conf" in page.text
    assert "spark://" in page.text
    bad = form(
        client,
        f"/console/clusters/{made['id']}",
        f"/console/clusters/{made['id']}/scale",
        {"group": "workers", "count": "many"},
    )
    assert bad.status_code == 400 and 'role="alert"' in bad.text
    resized = form(
        client,
        f"/console/clusters/{made['id']}",
        f"/console/clusters/{made['id']}/scale",
        {"group": "workers", "count": "1"},
    )
    assert resized.status_code == 303, resized.text
    state = ok(client.get(f"/v1/clusters/{made['id']}", headers=auth(token)))
    assert [n["name"] for n in state["nodes"]] == ["etl-master-0", "etl-workers-0"]
    settle(container)
    gone = form(
        client, f"/console/clusters/{made['id']}", f"/console/clusters/{made['id']}/delete", {}
    )
    assert gone.status_code == 303
    settle(container)
    after = client.get("/console/clusters").text
    assert f"/clusters/{made['id']}" not in after and "Aucun cluster" in after


def test_another_customers_cluster_is_not_found(
    client: TestClient, world: World, container: App
) -> None:
    token = world.a.tokens["customer-admin"]
    body = {"project_id": world.a.project_id, "name": "etl", "region": "fr-par-1", "body": SPARK}
    made = ok(client.post("/v1/clusters", headers=auth(token), json=body), 201)
    sign_in(client, "b-customer-admin")
    assert client.get(f"/console/clusters/{made['id']}").status_code == 404
    assert "etl" not in client.get("/console/clusters").text


def test_a_customer_sees_its_jobs_and_kills_one(
    client: TestClient, world: World, container: App
) -> None:
    runtime = with_runtime(container)
    token = world.a.tokens["customer-admin"]
    body = {"project_id": world.a.project_id, "name": "etl", "region": "fr-par-1", "body": SPARK}
    made = ok(client.post("/v1/clusters", headers=auth(token), json=body), 201)
    code = base64.b64encode(b"print(1)").decode()
    jobs = f"/v1/clusters/{made['id']}/jobs"
    job = ok(
        client.post(jobs, headers=auth(token), json={"name": "nightly", "file_name": "n.py",
                                                      "content_base64": code}),
        201,
    )  # fmt: skip
    for _ in range(4):
        settle(container)
        run_cluster_runtime(container)
    runtime.outcome[job["id"]] = JobRun("RUNNING", None, "stage 1 of 3\nstage 2 of 3")
    run_cluster_runtime(container)
    sign_in(client, "a-customer-admin")
    page = client.get(f"/console/clusters/{made['id']}")
    assert "nightly" in page.text and "EN COURS" in page.text and "stage 2 of 3" in page.text
    killed = form(
        client,
        f"/console/clusters/{made['id']}",
        f"/console/clusters/{made['id']}/jobs/{job['id']}/kill",
        {},
    )
    assert killed.status_code == 303
    run_cluster_runtime(container)
    assert runtime.killed == [job["id"]]
    assert "INTERROMPU" in client.get(f"/console/clusters/{made['id']}").text
