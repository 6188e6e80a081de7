"""Several reconcilers on one database share the work: each transition happens once."""

import threading

from fastapi.testclient import TestClient
from sqlalchemy import func, select

from andromede.bootstrap import App, build
from andromede.compute.store import ServerEvent
from andromede.kernel.clock import FrozenClock
from tests.integration.builders import World, auth, create_server, ok, sim


def test_parallel_reconcilers_do_each_step_once(
    client: TestClient, container: App, world: World, clock: FrozenClock
) -> None:
    ok(
        client.patch(
            f"/v1/projects/{world.a.project_id}",
            headers=auth(world.admin),
            json={"quota_instances": 100, "quota_cores": 100},
        )
    )
    token = world.a.tokens["customer-member"]
    ids = [
        ok(create_server(client, token, world.a.project_id, name=f"w{i}"), 202)["id"]
        for i in range(30)
    ]
    workers = [build(container.settings, clock=clock) for _ in range(3)]
    threads = [threading.Thread(target=w.reconciler.run_once) for w in workers]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    while container.reconciler.run_once():
        pass
    with container.uow(readonly=True) as session:
        rows = session.execute(
            select(ServerEvent.server_id, func.count())
            .where(ServerEvent.to_status == "ACTIVE")
            .group_by(ServerEvent.server_id)
        ).all()
    assert sorted(r[0] for r in rows) == sorted(ids)
    assert all(r[1] == 1 for r in rows)
    assert [sim(container).create_count(i) for i in ids] == [1] * 30
    for w in workers:
        w.engine.dispose()
