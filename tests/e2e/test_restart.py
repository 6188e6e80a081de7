"""Kill the process while servers are building, or while a hypervisor is answering, start
it again: every server converges, none is lost, none is built twice."""

import sqlite3
import time
from concurrent.futures import ThreadPoolExecutor

import httpx

from tests.e2e import plain_http as http
from tests.e2e.conftest import Service


def _headers(service: Service) -> dict[str, str]:
    token = http.post(
        f"{service.url}/v1/tokens",
        json={"username": "armor-admin", "password": "demo-password-2026"},
    ).json()["token"]
    return {"Authorization": f"Bearer {token}"}


def _create(service: Service, h: dict[str, str], name: str) -> str:
    project = http.get(f"{service.url}/v1/projects", headers=h).json()["items"][0]["id"]
    response = http.post(
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
    return [http.get(f"{service.url}/v1/servers/{i}", headers=h).json()["status"] for i in ids]


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
    """The builds take ten minutes, so the kill lands mid-build however slow the machine
    is today; while the control plane is down, the hypervisors finish booting in a few
    seconds, about when it is back."""
    service.stop()
    service.env["ANDROMEDE_SIM_BOOT_SECONDS"] = "600"
    service.start()
    h = _headers(service)
    ids = [_create(service, h, f"crash-{i}") for i in range(6)]
    deadline = time.monotonic() + 60  # the reconciler asks the hypervisors to build
    while time.monotonic() < deadline and not set(ids) <= set(_builds(service)):
        time.sleep(0.1)
    assert [_builds(service).get(i) for i in ids] == [1] * 6
    assert set(_statuses(service, h, ids)) == {"BUILD"}
    service.kill()
    path = service.db_path.with_name("andromede-hypervisors.sqlite")
    with sqlite3.connect(path) as conn:
        conn.execute("UPDATE sim_vms SET ready_at = ? WHERE state = 'building'", (time.time() + 3,))
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


def _storage_consistent(service: Service) -> tuple[int, int, int]:
    """(pool claims, GiB of live volumes, volumes whose status disagrees with their
    attachments), read from the control plane's file."""
    with sqlite3.connect(service.db_path) as conn:
        claimed = conn.execute("SELECT coalesce(sum(allocated_gib), 0) FROM storage_pools")
        held = conn.execute(
            "SELECT coalesce(sum(size_gib), 0) FROM volumes WHERE deleted_at IS NULL"
        )
        wrong = conn.execute(
            "SELECT count(*) FROM volumes v WHERE v.deleted_at IS NULL AND "
            "(v.status = 'in-use') != EXISTS "
            "(SELECT 1 FROM volume_attachments a WHERE a.volume_id = v.id)"
        )
        return (int(claimed.fetchone()[0]), int(held.fetchone()[0]), int(wrong.fetchone()[0]))


def test_kill_during_volume_creates_and_attaches_loses_nothing(service: Service) -> None:
    """Volumes made and attached from several clients while the process is killed: every
    answered create is there after the restart, every pool's claims are exactly its live
    volumes' sizes, and every volume's status matches its attachments."""
    h = _headers(service)
    project = http.get(f"{service.url}/v1/projects", headers=h).json()["items"][0]["id"]
    server = _create(service, h, "holder")
    assert _wait_for(service, h, [server], "ACTIVE") == ["ACTIVE"]
    made: list[str] = []

    def volume_and_attach(i: int) -> None:
        body = {"project_id": project, "name": f"v{i}", "size_gib": 1 + i % 3,
                "region": "fr-rns-1"}  # fmt: skip
        try:
            answer = http.post(f"{service.url}/v1/volumes", headers=h, json=body, timeout=10)
            if answer.status_code == 201:
                made.append(answer.json()["id"])
                http.post(f"{service.url}/v1/servers/{server}/volumes", headers=h,
                           json={"volume_id": answer.json()["id"]}, timeout=10)  # fmt: skip
        except httpx.HTTPError:
            pass  # the process died under this request: it may or may not have happened

    with ThreadPoolExecutor(max_workers=4) as pool:
        futures = [pool.submit(volume_and_attach, i) for i in range(40)]
        deadline = time.monotonic() + 30
        while len(made) < 3 and time.monotonic() < deadline:
            time.sleep(0.02)  # a few creates answered, the rest in flight or queued
        service.kill()
        for future in futures:
            future.result()
    service.start()
    h = _headers(service)
    for volume_id in made:  # every create answered 201 survived
        assert http.get(f"{service.url}/v1/volumes/{volume_id}", headers=h).status_code == 200
    claimed, held, wrong = _storage_consistent(service)
    assert claimed == held and wrong == 0
    assert made, "the kill came before any create was answered"
