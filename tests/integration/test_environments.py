"""Environments through the HTTP API and the worker: made from a template (placement,
quotas and residency as for any server), a partial create retried, started and stopped
together, stopped when their time to live runs out and deleted at expiry, with notices."""

from datetime import datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient

from andromede.bootstrap import App
from andromede.kernel.clock import FrozenClock
from andromede.worker.jobs import run_environments
from tests.integration.builders import World, auth, login, ok

ME = "a-customer-admin"


def template(project: str, **fields: Any) -> dict[str, Any]:
    return {
        "project_id": project,
        "name": "feature-42",
        "region": "fr-par-1",
        "members": [
            {"name": "web", "flavor": "SCS-1V-2", "image": "debian-12", "count": 2},
            {"name": "db", "flavor": "SCS-2V-4", "image": "debian-12"},
        ],
        "server_group": "anti-affinity",
        **fields,
    }


def settle(container: App) -> None:
    while container.reconciler.run_once():
        pass


def state(client: TestClient, env_id: str) -> Any:
    return ok(client.get(f"/v1/environments/{env_id}", headers=auth(login(client, ME))))


def act(client: TestClient, env_id: str, action: str, **extra: int) -> Any:
    body = {"action": action, **extra}
    headers = auth(login(client, ME))
    return client.post(f"/v1/environments/{env_id}/actions", headers=headers, json=body)


def test_an_environment_is_made_started_stopped_extended_and_deleted(
    client: TestClient, container: App, world: World
) -> None:
    me = login(client, ME)
    made = ok(
        client.post("/v1/environments", headers=auth(me), json=template(world.a.project_id)),
        201,
    )
    assert made["status"] == "ACTIVE" and made["running"] is True
    assert [m["slot"] for m in made["members"]] == ["db-1", "web-1", "web-2"]
    assert made["server_group_id"] and made["ttl_hours"] == 8
    settle(container)
    servers = ok(client.get("/v1/servers", headers=auth(me)))["items"]
    mine = {s["name"]: s for s in servers if s["name"].startswith("feature-42-")}
    assert set(mine) == {"feature-42-db-1", "feature-42-web-1", "feature-42-web-2"}
    assert len({s["host_id"] for s in mine.values()}) == 3  # anti-affinity
    assert {s["server_group_id"] for s in mine.values()} == {made["server_group_id"]}
    stopped = ok(act(client, made["id"], "stop"))
    assert stopped["running"] is False and stopped["stop_at"] is None
    assert act(client, made["id"], "extend", hours=4).status_code == 400  # from its next start
    settle(container)
    assert {m["status"] for m in state(client, made["id"])["members"]} == {"SHUTOFF"}
    started = ok(act(client, made["id"], "start"))
    settle(container)
    assert started["running"] is True and started["stop_at"]
    assert {m["status"] for m in state(client, made["id"])["members"]} == {"ACTIVE"}
    longer = ok(act(client, made["id"], "extend", hours=4))
    assert datetime.fromisoformat(longer["stop_at"]) == datetime.fromisoformat(
        started["stop_at"]
    ) + timedelta(hours=4)
    gone = client.delete(f"/v1/environments/{made['id']}", headers=auth(me))
    assert gone.status_code == 202
    settle(container)
    assert client.get(f"/v1/environments/{made['id']}", headers=auth(me)).status_code == 404
    left = [s for s in ok(client.get("/v1/servers", headers=auth(me)))["items"]]
    assert not [s for s in left if s["name"].startswith("feature-42-")]


def test_a_partial_create_names_the_members_that_failed_and_retry_makes_them(
    client: TestClient, container: App, world: World
) -> None:
    me = login(client, ME)
    project = world.a.project_id
    admin = world.a.tokens["partner-admin"]
    limits = {"quota_instances": 2}
    ok(client.patch(f"/v1/projects/{project}", headers=auth(admin), json=limits))
    made = ok(client.post("/v1/environments", headers=auth(me), json=template(project)), 201)
    assert made["status"] == "PARTIAL"
    (listed,) = ok(client.get("/v1/environments", headers=auth(me)))["items"]
    assert listed["status"] == "PARTIAL" and listed["members"] == made["members"]
    failed = [m for m in made["members"] if m["server_id"] is None]
    assert [m["slot"] for m in failed] == ["db-1"]  # made in the template's order
    assert "quota" in failed[0]["error"].lower()
    ok(client.patch(f"/v1/projects/{project}", headers=auth(admin), json={"quota_instances": 10}))
    retried = ok(act(client, made["id"], "retry"))
    assert retried["status"] == "ACTIVE"
    assert all(m["server_id"] and m["error"] is None for m in retried["members"])


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"members": []}, "members"),
        ({"members": [{"name": "Web", "flavor": "SCS-1V-2", "image": "debian-12"}]}, "members"),
        ({"name": "Feature 42"}, "name"),
        ({"ttl_hours": 0}, "ttl_hours"),
        ({"server_group": "nearby"}, "server_group"),
        ({"expires_at": "2020-01-01T00:00:00Z"}, "expires_at"),
    ],
)
def test_bad_environments_are_refused_and_nothing_is_made(
    client: TestClient, world: World, change: dict[str, Any], field: str
) -> None:
    me = login(client, ME)
    body = template(world.a.project_id, **change)
    response = client.post("/v1/environments", headers=auth(me), json=body)
    assert response.status_code == 400, response.text
    assert field in response.text
    assert ok(client.get("/v1/environments", headers=auth(me)))["items"] == []
    assert ok(client.get("/v1/servers", headers=auth(me)))["items"] == []


def test_environments_stay_behind_the_tenant_walls(client: TestClient, world: World) -> None:
    me = login(client, ME)
    made = ok(
        client.post("/v1/environments", headers=auth(me), json=template(world.a.project_id)),
        201,
    )
    other = auth(login(client, "b-customer-admin"))
    assert client.get(f"/v1/environments/{made['id']}", headers=other).status_code == 404
    body = {"action": "stop"}
    stop = client.post(f"/v1/environments/{made['id']}/actions", headers=other, json=body)
    assert stop.status_code == 404
    assert client.delete(f"/v1/environments/{made['id']}", headers=other).status_code == 404
    theirs = client.post("/v1/environments", headers=other, json=template(world.a.project_id))
    assert theirs.status_code == 404
    viewer = auth(world.a.tokens["customer-viewer"])
    assert (
        client.post(f"/v1/environments/{made['id']}/actions", headers=viewer, json=body).status_code
        == 403
    )


def test_the_worker_stops_at_the_end_of_the_time_to_live_and_deletes_at_expiry(
    client: TestClient, container: App, world: World, clock: FrozenClock
) -> None:
    start = clock.now()
    body = template(
        world.a.project_id, ttl_hours=8, expires_at=(start + timedelta(days=3)).isoformat()
    )
    made = ok(client.post("/v1/environments", headers=auth(login(client, ME)), json=body), 201)
    settle(container)

    def worker_at(when: datetime) -> int:
        clock.set(when)
        acted = run_environments(container)
        settle(container)
        return acted

    assert worker_at(start + timedelta(hours=6)) == 0
    assert worker_at(start + timedelta(hours=7, minutes=1)) == 0  # the notice only
    assert worker_at(start + timedelta(hours=8, minutes=1)) == 1
    after = state(client, made["id"])
    assert after["running"] is False and {m["status"] for m in after["members"]} == {"SHUTOFF"}
    assert worker_at(start + timedelta(days=2, hours=1)) == 0  # a day before: notice
    assert worker_at(start + timedelta(days=2, hours=23, minutes=30)) == 0  # an hour before
    assert worker_at(start + timedelta(days=3, minutes=1)) == 1
    me = auth(login(client, ME))
    assert client.get(f"/v1/environments/{made['id']}", headers=me).status_code == 404
    notes = [
        n["message"]
        for n in ok(client.get("/v1/notifications?limit=100", headers=me))["items"]
        if n["kind"] == "environment.due"
    ]
    assert len(notes) == 3  # an hour before the stop, a day and an hour before the deletion
    assert sum("stops" in n for n in notes) == 1 and sum("deleted" in n for n in notes) == 2
    assert worker_at(start + timedelta(days=3, minutes=2)) == 0
