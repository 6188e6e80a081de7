"""Parallel creates against almost-full hosts never over-commit, and parallel members of an
anti-affinity group never share a host. Each thread has its own HTTP client and database
connection; on PostgreSQL they really run at once."""

from concurrent.futures import ThreadPoolExecutor

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from andromede.api.app import create_app
from andromede.bootstrap import App
from andromede.compute.host_store import Host
from andromede.compute.store import Server
from tests.integration.builders import World, auth, ok

PARALLEL = 24


def fire(container: App, token: str | list[str], bodies: list[dict]) -> list[int]:  # type: ignore[type-arg]
    """``token``: one for every request, or one per request."""
    api = create_app(container)
    tokens = dict(
        zip(
            map(id, bodies),
            token if isinstance(token, list) else [token] * len(bodies),
            strict=True,
        )
    )

    def one(body: dict) -> int:  # type: ignore[type-arg]
        with TestClient(api) as client:
            return client.post("/v1/servers", headers=auth(tokens[id(body)]), json=body).status_code

    with ThreadPoolExecutor(max_workers=12) as pool:
        return list(pool.map(one, bodies))


def open_quota(client: TestClient, world: World) -> list[str]:
    projects = [world.a.project_id, world.a2_project_id, world.b.project_id]
    for project_id in projects:
        ok(
            client.patch(
                f"/v1/projects/{project_id}",
                headers=auth(world.admin),
                json={"quota_instances": 1000, "quota_cores": 1000, "quota_ram_mib": 10**7},
            )
        )
    return projects


def test_parallel_creates_never_overcommit(
    client: TestClient, container: App, world: World
) -> None:
    projects = open_quota(client, world)
    body = {
        "project_id": world.a.project_id,
        "flavor": "SCS-4V-16",
        "image": "debian-12",
        "region": "fr-rns-1",
        "zone": "fr-rns-1a",
    }
    ok(
        client.post(
            "/v1/servers",
            headers=auth(world.a.tokens["customer-member"]),
            json={**body, "name": "filler", "flavor": "SCS-2V-4"},
        ),
        202,
    )
    # zone fr-rns-1a: 2 hosts x 16 vCPU; one has 2 vCPU taken -> room for 7 servers of 4.
    # Three projects, so the per-project quota lock does not serialise the claims.
    members = [
        world.a.tokens["customer-member"],
        world.a2_token,
        world.b.tokens["customer-member"],
    ]
    statuses = fire(
        container,
        [members[i % 3] for i in range(PARALLEL)],
        [{**body, "name": f"vm{i}", "project_id": projects[i % 3]} for i in range(PARALLEL)],
    )
    assert statuses.count(202) == 7
    assert statuses.count(409) == PARALLEL - 7
    with container.uow(readonly=True) as session:
        hosts = list(session.scalars(select(Host).where(Host.zone_code == "fr-rns-1a")))
        servers = list(session.scalars(select(Server).where(Server.zone_code == "fr-rns-1a")))
    for host in hosts:
        placed = [s for s in servers if s.host_id == host.id]
        assert host.used_vcpus == sum(s.vcpus for s in placed) <= host.vcpus * host.cpu_ratio
        assert host.used_ram_mib == sum(s.ram_mib for s in placed) <= host.ram_mib


@pytest.mark.parametrize("max_per_host", [None, 2])
def test_parallel_anti_affine_members_stay_within_the_rule(
    client: TestClient, container: App, world: World, max_per_host: int | None
) -> None:
    """Four hosts: members created at once take one host each, or as many per host as
    the group's rule allows, and no more."""
    open_quota(client, world)
    token = world.a.tokens["customer-member"]
    rule = {"project_id": world.a.project_id, "name": "ha", "policy": "anti-affinity"}
    group = ok(
        client.post(
            "/v1/server-groups", headers=auth(token), json=rule | {"max_per_host": max_per_host}
        ),
        201,
    )
    assert group["max_per_host"] == max_per_host
    body = {
        "project_id": world.a.project_id,
        "flavor": "SCS-1V-2",
        "image": "debian-12",
        "region": "fr-par-1",
        "server_group": group["id"],
    }
    statuses = fire(container, token, [{**body, "name": f"n{i}"} for i in range(12)])
    per_host = max_per_host or 1
    assert statuses.count(202) == 4 * per_host and statuses.count(409) == 12 - 4 * per_host
    with container.uow(readonly=True) as session:
        hosts = list(
            session.scalars(select(Server.host_id).where(Server.server_group_id == group["id"]))
        )
    assert len(set(hosts)) == 4
    assert all(hosts.count(h) == per_host for h in hosts)


def test_parallel_creates_respect_the_quota(
    client: TestClient, container: App, world: World
) -> None:
    ok(
        client.patch(
            f"/v1/projects/{world.a.project_id}",
            headers=auth(world.a.tokens["partner-admin"]),
            json={"quota_instances": 5},
        )
    )
    body = {
        "project_id": world.a.project_id,
        "flavor": "SCS-1V-2",
        "image": "debian-12",
        "region": "fr-par-1",
    }
    statuses = fire(
        container, world.a.tokens["customer-member"], [{**body, "name": f"q{i}"} for i in range(15)]
    )
    assert statuses.count(202) == 5 and statuses.count(403) == 10
