from fastapi.testclient import TestClient
from sqlalchemy import func, select

from andromede.bootstrap import App
from andromede.compute.host_store import Host
from andromede.compute.store import Server, ServerEvent
from tests.integration.builders import SSH_KEY, World, auth, create_server, ok, sim


def servers_in_db(container: App) -> int:
    with container.uow(readonly=True) as session:
        return session.scalar(select(func.count()).select_from(Server)) or 0


def host_usage(container: App) -> dict[str, tuple[int, int, int]]:
    with container.uow(readonly=True) as session:
        return {
            h.name: (h.used_vcpus, h.used_ram_mib, h.instances)
            for h in session.scalars(select(Host))
        }


def settle(container: App) -> None:
    while container.reconciler.run_once():
        pass


def get(client: TestClient, token: str, server_id: str) -> dict:  # type: ignore[type-arg]
    return ok(client.get(f"/v1/servers/{server_id}", headers=auth(token)))  # type: ignore[no-any-return]


def act(client: TestClient, token: str, server_id: str, action: str, **extra: str) -> object:
    return client.post(
        f"/v1/servers/{server_id}/actions", headers=auth(token), json={"action": action, **extra}
    )


def test_full_lifecycle_with_events(client: TestClient, container: App, world: World) -> None:
    token = world.a.tokens["customer-member"]
    server = ok(create_server(client, token, world.a.project_id, name="web"), 202)
    assert (server["status"], server["desired_status"]) == ("BUILD", "ACTIVE")
    settle(container)
    assert get(client, token, server["id"])["status"] == "ACTIVE"
    assert ok(act(client, token, server["id"], "stop"), 202)["desired_status"] == "SHUTOFF"
    settle(container)
    assert get(client, token, server["id"])["status"] == "SHUTOFF"
    ok(act(client, token, server["id"], "start"), 202)
    settle(container)
    assert ok(act(client, token, server["id"], "reboot", type="HARD"), 202)["status"] == "REBOOT"
    settle(container)
    assert get(client, token, server["id"])["status"] == "ACTIVE"
    assert client.delete(f"/v1/servers/{server['id']}", headers=auth(token)).status_code == 202
    settle(container)
    assert client.get(f"/v1/servers/{server['id']}", headers=auth(token)).status_code == 404
    with container.uow(readonly=True) as session:
        events = session.scalars(
            select(ServerEvent)
            .where(ServerEvent.server_id == server["id"])
            .order_by(ServerEvent.seq)
        )
        path = [(e.from_status, e.to_status) for e in events]
    assert path == [
        (None, "BUILD"),
        ("BUILD", "ACTIVE"),
        ("ACTIVE", "SHUTOFF"),
        ("SHUTOFF", "ACTIVE"),
        ("ACTIVE", "REBOOT"),
        ("REBOOT", "ACTIVE"),
        ("ACTIVE", "DELETED"),
    ]
    assert all(u == (0, 0, 0) for u in host_usage(container).values())


def test_wrong_state_is_409_and_unknown_action_400(
    client: TestClient, container: App, world: World
) -> None:
    token = world.a.tokens["customer-member"]
    server = ok(create_server(client, token, world.a.project_id), 202)
    response = act(client, token, server["id"], "stop")
    assert response.status_code == 409  # type: ignore[attr-defined]
    assert response.json()["code"] == "invalid-state"  # type: ignore[attr-defined]
    settle(container)
    assert act(client, token, server["id"], "start").status_code == 409  # type: ignore[attr-defined]
    assert act(client, token, server["id"], "explode").status_code == 400  # type: ignore[attr-defined]
    assert act(client, token, server["id"], "reboot", type="GENTLE").status_code == 400  # type: ignore[attr-defined]


def test_viewer_reads_but_cannot_act(client: TestClient, container: App, world: World) -> None:
    server = ok(create_server(client, world.a.tokens["customer-admin"], world.a.project_id), 202)
    viewer = world.a.tokens["customer-viewer"]
    assert get(client, viewer, server["id"])["id"] == server["id"]
    assert create_server(client, viewer, world.a.project_id).status_code == 403
    assert act(client, viewer, server["id"], "reboot").status_code == 403  # type: ignore[attr-defined]
    assert client.delete(f"/v1/servers/{server['id']}", headers=auth(viewer)).status_code == 403


def test_unknown_flavor_image_region_zone_are_400_and_write_nothing(
    client: TestClient, container: App, world: World
) -> None:
    token = world.a.tokens["customer-member"]
    cases = [
        ({"flavor": "SCS-99V-1"}, "flavor"),
        ({"image": "windows-95"}, "image"),
        ({"zone": "fr-rns-1a"}, "zone"),
        ({"key_name": "nokey"}, "key_name"),
    ]
    for extra, field in cases:
        response = create_server(client, token, world.a.project_id, **extra)
        assert response.status_code == 400, response.text
        assert response.json()["errors"][0]["field"] == field
    response = create_server(client, token, world.a.project_id, region="de-fra-1")
    assert response.status_code == 404
    misspelt = create_server(client, token, world.a.project_id, flavour="SCS-2V-4")
    assert misspelt.status_code == 400 and misspelt.json()["errors"][0]["field"] == "flavour"
    response = client.post("/v1/servers", headers=auth(token), json={"name": "x"})
    assert response.status_code == 400
    assert {e["field"] for e in response.json()["errors"]} >= {"project_id", "flavor"}
    assert servers_in_db(container) == 0
    assert all(u == (0, 0, 0) for u in host_usage(container).values())


def test_flavor_without_disk_boots_from_a_volume(client: TestClient, world: World) -> None:
    token = world.a.tokens["customer-member"]
    server = ok(create_server(client, token, world.a.project_id), 202)
    assert (server["disk_gib"], server["root_volume_gib"]) == (0, 4)  # image min_disk
    sized = ok(create_server(client, token, world.a.project_id, root_volume_gib=50), 202)
    assert sized["root_volume_gib"] == 50
    small = create_server(client, token, world.a.project_id, root_volume_gib=2)
    assert small.status_code == 400
    local = ok(create_server(client, token, world.a.project_id, flavor="SCS-2V-4-20s"), 202)
    assert (local["disk_gib"], local["root_volume_gib"]) == (20, None)


def test_quota_breach_names_the_quota_and_writes_nothing(
    client: TestClient, container: App, world: World
) -> None:
    ok(
        client.patch(
            f"/v1/projects/{world.a.project_id}",
            headers=auth(world.a.tokens["partner-admin"]),
            json={"quota_instances": 2, "quota_cores": 5},
        ),
        200,
    )
    token = world.a.tokens["customer-member"]
    ok(create_server(client, token, world.a.project_id, flavor="SCS-2V-4"), 202)
    ok(create_server(client, token, world.a.project_id, flavor="SCS-2V-4"), 202)
    response = create_server(client, token, world.a.project_id)
    assert response.status_code == 403
    assert response.json()["quota"] == "instances"
    ok(
        client.patch(
            f"/v1/projects/{world.a.project_id}",
            headers=auth(world.a.tokens["partner-admin"]),
            json={"quota_instances": 10},
        ),
        200,
    )
    response = create_server(client, token, world.a.project_id, flavor="SCS-2V-4")
    assert response.status_code == 403
    assert (response.json()["quota"], response.json()["limit"], response.json()["in_use"]) == (
        "cores",
        5,
        4,
    )
    assert servers_in_db(container) == 2
    quotas = ok(client.get(f"/v1/projects/{world.a.project_id}/quotas", headers=auth(token)))
    assert quotas["cores"] == {"limit": 5, "in_use": 4}


def test_no_valid_host_explains_and_writes_nothing(
    client: TestClient, container: App, world: World
) -> None:
    token = world.a.tokens["customer-member"]
    response = create_server(
        client, token, world.a.project_id, flavor="SCS-4V-16", required_traits=["gpu"]
    )
    assert response.status_code == 409
    problem = response.json()
    assert problem["code"] == "no-valid-host"
    assert problem["reasons"] == {"traits": "4 of 4 hosts missing required traits"}
    assert servers_in_db(container) == 0


def test_capacity_is_claimed_and_released(client: TestClient, container: App, world: World) -> None:
    ok(
        client.patch(
            f"/v1/projects/{world.a.project_id}",
            headers=auth(world.a.tokens["partner-admin"]),
            json={"quota_instances": 100, "quota_cores": 100, "quota_ram_mib": 10**6},
        )
    )
    token = world.a.tokens["customer-member"]
    ids = [
        ok(create_server(client, token, world.a.project_id, flavor="SCS-4V-16"), 202)["id"]
        for _ in range(16)
    ]  # 4 hosts x 16 vCPU at ratio 1.0 = exactly 16 servers of 4
    full = create_server(client, token, world.a.project_id, flavor="SCS-1V-2")
    assert full.status_code == 409 and "vcpu" in full.json()["reasons"]
    usage = host_usage(container)
    assert (
        sorted(v for name, v in usage.items() if name.startswith("fr-par")) == [(16, 65536, 4)] * 4
    )
    client.delete(f"/v1/servers/{ids[0]}", headers=auth(token))
    settle(container)
    ok(create_server(client, token, world.a.project_id, flavor="SCS-1V-2"), 202)


def test_anti_affinity_spreads_and_affinity_packs(
    client: TestClient, container: App, world: World
) -> None:
    token = world.a.tokens["customer-member"]
    groups = {}
    for policy in ("anti-affinity", "affinity"):
        groups[policy] = ok(
            client.post(
                "/v1/server-groups",
                headers=auth(token),
                json={"project_id": world.a.project_id, "name": policy, "policy": policy},
            ),
            201,
        )["id"]
    anti = [
        ok(
            create_server(client, token, world.a.project_id, server_group=groups["anti-affinity"]),
            202,
        )["host_id"]
        for _ in range(4)
    ]
    assert len(set(anti)) == 4
    refused = create_server(client, token, world.a.project_id, server_group="anti-affinity")
    assert refused.status_code == 409 and "server-group" in refused.json()["reasons"]
    aff = [
        ok(create_server(client, token, world.a.project_id, server_group=groups["affinity"]), 202)[
            "host_id"
        ]
        for _ in range(3)
    ]
    assert len(set(aff)) == 1
    group = ok(client.get(f"/v1/server-groups/{groups['affinity']}", headers=auth(token)))
    assert len(group["members"]) == 3
    bad = client.post(
        "/v1/server-groups",
        headers=auth(token),
        json={"project_id": world.a.project_id, "name": "x", "policy": "near"},
    )
    assert bad.status_code == 400
    for policy, most in (("affinity", 2), ("soft-anti-affinity", 2), ("anti-affinity", 0)):
        body = {"project_id": world.a.project_id, "name": "z", "policy": policy}
        refused = client.post(
            "/v1/server-groups", headers=auth(token), json=body | {"max_per_host": most}
        )
        assert refused.status_code == 400, (policy, most)
        assert refused.json()["errors"][0]["field"] == "max_per_host"
    soft = {"project_id": world.a.project_id, "name": "y", "policy": "soft-affinity"}
    assert ok(client.post("/v1/server-groups", headers=auth(token), json=soft), 201)["policy"] == (
        "soft-affinity"
    )


def test_build_failure_goes_to_error_with_a_fault(
    client: TestClient, container: App, world: World
) -> None:
    sim(container).failure_rate = 1.0
    token = world.a.tokens["customer-member"]
    server = ok(create_server(client, token, world.a.project_id), 202)
    settle(container)
    shown = get(client, token, server["id"])
    assert shown["status"] == "ERROR" and "simulated hypervisor failure" in shown["fault"]
    assert client.delete(f"/v1/servers/{server['id']}", headers=auth(token)).status_code == 202
    settle(container)
    assert all(u == (0, 0, 0) for u in host_usage(container).values())


def test_keypairs_validate_openssh_keys(client: TestClient, world: World) -> None:
    token = world.a.tokens["customer-member"]
    body = {"project_id": world.a.project_id, "name": "k1", "public_key": SSH_KEY}
    created = ok(client.post("/v1/keypairs", headers=auth(token), json=body), 201)
    assert created["type"] == "ssh-ed25519" and created["fingerprint"].count(":") == 15
    assert client.post("/v1/keypairs", headers=auth(token), json=body).status_code == 409
    body.update(name="k2", public_key="ssh-rsa AAAAnotakey")
    response = client.post("/v1/keypairs", headers=auth(token), json=body)
    assert response.status_code == 400 and response.json()["errors"][0]["field"] == "public_key"
    ok(create_server(client, token, world.a.project_id, key_name="k1"), 202)


def test_rename_and_list_filters(client: TestClient, container: App, world: World) -> None:
    token = world.a.tokens["customer-member"]
    server = ok(create_server(client, token, world.a.project_id, name="old"), 202)
    renamed = ok(
        client.patch(f"/v1/servers/{server['id']}", headers=auth(token), json={"name": "new"})
    )
    assert renamed["name"] == "new"
    listing = ok(client.get("/v1/servers", headers=auth(token), params={"name": "new"}))
    assert [s["id"] for s in listing["items"]] == [server["id"]]
    listing = ok(
        client.get(
            "/v1/servers",
            headers=auth(world.a.tokens["partner-admin"]),
            params={"project_id": world.a2_project_id},
        )
    )
    assert listing["items"] == []


def test_cold_resize_changes_flavor_claim_and_metering(
    client: TestClient, container: App, world: World
) -> None:
    token = world.a.tokens["customer-member"]
    server = ok(create_server(client, token, world.a.project_id, flavor="SCS-1V-2"), 202)["id"]
    building = act(client, token, server, "resize", flavor="SCS-4V-16")
    assert building.status_code == 409 and "build" in building.json()["detail"]  # type: ignore[attr-defined]
    settle(container)
    act(client, token, server, "stop")
    settle(container)
    before = host_usage(container)
    for flavor, field in (
        ("SCS-99V-1", "flavor"),
        ("SCS-2V-4-20s", "flavor"),
        ("SCS-1V-2", "flavor"),
    ):
        refused = act(client, token, server, "resize", flavor=flavor)
        assert refused.status_code == 400, flavor  # type: ignore[attr-defined]
        assert refused.json()["errors"][0]["field"] == field  # type: ignore[attr-defined]
    viewer = act(client, world.a.tokens["customer-viewer"], server, "resize", flavor="SCS-4V-16")
    assert viewer.status_code == 403  # type: ignore[attr-defined]
    assert host_usage(container) == before
    assert sim(container).flavor(server) == "SCS-1V-2"  # built with it
    resized = act(client, token, server, "resize", flavor="SCS-4V-16")
    assert resized.status_code == 202, resized.text  # type: ignore[attr-defined]
    settle(container)
    assert sim(container).flavor(server) == "SCS-4V-16"  # the hypervisor was told
    shown = get(client, token, server)
    flavor_id = ok(client.get("/v1/flavors/SCS-4V-16", headers=auth(token)))["id"]
    assert (shown["flavor_id"], shown["vcpus"], shown["ram_mib"]) == (flavor_id, 4, 16384)
    after = host_usage(container)
    changed = [name for name in after if after[name] != before[name]]
    assert len(changed) == 1
    (host,) = changed
    assert after[host][0] - before[host][0] == 3  # 1 vCPU -> 4
    assert after[host][1] - before[host][1] == 16384 - 2048
    assert after[host][2] == before[host][2]  # still one instance
    with container.uow(readonly=True) as session:
        flavors = list(
            session.scalars(
                select(ServerEvent.flavor_id)
                .where(ServerEvent.server_id == server)
                .order_by(ServerEvent.seq)
            )
        )
    assert len(set(flavors)) == 2  # the event after the resize carries the new flavor
    act(client, token, server, "start")
    settle(container)
    assert get(client, token, server)["status"] == "ACTIVE"


def test_a_listed_server_reads_as_the_server_itself(
    client: TestClient, container: App, world: World
) -> None:
    """Lists read plain rows, a single server its mapped object: the same view (a single
    server also shows its tags, security groups and addresses)."""
    token = world.a.tokens["customer-member"]
    for name in ("list-a", "list-b"):
        ok(create_server(client, token, world.a.project_id, name=name), 202)
    settle(container)
    listed = ok(client.get("/v1/servers?limit=10", headers=auth(token)))["items"]
    assert len(listed) == 2
    for item in listed:
        single = get(client, token, item["id"])
        ((network, (fixed,)),) = single["addresses"].items()  # the project's own network
        assert network != "provider-fr-par-1" and network.endswith("-fr-par-1")
        assert fixed["kind"] == "fixed" and fixed["address"].startswith("172.")
        extra = {"tags": [], "security_groups": ["default"], "addresses": single["addresses"]}
        assert item | extra == single
