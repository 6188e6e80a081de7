"""Kill the process while servers are building, start it again: every server converges,
none is lost, none is built twice."""

import sqlite3
import time

import httpx

from tests.e2e.conftest import Service


def test_kill_mid_build_then_restart_converges(service: Service) -> None:
    service.stop()
    service.env["ANDROMEDE_SIM_BOOT_SECONDS"] = "4"
    service.start()
    token = httpx.post(
        f"{service.url}/v1/tokens",
        json={"username": "armor-admin", "password": "demo-password-2026"},
    ).json()["token"]
    h = {"Authorization": f"Bearer {token}"}
    project = httpx.get(f"{service.url}/v1/projects", headers=h).json()["items"][0]["id"]
    ids = []
    for i in range(6):
        response = httpx.post(
            f"{service.url}/v1/servers",
            headers=h,
            json={
                "project_id": project,
                "name": f"crash-{i}",
                "flavor": "SCS-1V-2",
                "image": "cirros",
                "region": "fr-rns-1",  # allowed for every demo customer
            },
        )
        assert response.status_code == 202, response.text
        ids.append(response.json()["id"])
    time.sleep(0.5)  # the reconciler has asked the hypervisors to build
    statuses = [httpx.get(f"{service.url}/v1/servers/{i}", headers=h).json()["status"] for i in ids]
    assert set(statuses) == {"BUILD"}
    service.kill()
    service.start()
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        statuses = [
            httpx.get(f"{service.url}/v1/servers/{i}", headers=h).json()["status"] for i in ids
        ]
        if set(statuses) == {"ACTIVE"}:
            break
        time.sleep(0.3)
    assert statuses == ["ACTIVE"] * 6
    hypervisors = service.db_path.with_name("andromede-hypervisors.sqlite")
    with sqlite3.connect(hypervisors) as conn:
        builds = dict(
            conn.execute("SELECT server_id, count(*) FROM sim_builds GROUP BY server_id").fetchall()
        )
    assert [builds.get(i) for i in ids] == [1] * 6
