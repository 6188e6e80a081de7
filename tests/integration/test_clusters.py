"""Clusters through the HTTP API and the worker: templates published by the operator and
partners; a cluster made node by node through the compute service (anti-affinity,
residency refused before any node, whole or nothing), its nodes' rendered configuration,
statuses moved by the worker, scaling (task nodes at once, core nodes drained, never
below the HDFS replication), deletion, a failed node, and another tenant's walls."""

import xml.etree.ElementTree as ET
from datetime import timedelta
from decimal import Decimal
from typing import Any

import yaml
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from andromede.billing.invoicing import summed_by_party
from andromede.bootstrap import App
from andromede.clusters.store import Cluster, ClusterNode
from andromede.compute.store import Server
from andromede.kernel.clock import FrozenClock
from andromede.kernel.months import month_period
from andromede.worker.jobs import advance_clusters
from tests.integration.builders import World, auth, login, ok, sim

ME = "a-customer-admin"

HADOOP: dict[str, Any] = {
    "engine": "hadoop",
    "version": "3.4",
    "image": "debian-12",
    "node_groups": [
        {"name": "master", "role": "master", "flavor": "SCS-2V-4", "count": 1},
        {"name": "core", "role": "core", "flavor": "SCS-4V-16", "count": 2},
        {"name": "task", "role": "task", "flavor": "SCS-1V-2", "count": 1},
    ],
    "config": {"hdfs-site.xml": {"dfs.blocksize": "256m"}},
}


def settle(container: App) -> None:
    """Nodes boot (reconciler), then the cluster moves on (worker), until nothing moves."""
    for _ in range(6):
        while container.reconciler.run_once():
            pass
        advance_clusters(container)


def cluster(client: TestClient, cluster_id: str) -> Any:
    return ok(client.get(f"/v1/clusters/{cluster_id}", headers=auth(login(client, ME))))


def make(client: TestClient, world: World, **fields: Any) -> Any:
    body = {"project_id": world.a.project_id, "name": "etl", "region": "fr-par-1", **fields}
    return client.post("/v1/clusters", headers=auth(login(client, ME)), json=body)


def servers(container: App) -> int:
    with container.uow(readonly=True) as session:
        return int(
            session.scalar(
                select(func.count()).select_from(Server).where(Server.desired != "DELETED")
            )
            or 0
        )


def site(text: str) -> dict[str, str]:
    root = ET.fromstring(text)
    return {p.findtext("name", ""): p.findtext("value", "") for p in root.iter("property")}


def test_a_hadoop_cluster_from_a_template_lives_and_dies(
    client: TestClient, container: App, world: World
) -> None:
    published = client.post(
        "/v1/cluster-templates",
        headers=auth(world.admin),
        json={"name": "hadoop-small", "description": "YARN + HDFS", "body": HADOOP},
    )
    assert ok(published, 201)["partner_id"] is None
    seen = ok(client.get("/v1/cluster-templates", headers=auth(login(client, ME))))["items"]
    assert [t["name"] for t in seen] == ["hadoop-small"]
    made = ok(make(client, world, template="hadoop-small"), 201)
    assert made["status"] == "CREATING" and made["replication"] == 2
    names = [n["name"] for n in made["nodes"]]
    assert names == ["etl-core-0", "etl-core-1", "etl-master-0", "etl-task-0"]
    settle(container)
    state = cluster(client, made["id"])
    assert state["status"] == "ACTIVE"
    assert {n["status"] for n in state["nodes"]} == {"ACTIVE"}
    me = login(client, ME)
    mine = [
        ok(client.get(f"/v1/servers/{n['server_id']}", headers=auth(me))) for n in state["nodes"]
    ]
    assert len({s["host_id"] for s in mine}) == 4  # every node on a host of its own
    assert {s["server_group_id"] for s in mine} == {made["server_group_id"]}
    # the master's boot configuration names every worker and the layout's values
    master = next(n for n in state["nodes"] if n["role"] == "master")
    with container.uow(readonly=True) as session:
        user_data = session.get(Server, master["server_id"]).user_data  # type: ignore[union-attr]
    files = {f["path"]: f["content"] for f in yaml.safe_load(user_data)["write_files"]}
    workers = sorted(n["address"] for n in state["nodes"] if n["role"] != "master")
    assert sorted(files["/etc/hadoop/conf/workers"].split()) == workers
    hdfs = site(files["/etc/hadoop/conf/hdfs-site.xml"])
    assert hdfs["dfs.replication"] == "2" and hdfs["dfs.blocksize"] == "256m"
    assert site(files["/etc/hadoop/conf/core-site.xml"])["fs.defaultFS"] == (
        f"hdfs://{master['address']}:8020"
    )
    path = f"/v1/clusters/{made['id']}/nodes/etl-core-1/configuration"
    core = ok(client.get(path, headers=auth(me)))["files"]
    yarn = site(core["/etc/hadoop/conf/yarn-site.xml"])
    assert yarn["yarn.nodemanager.resource.memory-mb"] == str(16384 - 2048)
    assert yarn["yarn.resourcemanager.hostname"] == master["address"]
    # delete: every node's server goes, then the cluster
    assert client.delete(f"/v1/clusters/{made['id']}", headers=auth(me)).status_code == 202
    assert cluster(client, made["id"])["status"] == "DELETING"
    settle(container)
    assert client.get(f"/v1/clusters/{made['id']}", headers=auth(me)).status_code == 404
    assert servers(container) == 0


def test_scaling_lets_task_nodes_go_drains_core_nodes_and_keeps_every_block(
    client: TestClient, container: App, world: World
) -> None:
    body = {**HADOOP, "config": {"hdfs-site.xml": {"dfs.replication": "1"}}}
    made = ok(make(client, world, body=body), 201)
    settle(container)
    me = auth(login(client, ME))
    scale = f"/v1/clusters/{made['id']}/scale"
    refused = client.post(scale, headers=me, json={"groups": {"core": 0, "task": 1}})
    assert refused.status_code == 400 and "copies" in refused.json()["detail"]
    shrunk = ok(client.post(scale, headers=me, json={"groups": {"core": 1, "task": 0}}))
    assert shrunk["status"] == "SCALING"
    nodes = {n["name"]: n for n in shrunk["nodes"]}
    assert "etl-task-0" not in nodes  # no data on it: gone at once
    assert nodes["etl-core-1"]["draining"] and not nodes["etl-core-0"]["draining"]
    master_files = ok(
        client.get(f"/v1/clusters/{made['id']}/nodes/etl-master-0/configuration", headers=me)
    )["files"]
    assert master_files["/etc/hadoop/conf/dfs.exclude"].split() == [nodes["etl-core-1"]["address"]]
    settle(container)
    state = cluster(client, made["id"])
    assert state["status"] == "ACTIVE"
    assert [n["name"] for n in state["nodes"]] == ["etl-core-0", "etl-master-0"]
    assert [g["count"] for g in state["body"]["node_groups"]] == [1, 1, 0]
    grown = ok(client.post(scale, headers=me, json={"groups": {"task": 2}}))
    assert sorted(n["name"] for n in grown["nodes"]) == [
        "etl-core-0", "etl-master-0", "etl-task-0", "etl-task-1",
    ]  # fmt: skip
    settle(container)
    assert cluster(client, made["id"])["status"] == "ACTIVE"
    assert servers(container) == 4


def test_a_refused_place_or_a_node_that_cannot_be_placed_leaves_nothing(
    client: TestClient, container: App, world: World
) -> None:
    admin_c = world.a.tokens["customer-admin"]
    ok(
        client.post(
            "/v1/policies",
            headers=auth(admin_c),
            json={
                "scope_type": "customer",
                "scope_id": world.a.customer_id,
                "allow": ["in:FR-BRE"],
            },
        ),
        201,
    )
    refused = make(client, world, body=HADOOP)
    assert refused.status_code == 403 and refused.json()["code"] == "policy-violation"
    # five nodes, each on its own host, in a region of four hosts: no room for the fifth
    groups: list[dict[str, Any]] = HADOOP["node_groups"]
    big = {**HADOOP, "node_groups": [*groups[:2], {**groups[2], "count": 2}]}
    full = make(client, world, body=big, region="fr-rns-1")
    assert full.status_code == 409, full.text
    with container.uow(readonly=True) as session:
        assert session.scalar(select(func.count()).select_from(Cluster)) == 0
        assert session.scalar(select(func.count()).select_from(ClusterNode)) == 0
    assert servers(container) == 0


def test_a_node_that_fails_to_boot_fails_the_cluster_and_stops_its_billing(
    client: TestClient, container: App, world: World
) -> None:
    made = ok(make(client, world, body=HADOOP), 201)
    sim(container).failure_rate = 1.0  # the hypervisors fail every build
    settle(container)
    sim(container).failure_rate = 0.0
    state = cluster(client, made["id"])
    assert state["status"] == "ERROR"
    assert "failed to boot" in state["reason"] and "etl-" in state["reason"]
    assert servers(container) == 0  # nothing left running, nothing billing
    me = auth(login(client, ME))
    assert client.delete(f"/v1/clusters/{made['id']}", headers=me).status_code == 202
    settle(container)
    assert client.get(f"/v1/clusters/{made['id']}", headers=me).status_code == 404


def test_bad_inputs_change_nothing_and_walls_hold(
    client: TestClient, container: App, world: World
) -> None:
    me = auth(login(client, ME))
    bad: list[dict[str, Any]] = [
        {"body": {**HADOOP, "engine": "flink"}},
        {"template": "nope"},
        {},
        {"body": HADOOP, "template": "x"},
        {"body": HADOOP, "counts": {"nope": 2}},
        {"body": HADOOP, "config": {"core-site.xml": {"fs.defaultFS": "x"}}},
        {"body": HADOOP, "name": "no spaces"},
    ]
    for fields in bad:
        answer = make(client, world, **fields)
        assert answer.status_code in (400, 404, 422), (fields, answer.text)
        assert answer.headers["content-type"].startswith("application/problem+json")
    assert servers(container) == 0
    member = client.post("/v1/cluster-templates", headers=me, json={"name": "mine", "body": HADOOP})
    assert member.status_code == 403
    made = ok(make(client, world, body=HADOOP), 201)
    other = auth(world.b.tokens["customer-admin"])
    assert client.get(f"/v1/clusters/{made['id']}", headers=other).status_code == 404
    assert client.delete(f"/v1/clusters/{made['id']}", headers=other).status_code == 404
    scale = f"/v1/clusters/{made['id']}/scale"
    scaled = client.post(scale, headers=other, json={"groups": {"task": 0}})
    assert scaled.status_code == 404
    assert ok(client.get("/v1/clusters", headers=other))["items"] == []
    busy = client.post(scale, headers=me, json={"groups": {"task": 2}})
    assert busy.status_code == 409  # still CREATING


def test_a_partner_template_is_seen_by_its_customers_only(client: TestClient, world: World) -> None:
    partner = auth(world.a.tokens["partner-admin"])
    body = {"name": "ours", "body": HADOOP}
    ok(client.post("/v1/cluster-templates", headers=partner, json=body), 201)
    mine = ok(client.get("/v1/cluster-templates", headers=auth(world.a.tokens["customer-admin"])))
    theirs = ok(client.get("/v1/cluster-templates", headers=auth(world.b.tokens["customer-admin"])))
    assert [t["name"] for t in mine["items"]] == ["ours"]
    assert theirs["items"] == []
    other = auth(world.b.tokens["partner-admin"])
    assert client.delete("/v1/cluster-templates/ours", headers=other).status_code == 404
    assert client.delete("/v1/cluster-templates/ours", headers=partner).status_code == 204


def test_the_cluster_fee_follows_the_running_nodes(
    client: TestClient, container: App, world: World, clock: FrozenClock
) -> None:
    """A master of 1 vCPU and two workers of 2 vCPUs, two hours: 10 vCPU-hours of fee on
    top of the servers' own hours; nothing more once the cluster is deleted."""
    body = {
        "engine": "spark",
        "version": "4.0",
        "image": "debian-12",
        "node_groups": [
            {"name": "master", "role": "master", "flavor": "SCS-1V-2", "count": 1},
            {"name": "workers", "role": "task", "flavor": "SCS-2V-4", "count": 2},
        ],
    }
    made = ok(make(client, world, body=body), 201)
    settle(container)
    clock.advance(timedelta(hours=2))

    def fee() -> Decimal:
        me = auth(login(client, ME))
        items = ok(client.get("/v1/usage", headers=me, params={"month": "2026-11"}))["items"]
        fees = [i for i in items if i["sku"] == "cluster:fr-par-1"]
        assert {i["unit"] for i in fees} == {"vCPU-hour"}
        assert {i["server_id"] for i in fees} == {n["server_id"] for n in made["nodes"]}
        return sum((Decimal(i["quantity"]) for i in fees), Decimal(0))

    assert fee() == Decimal(10)
    me = auth(login(client, ME))
    assert client.delete(f"/v1/clusters/{made['id']}", headers=me).status_code == 202
    settle(container)
    clock.advance(timedelta(hours=1))
    assert fee() == Decimal(10)
    # the month's invoices see the same: their summed path keeps a cluster's customer in
    # detail, since its fee is cut from its nodes' own pieces
    start, end = month_period("2026-11")
    with container.uow(readonly=True) as session:
        summed = summed_by_party(container.rating.for_invoices(session, start, end))
        assert summed == summed_by_party(container.rating.rated(session, start, end))
    pieces = [p for by in summed.values() for own in by.values() for p in own]
    assert sum(p.quantity for p in pieces if p.segment.sku == "cluster:fr-par-1") == Decimal(10)
