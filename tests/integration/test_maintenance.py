"""Maintenance notices (SecNumCloud 12.2): a window on a site reaches every customer with
servers or stored data there and each of their partners, exactly once, and nobody else."""

from datetime import timedelta
from typing import Any

from fastapi.testclient import TestClient

from andromede.bootstrap import App
from andromede.kernel.clock import FrozenClock
from tests.integration.builders import World, auth, create_server, ok
from tests.integration.test_volumes import storage, volume


def announce(client: TestClient, token: str, clock: FrozenClock, **body: Any) -> Any:
    start = clock.now() + timedelta(days=3)
    payload = {
        "region": "fr-par-1",
        "starts_at": start.isoformat(),
        "ends_at": (start + timedelta(hours=2)).isoformat(),
        "nature": "hypervisor firmware update",
        "impact": "degraded",
        "contact": "noc@andromede.example",
        **body,
    }
    return client.post("/v1/maintenances", headers=auth(token), json=payload)


def maintenance_notices(client: TestClient, token: str) -> list[Any]:
    items = ok(client.get("/v1/notifications", headers=auth(token)))["items"]
    return [n for n in items if n["kind"] == "maintenance"]


def test_each_affected_customer_and_partner_hears_once(
    client: TestClient, container: App, world: World, clock: FrozenClock
) -> None:
    member = world.a.tokens["customer-member"]
    for n in range(2):  # two servers, one notice
        ok(create_server(client, member, world.a.project_id, f"web{n}", zone="fr-par-1b"), 202)
    ok(create_server(client, world.a2_token, world.a2_project_id, region="fr-rns-1"), 202)
    storage(client, world)  # pools in the "a" zones (servers made after need one)
    ok(volume(client, world.b.tokens["customer-admin"], world.b.project_id, size_gib=2), 201)

    made = ok(announce(client, world.admin, clock), 201)
    assert (made["notified_customers"], made["notified_partners"]) == (2, 2)
    a = maintenance_notices(client, world.a.tokens["customer-admin"])
    assert len(a) == 1 and "fr-par-1 " in a[0]["message"] and "degraded" in a[0]["message"]
    assert a[0]["customer_id"] == world.a.customer_id
    assert len(maintenance_notices(client, world.b.tokens["customer-admin"])) == 1
    assert maintenance_notices(client, world.a2_token) == []
    to_partner_a = [
        n
        for n in maintenance_notices(client, world.a.tokens["partner-admin"])
        if n["customer_id"] is None
    ]
    assert len(to_partner_a) == 1 and "1 of your customers" in to_partner_a[0]["message"]

    # a zone: only what is in it (the volume lives in fr-par-1a, the servers in 1b)
    zone = ok(announce(client, world.admin, clock, zone="fr-par-1a"), 201)
    assert (zone["zone"], zone["notified_customers"], zone["notified_partners"]) == (
        "fr-par-1a",
        1,
        1,
    )
    assert len(maintenance_notices(client, world.b.tokens["customer-admin"])) == 2
    assert len(maintenance_notices(client, world.a.tokens["customer-admin"])) == 1
    listed = ok(client.get("/v1/maintenances", headers=auth(member)))["items"]
    assert {m["id"] for m in listed} == {made["id"], zone["id"]}
    shown = ok(client.get(f"/v1/maintenances/{made['id']}", headers=auth(member)))
    assert shown == made


def test_bad_windows_and_other_roles_are_refused_and_notify_nobody(
    client: TestClient, container: App, world: World, clock: FrozenClock
) -> None:
    ok(create_server(client, world.a.tokens["customer-member"], world.a.project_id), 202)
    past = clock.now() - timedelta(days=1)
    for token, body, status, field in (
        (world.a.tokens["partner-admin"], {}, 403, None),
        (world.support, {}, 403, None),
        (world.admin, {"region": "nowhere-1"}, 404, None),
        (world.admin, {"zone": "fr-rns-1a"}, 400, "zone"),
        (world.admin, {"impact": "apocalyptic"}, 400, "impact"),
        (world.admin, {"ends_at": past.isoformat()}, 400, "ends_at"),
        (world.admin, {"nature": ""}, 400, "nature"),
        (world.admin, {"starts_at": "2026-12-05T10:00:00"}, 400, "starts_at"),  # no offset
    ):
        refused = announce(client, token, clock, **body)
        assert refused.status_code == status, (body, refused.text)
        if field:
            assert field in {e["field"] for e in refused.json()["errors"]}, body
    assert ok(client.get("/v1/maintenances", headers=auth(world.admin)))["items"] == []
    assert maintenance_notices(client, world.a.tokens["customer-admin"]) == []
    missing = client.get("/v1/maintenances/none", headers=auth(world.admin))
    assert missing.status_code == 404
