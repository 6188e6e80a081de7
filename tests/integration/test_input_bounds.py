"""Inputs that used to crash the server or run up a bill: numbers past 64 bits, decimals
like 1e1000, year 9999, huge root volumes, oversized and over-nested bodies, unknown
routes, methods and filters. Each answers a clear error in its face's shape and writes
nothing."""

from typing import Any

import pytest
from fastapi.testclient import TestClient

from andromede.api.app import create_app
from andromede.bootstrap import App
from tests.integration.builders import SSH_KEY, World, auth, create_server, ok

HUGE = 2**70
PROBLEM = "application/problem+json"


def problem(response: Any, status: int, field: str | None = None) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith(PROBLEM), response.headers
    body = response.json()
    assert body["status"] == status and body["instance"].startswith("req-")
    assert "Traceback" not in response.text
    if field is not None:
        assert field in {e["field"] for e in body.get("errors", [])} or field in body["detail"]
    return dict(body)


def test_integers_past_the_columns_are_field_errors(client: TestClient, world: World) -> None:
    partner = auth(world.a.tokens["partner-admin"])
    path = f"/v1/projects/{world.a.project_id}"
    for field in ("quota_instances", "quota_cores", "quota_ram_mib", "quota_storage_gib"):
        problem(client.patch(path, headers=partner, json={field: HUGE}), 400, field)
    assert ok(client.get(path, headers=partner))["quota_cores"] is None
    admin = auth(world.admin)
    host = {"name": "big", "zone": "fr-par-1a", "vcpus": HUGE, "ram_mib": 1, "disk_gib": 1}
    problem(client.post("/v1/hosts", headers=admin, json=host), 400, "vcpus")
    raw = b'{"name": "big", "zone": "fr-par-1a", "vcpus": 8, "ram_mib": 1, "disk_gib": 1, '
    raw += b'"cpu_ratio": 1e999}'
    json_headers = {**admin, "content-type": "application/json"}
    problem(client.post("/v1/hosts", headers=json_headers, content=raw), 400, "cpu_ratio")
    problem(client.get("/v1/audit", headers=admin, params={"before": HUGE}), 400, "before")
    member = world.a.tokens["customer-member"]
    problem(create_server(client, member, world.a.project_id, root_volume_gib=HUGE), 400)


@pytest.mark.parametrize(
    "amount", ["1e1000", "1e30", "NaN", "Infinity", "-0.01", "0.000000001", "1" * 60]
)
def test_decimals_out_of_range_are_refused_and_never_stored(
    client: TestClient, world: World, amount: str
) -> None:
    admin = auth(world.admin)
    price = {"layer": "list", "sku": "compute:SCS-1V-2:fr-par-1", "value": amount}
    problem(client.post("/v1/prices", headers=admin, json=price), 400, "value")
    listed = ok(client.get("/v1/prices", headers=admin))["items"]
    assert all(p["value"] not in ("Infinity", "NaN") for p in listed)
    partner = auth(world.a.tokens["partner-admin"])
    buy = {"customer_id": world.a.customer_id, "amount": amount, "months": 12}
    problem(client.post("/v1/commitments", headers=partner, json=buy), 400, "amount")
    assert ok(client.get("/v1/commitments", headers=partner))["items"] == []


def test_instants_outside_2000_to_2199_are_refused(client: TestClient, world: World) -> None:
    admin = auth(world.admin)
    price = {
        "layer": "list",
        "sku": "compute:SCS-1V-2:fr-par-1",
        "value": "0.05",
        "effective_from": "9999-12-31T00:00:00Z",
    }
    problem(client.post("/v1/prices", headers=admin, json=price), 400, "effective_from")
    naive = {**price, "effective_from": "2030-01-01T00:00:00"}
    problem(client.post("/v1/prices", headers=admin, json=naive), 400, "effective_from")
    problem(client.get("/v1/usage/summary", headers=admin, params={"month": "2026-13"}), 400)
    problem(client.get("/v1/usage/summary", headers=admin, params={"month": "0000-01"}), 400)


def test_root_volumes_have_a_maximum_and_projects_a_storage_quota(
    client: TestClient, world: World, container: App
) -> None:
    member = world.a.tokens["customer-member"]
    too_big = container.settings.max_volume_gib + 1
    body = problem(create_server(client, member, world.a.project_id, root_volume_gib=too_big), 400)
    assert "root_volume_gib" in body["detail"]
    partner = auth(world.a.tokens["partner-admin"])
    path = f"/v1/projects/{world.a.project_id}"
    ok(client.patch(path, headers=partner, json={"quota_storage_gib": 100}))
    ok(create_server(client, member, world.a.project_id, "a", root_volume_gib=60), 202)
    refused = problem(
        create_server(client, member, world.a.project_id, "b", root_volume_gib=50), 403
    )
    assert refused["quota"] == "storage_gib" and refused["in_use"] == 60
    quota = ok(client.get(f"{path}/quotas", headers=auth(member)))
    assert quota["storage_gib"] == {"limit": 100, "in_use": 60}
    servers = ok(client.get("/v1/servers", headers=auth(member)))["items"]
    assert [s["name"] for s in servers] == ["a"]


def test_unknown_routes_methods_bodies_and_filters_are_problems(
    client: TestClient, world: World
) -> None:
    h = auth(world.admin)
    body = problem(client.get("/v1/no-such-thing", headers=h), 404)
    assert body["code"] == "not-found"
    body = problem(client.delete("/v1/regions", headers=h), 405)
    assert body["code"] == "method-not-allowed"
    raw = client.post(
        "/v1/regions", headers={**h, "content-type": "application/json"}, content=b"{not json"
    )
    problem(raw, 400)
    problem(client.get("/v1/servers", headers=h, params={"custmer_id": "x"}), 400, "custmer_id")


def test_openstack_face_errors_keep_their_own_shapes(client: TestClient) -> None:
    nova = client.get("/compute/v2.1/no-such-thing")
    assert nova.status_code == 404 and "itemNotFound" in nova.json()
    keystone = client.get("/identity/v3/no-such-thing")
    assert keystone.status_code == 404 and keystone.json()["error"]["code"] == 404
    neutron = client.get("/network/v2.0/no-such-thing")
    assert neutron.status_code == 404 and "NeutronError" in neutron.json()


def test_nova_numbers_and_name_filters_are_checked(
    client: TestClient, world: World, container: App
) -> None:
    token = _keystone_token(client, "a-customer-member", world)
    h = {"X-Auth-Token": token}
    for server in (
        {"name": "x", "flavorRef": "SCS-1V-2", "imageRef": "debian-12", "max_count": "many"},
        {"name": "x", "flavorRef": "SCS-1V-2", "imageRef": "debian-12", "min_count": HUGE},
        {
            "name": "x",
            "flavorRef": "SCS-1V-2",
            "block_device_mapping_v2": [
                {
                    "boot_index": 0,
                    "uuid": "debian-12",
                    "source_type": "image",
                    "destination_type": "volume",
                    "volume_size": "lots",
                }
            ],
        },
    ):
        refused = client.post("/compute/v2.1/servers", headers=h, json={"server": server})
        assert refused.status_code == 400 and "badRequest" in refused.json(), refused.text
    listing = client.get("/compute/v2.1/servers", headers=h, params={"name": "("})
    assert listing.status_code == 400 and "badRequest" in listing.json()
    listing = client.get("/compute/v2.1/servers", headers=h, params={"limit": str(HUGE)})
    assert listing.status_code == 400


def _keystone_token(client: TestClient, username: str, world: World) -> str:
    body = {
        "auth": {
            "identity": {
                "methods": ["password"],
                "password": {
                    "user": {
                        "name": username,
                        "domain": {"name": "Default"},
                        "password": "correct-horse-battery",
                    }
                },
            },
            "scope": {"project": {"id": world.a.project_id}},
        }
    }
    response = client.post("/identity/v3/auth/tokens", json=body)
    assert response.status_code == 201, response.text
    return str(response.headers["X-Subject-Token"])


@pytest.fixture
def small_body_client(container: App) -> Any:
    from dataclasses import replace

    container.settings = replace(container.settings, max_body_bytes=2048)  # type: ignore[misc]
    with TestClient(create_app(container)) as test_client:
        yield test_client


def test_bodies_over_the_limit_get_413_before_being_read(small_body_client: TestClient) -> None:
    big = b'{"username": "' + b"x" * 4096 + b'", "password": "y"}'
    response = small_body_client.post(
        "/v1/tokens", content=big, headers={"content-type": "application/json"}
    )
    problem(response, 413)

    def chunks() -> Any:  # no Content-Length: counted while it arrives
        for _ in range(100):
            yield b"x" * 1024

    response = small_body_client.post("/v1/tokens", content=chunks())
    problem(response, 413)
    nova = small_body_client.post("/compute/v2.1/servers", content=big)
    assert nova.status_code == 413 and "overLimit" in nova.json()


def test_json_nested_too_deep_is_a_400(client: TestClient) -> None:
    deep = b"[" * 5000 + b"]" * 5000
    response = client.post("/v1/tokens", content=deep, headers={"content-type": "application/json"})
    problem(response, 400)
    strings = b'{"username": "' + b"[" * 150 + b'", "password": "x"}'
    response = client.post(
        "/v1/tokens", content=strings, headers={"content-type": "application/json"}
    )
    assert response.status_code == 401  # brackets inside a string are not nesting


def test_nul_characters_are_refused_on_every_face(client: TestClient, world: World) -> None:
    """PostgreSQL stores and compares no text holding U+0000: a NUL in a page marker, a
    filter, a path or a body failed the request with a 500 there. Both databases answer
    400 now, in each face's shape, and nothing is written."""
    partner, member = auth(world.a.tokens["partner-admin"]), auth(world.a.tokens["customer-member"])
    assert ok(client.get("/v1/customers", headers=partner, params={"marker": "zz"}))["items"] == []
    for params in ({"marker": "\n\x00v"}, {"partner_id": "on\x00"}):
        problem(client.get("/v1/customers", headers=partner, params=params), 400, "NUL")
    problem(client.get("/v1/servers/abc%00def", headers=member), 400, "NUL")
    before = ok(client.get("/v1/keypairs", headers=member))["items"]
    for name in ("k\x00", "\x00"):
        body = {"project_id": world.a.project_id, "name": name, "public_key": SSH_KEY}
        problem(client.post("/v1/keypairs", headers=member, json=body), 400, "NUL")
    form = client.post(
        "/v1/tokens",
        content=b"username=a%00&password=x",
        headers={"content-type": "application/x-www-form-urlencoded"},
    )
    problem(form, 400, "NUL")
    assert ok(client.get("/v1/keypairs", headers=member))["items"] == before
    for text in (
        b'{"username": "a\\\\u0000", "password": "x"}',  # a backslash, then text
        b'{"username": "a%00", "password": "x"}',  # in JSON, only text
    ):
        response = client.post(
            "/v1/tokens", content=text, headers={"content-type": "application/json"}
        )
        assert response.status_code == 401, response.text
    nova = {"X-Auth-Token": _keystone_token(client, "a-customer-member", world)}
    response = client.get("/compute/v2.1/servers", headers=nova, params={"name": "x\x00"})
    assert response.status_code == 400 and "badRequest" in response.json(), response.text
