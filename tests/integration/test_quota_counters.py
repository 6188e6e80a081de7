"""Projects' usage counters stay equal to what their servers hold, through creates, refusals,
resizes and deletions, and a project from before the counters gets its row on first use."""

import random

from fastapi.testclient import TestClient
from sqlalchemy import delete, select

from andromede.bootstrap import App
from andromede.compute import store, usage_store
from tests.integration.builders import World, auth, create_server, ok
from tests.integration.test_servers import act, settle

FLAVORS = ["SCS-1V-2", "SCS-2V-4", "SCS-4V-16"]


def counters(container: App, project_id: str) -> tuple[int, int, int, int] | None:
    with container.uow(readonly=True) as session:
        row = session.get(usage_store.ProjectUsage, project_id)
        return None if row is None else (row.instances, row.cores, row.ram_mib, row.storage_gib)


def counted(container: App, project_id: str) -> tuple[int, int, int, int]:
    with container.uow(readonly=True) as session:
        return store.counted_usage(session, project_id)


def test_counters_follow_every_change_of_a_projects_servers(
    client: TestClient, container: App, world: World
) -> None:
    project, token = world.a.project_id, world.a.tokens["customer-member"]
    ok(
        client.patch(
            f"/v1/projects/{project}",
            headers=auth(world.admin),
            json={"quota_instances": 6, "quota_cores": 14},
        )
    )
    rnd = random.Random(15)
    live: list[str] = []
    refused = 0
    for step in range(24):
        choice = rnd.random()
        if choice < 0.5 or not live:
            response = create_server(client, token, project, f"s{step}", flavor=rnd.choice(FLAVORS))
            if response.status_code == 202:
                live.append(response.json()["id"])
            else:
                assert response.json()["code"] == "quota-exceeded", response.text
                refused += 1
        elif choice < 0.75:
            server = live.pop(rnd.randrange(len(live)))
            assert act(client, token, server, "delete").status_code == 202  # type: ignore[attr-defined]
        else:
            server = rnd.choice(live)
            settle(container)
            act(client, token, server, "stop")
            settle(container)
            act(client, token, server, "resize", flavor=rnd.choice(FLAVORS))
            act(client, token, server, "start")
        settle(container)
        assert counters(container, project) == counted(container, project), step
    assert refused and live  # the walk met the quota and kept servers


def test_a_project_without_a_row_gets_one_counted_from_its_servers(
    client: TestClient, container: App, world: World
) -> None:
    project, token = world.a.project_id, world.a.tokens["customer-member"]
    ok(create_server(client, token, project, "before", flavor="SCS-2V-4"), 202)
    with container.uow() as session:  # as a project from before the counters
        session.execute(delete(usage_store.ProjectUsage))
    ok(create_server(client, token, project, "after", flavor="SCS-1V-2"), 202)
    assert counters(container, project) == counted(container, project)
    assert counted(container, project)[:3] == (2, 3, 6144)
    with container.uow(readonly=True) as session:
        assert session.scalars(select(usage_store.ProjectUsage.project_id)).all() == [project]
