"""Kill the process while servers are building, or while a hypervisor is answering, start
it again: every server converges, none is lost, none is built twice."""

import sqlite3
import time

import httpx

from tests.e2e.conftest import Service


def _headers(service: Service) -> dict[str, str]:
    token = httpx.post(
        f"{service.url}/v1/tokens",
        json={"username": "armor-admin", "password": "demo-password-2026"},
    ).json()["token"]
    return {"Authorization": f"Bearer {token}"}


def _create(service: Service, h: dict[str, str], name: str) -> str:
    project = httpx.get(f"{service.url}/v1/projects", headers=h).json()["items"][0]["id"]
    response = httpx.post(
        f"{service.url}/v1/servers",
        headers=h,
        json={
            "project_id": project,
            "name": name,
            "flavor": "SCS-1V-2",
            "image": "cirros",
            "region": "fr-rns-1",  # allowed for every demo customer
        },
    )
    assert response.status_code == 202, response.text
    return str(response.json()["id"])


def _statuses(service: Service, h: dict[str, str], ids: list[str]) -> list[str]:
    return [httpx.get(f"{service.url}/v1/servers/{i}", headers=h).json()["status"] for i in ids]


def _wait_for(service: Service, h: dict[str, str], ids: list[str], status: str) -> list[str]:
    deadline = time.monotonic() + 60
    statuses = _statuses(service, h, ids)
    while time.monotonic() < deadline and set(statuses) != {status}:
        time.sleep(0.3)
        statuses = _statuses(service, h, ids)
    return statuses


def _hypervisors(service: Service, query: str) -> list[tuple[object, ...]]:
    path = service.db_path.with_name("andromede-hypervisors.sqlite")
    with sqlite3.connect(path) as conn:
        return conn.execute(query).fetchall()


def _pending(service: Service) -> int:
    """Servers the reconciler still has to act on, read from the control plane's file."""
    with sqlite3.connect(service.db_path) as conn:
        query = "SELECT count(*) FROM servers WHERE status != desired AND status != 'ERROR'"
        return int(conn.execute(query).fetchone()[0])


def _builds(service: Service) -> dict[object, object]:
    rows = _hypervisors(service, "SELECT server_id, count(*) FROM sim_builds GROUP BY 1")
    return {row[0]: row[1] for row in rows}


def test_kill_mid_build_then_restart_converges(service: Service) -> None:
    service.stop()
    service.env["ANDROMEDE_SIM_BOOT_SECONDS"] = "4"
    service.start()
    h = _headers(service)
    ids = [_create(service, h, f"crash-{i}") for i in range(6)]
    time.sleep(0.5)  # the reconciler has asked the hypervisors to build
    assert set(_statuses(service, h, ids)) == {"BUILD"}
    service.kill()
    service.start()
    assert _wait_for(service, h, ids, "ACTIVE") == ["ACTIVE"] * 6
    builds = _builds(service)
    assert [builds.get(i) for i in ids] == [1] * 6


def test_kill_between_the_driver_call_and_its_record_then_restart_converges(
    service: Service,
) -> None:
    """The hypervisor has built the VM and is slow to answer: the process dies after the
    driver did the work and before the second transaction recorded it. While the driver
    works, the database stays free for other writes."""
    deadline = time.monotonic() + 60  # the demo's own servers settle first
    while time.monotonic() < deadline and _pending(service):
        time.sleep(0.2)
    assert not _pending(service)
    service.stop()
    service.env["ANDROMEDE_SIM_BOOT_SECONDS"] = "0"
    service.env["ANDROMEDE_SIM_ANSWER_SECONDS"] = "600"
    service.start()
    h = _headers(service)
    first = _create(service, h, "slow-answer")
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and first not in _builds(service):
        time.sleep(0.1)
    assert _builds(service).get(first) == 1  # built, and the driver has not answered yet
    second = _create(service, h, "while-the-driver-works")  # no writer lock is held
    assert _statuses(service, h, [first, second]) == ["BUILD", "BUILD"]
    service.kill()
    service.env["ANDROMEDE_SIM_ANSWER_SECONDS"] = "0"
    service.start()
    assert _wait_for(service, h, [first, second], "ACTIVE") == ["ACTIVE", "ACTIVE"]
    builds = _builds(service)
    assert [builds.get(first), builds.get(second)] == [1, 1]
