from fastapi.testclient import TestClient

from andromede.bootstrap import App
from tests.integration.builders import World, auth, create_server, ok


def test_everyone_reads_the_catalog_only_operators_write_it(
    client: TestClient, world: World
) -> None:
    for token in (world.a.tokens["customer-viewer"], world.b.tokens["partner-user"]):
        regions = ok(client.get("/v1/regions", headers=auth(token)))["items"]
        assert {r["code"] for r in regions} == {"fr-par-1", "fr-rns-1"}
        flavors = ok(client.get("/v1/flavors", headers=auth(token)))["items"]
        assert "SCS-2V-4-20s" in {f["name"] for f in flavors}
        assert ok(client.get("/v1/images", headers=auth(token)))["items"]
        assert ok(client.get("/v1/flavors/SCS-1V-2", headers=auth(token)))["vcpus"] == 1
    body = {"name": "SCS-1V-1", "vcpus": 1, "ram_mib": 1024}
    response = client.post("/v1/flavors", headers=auth(world.a.tokens["partner-admin"]), json=body)
    assert response.status_code == 403
    assert client.get("/v1/regions").status_code == 401


def test_scs_names_must_keep_their_promise(client: TestClient, world: World) -> None:
    h = auth(world.admin)
    short = client.post(
        "/v1/flavors", headers=h, json={"name": "SCS-8V-32", "vcpus": 8, "ram_mib": 16384}
    )
    assert short.status_code == 400 and short.json()["errors"][0]["field"] == "ram_mib"
    garbled = client.post(
        "/v1/flavors", headers=h, json={"name": "SCS-eight", "vcpus": 8, "ram_mib": 16384}
    )
    assert garbled.status_code == 400 and garbled.json()["errors"][0]["field"] == "name"
    made = ok(
        client.post(
            "/v1/flavors", headers=h, json={"name": "SCS-8V-32", "vcpus": 8, "ram_mib": 32768}
        ),
        201,
    )
    assert (made["family"], made["size_units"]) == ("shared-core-1:4", 8)
    dup = client.post(
        "/v1/flavors", headers=h, json={"name": "SCS-8V-32", "vcpus": 8, "ram_mib": 32768}
    )
    assert dup.status_code == 409


def test_region_territory_and_host_validation(client: TestClient, world: World) -> None:
    h = auth(world.admin)
    bad = client.post(
        "/v1/regions",
        headers=h,
        json={"code": "fr-bdx-1", "name": "Bordeaux", "country": "FR", "territory": "DE-BY"},
    )
    assert bad.status_code == 400 and bad.json()["errors"][0]["field"] == "territory"
    bad_host = client.post(
        "/v1/hosts",
        headers=h,
        json={"name": "x", "zone": "fr-par-1a", "vcpus": 0, "ram_mib": 1, "disk_gib": 1},
    )
    assert bad_host.status_code == 400
    no_zone = client.post(
        "/v1/hosts",
        headers=h,
        json={"name": "x", "zone": "nowhere", "vcpus": 1, "ram_mib": 1, "disk_gib": 1},
    )
    assert no_zone.status_code == 404


def test_hosts_in_maintenance_get_no_new_servers(
    client: TestClient, container: App, world: World
) -> None:
    h = auth(world.admin)
    hosts = ok(client.get("/v1/hosts", headers=h, params={"region": "fr-par-1"}))["items"]
    for host in hosts[1:]:
        ok(client.patch(f"/v1/hosts/{host['id']}", headers=h, json={"maintenance": True}))
    token = world.a.tokens["customer-member"]
    placed = {
        ok(create_server(client, token, world.a.project_id, name=f"m{i}"), 202)["host_id"]
        for i in range(3)
    }
    assert placed == {hosts[0]["id"]}
    ok(client.patch(f"/v1/hosts/{hosts[0]['id']}", headers=h, json={"enabled": False}))
    refused = create_server(client, token, world.a.project_id)
    assert refused.status_code == 409
    assert refused.json()["reasons"] == {"enabled": "4 of 4 hosts disabled or in maintenance"}


def test_openapi_docs_and_health(client: TestClient) -> None:
    spec = ok(client.get("/v1/openapi.json"))
    assert "/v1/servers/{server_id}/actions" in spec["paths"]
    assert client.get("/docs").status_code == 200
    health = client.get("/v1/health")
    assert health.json()["status"] == "ok"
    assert health.headers["x-openstack-request-id"].startswith("req-")
