"""A close reads each server's state at the period's start and the period's changes, never
the history before: the same cost in a deployment's tenth year as in its first."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal

from fastapi.testclient import TestClient
from sqlalchemy import select

from andromede.bootstrap import App
from andromede.compute.store import ServerEvent
from andromede.kernel.clock import FrozenClock
from tests.integration.builders import World, auth, create_server, ok

OCT, NOV = datetime(2026, 10, 1, tzinfo=UTC), datetime(2026, 11, 1, tzinfo=UTC)


def act(client: TestClient, container: App, token: str, server_id: str, action: str) -> None:
    path = f"/v1/servers/{server_id}/actions"
    ok(client.post(path, headers=auth(token), json={"action": action}), 202)
    while container.reconciler.run_once():
        pass


def test_a_close_reads_the_state_at_the_start_and_the_months_changes_only(
    client: TestClient, container: App, clock: FrozenClock, world: World
) -> None:
    member = world.a.tokens["customer-member"]
    clock.set(datetime(2026, 8, 3, 8, tzinfo=UTC))
    server = ok(create_server(client, member, world.a.project_id, flavor="SCS-2V-4"), 202)["id"]
    while container.reconciler.run_once():
        pass
    for month, day, action in ((8, 20, "stop"), (9, 2, "start"), (9, 9, "reboot")):
        clock.set(datetime(2026, month, day, 8, tzinfo=UTC))
        act(client, container, member, server, action)
    stopped, started = OCT + timedelta(days=9, hours=8), OCT + timedelta(days=11, hours=8)
    for when, action in ((stopped, "stop"), (started, "start")):
        clock.set(when)
        act(client, container, member, server, action)
    clock.set(NOV + timedelta(hours=6))

    with container.uow(readonly=True) as session:
        before = session.scalars(
            select(ServerEvent)
            .where(ServerEvent.server_id == server, ServerEvent.at < OCT)
            .order_by(ServerEvent.at, ServerEvent.seq)
        ).all()
        rows = container.servers.state_history(session, OCT, NOV, None, lambda *row: row)
        segments = container.metering.segments(session, OCT, NOV)
    mine = [r for r in rows if r[1] == server]
    assert len(before) >= 5  # built, stopped, started, rebooted: all in August and September
    assert [r[0] for r in mine if r[2] < OCT] == [before[-1].seq]  # only the state on 1 Oct
    assert all(r[2] >= OCT for r in mine[1:]) and len(mine) >= 3
    compute = [s for s in segments if s.server_id == server and s.dimension == "compute"]
    disk = [s for s in segments if s.server_id == server and s.dimension == "disk"]
    assert [(s.start, s.end) for s in compute] == [(OCT, stopped), (started, NOV)]
    running = (stopped - OCT) + (NOV - started)
    assert sum(s.seconds for s in compute) == Decimal(int(running.total_seconds()))
    assert [(s.start, s.end) for s in disk] == [(OCT, NOV)]
