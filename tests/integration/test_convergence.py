"""A crash between the driver call and the commit, then a restart: no server is lost and
none is built twice, because driver verbs are idempotent and keyed by the server id."""

from datetime import timedelta

from fastapi.testclient import TestClient
from sqlalchemy import select

from andromede.bootstrap import App, build
from andromede.compute.drivers.base import VmSpec
from andromede.compute.store import Server
from andromede.kernel.clock import FrozenClock
from tests.integration.builders import World, create_server, ok, sim


def test_restart_after_crash_mid_build_converges_without_duplicates(
    client: TestClient, container: App, world: World, clock: FrozenClock
) -> None:
    token = world.a.tokens["customer-member"]
    ids = [
        ok(create_server(client, token, world.a.project_id, name=f"vm{i}"), 202)["id"]
        for i in range(5)
    ]
    with container.uow(readonly=True) as session:
        rows = list(session.scalars(select(Server).where(Server.id.in_(ids))))
    for row in rows[:3]:  # the old process reached the hypervisor, then died before commit
        sim(container).create(
            VmSpec(
                row.id,
                row.name,
                row.host_id or "",
                row.vcpus,
                row.ram_mib,
                row.disk_gib,
                row.image_id,
            )
        )
    container.engine.dispose()

    restarted = build(container.settings, clock=clock)  # a new process on the same state
    while restarted.reconciler.run_once():
        pass
    with restarted.uow(readonly=True) as session:
        statuses = {s.id: s.status for s in session.scalars(select(Server))}
    assert statuses == dict.fromkeys(ids, "ACTIVE")
    assert [sim(restarted).create_count(i) for i in ids] == [1] * 5
    assert sim(restarted).vm_count() == 5
    restarted.engine.dispose()


def test_slow_boot_is_polled_until_active(
    client: TestClient, container: App, world: World, clock: FrozenClock
) -> None:
    sim(container).boot_seconds = 30
    server = ok(create_server(client, world.a.tokens["customer-member"], world.a.project_id), 202)
    container.reconciler.run_once()
    container.reconciler.run_once()
    with container.uow(readonly=True) as session:
        assert session.get_one(Server, server["id"]).status == "BUILD"
    clock.advance(timedelta(seconds=31))
    assert container.reconciler.run_once() == 1
    with container.uow(readonly=True) as session:
        assert session.get_one(Server, server["id"]).status == "ACTIVE"
    assert sim(container).create_count(server["id"]) == 1
