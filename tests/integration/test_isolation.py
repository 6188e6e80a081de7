"""For every resource type, another tenant's token gets 404 on read, update, delete and
action, and the object is left exactly as it was."""

from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient

from andromede.bootstrap import App
from tests.integration.builders import (
    PASSWORD,
    SSH_KEY,
    World,
    add_customer,
    add_project,
    auth,
    create_server,
    ok,
)

Maker = Callable[[TestClient, World], str]


def make_customer(client: TestClient, w: World) -> str:
    return add_customer(client, w.a.tokens["partner-admin"], w.a.partner_id, "Victim", "71234567")


def make_project(client: TestClient, w: World) -> str:
    return add_project(client, w.a.tokens["customer-admin"], w.a.customer_id, "victim")


def make_user(client: TestClient, w: World) -> str:
    body = {
        "username": "victim",
        "password": PASSWORD,
        "role": "customer-member",
        "org_id": w.a.customer_id,
    }
    return str(
        ok(client.post("/v1/users", headers=auth(w.a.tokens["customer-admin"]), json=body), 201)[
            "id"
        ]
    )


def make_keypair(client: TestClient, w: World) -> str:
    body = {"project_id": w.a.project_id, "name": "victim", "public_key": SSH_KEY}
    return str(
        ok(
            client.post("/v1/keypairs", headers=auth(w.a.tokens["customer-member"]), json=body), 201
        )["id"]
    )


def make_group(client: TestClient, w: World) -> str:
    body = {"project_id": w.a.project_id, "name": "victim", "policy": "anti-affinity"}
    return str(
        ok(
            client.post(
                "/v1/server-groups", headers=auth(w.a.tokens["customer-member"]), json=body
            ),
            201,
        )["id"]
    )


def make_server(client: TestClient, w: World) -> str:
    return str(ok(create_server(client, w.a.tokens["customer-member"], w.a.project_id), 202)["id"])


RESOURCES: dict[str, tuple[str, Maker, dict[str, Any] | None, dict[str, Any] | None]] = {
    # name: (collection, maker, PATCH body or None, action body or None)
    "customer": ("customers", make_customer, {"name": "pwned"}, None),
    "project": ("projects", make_project, {"name": "pwned"}, None),
    "user": ("users", make_user, {"password": "pwned-pwned"}, None),
    "keypair": ("keypairs", make_keypair, None, None),
    "server-group": ("server-groups", make_group, None, None),
    "server": ("servers", make_server, {"name": "pwned"}, {"action": "stop"}),
}
OUTSIDERS = [
    ("b", "partner-admin"),
    ("b", "partner-user"),
    ("b", "customer-admin"),
    ("b", "customer-member"),
    ("a2", "customer-admin"),
    ("operator", "operator-admin"),  # staff: no grant from the customer, no access
    ("operator", "operator-support"),
]
STAFF_BLIND = {"keypair", "server-group", "server"}


def outsider_token(world: World, who: tuple[str, str]) -> str:
    if who[0] == "a2":
        return world.a2_token
    if who[0] == "operator":
        return world.admin if who[1] == "operator-admin" else world.support
    return world.b.tokens[who[1]]


@pytest.mark.parametrize("resource", list(RESOURCES))
def test_other_tenants_get_404_everywhere_and_change_nothing(
    client: TestClient, container: App, world: World, resource: str
) -> None:
    collection, maker, patch, action = RESOURCES[resource]
    obj_id = maker(client, world)
    container.reconciler.run_once()
    owner = auth(world.a.tokens["partner-admin"])
    before = ok(client.get(f"/v1/{collection}/{obj_id}", headers=owner))
    outsiders = [w for w in OUTSIDERS if w[0] != "operator" or resource in STAFF_BLIND]
    for who in outsiders:
        h = auth(outsider_token(world, who))
        assert client.get(f"/v1/{collection}/{obj_id}", headers=h).status_code == 404, who
        listing = ok(client.get(f"/v1/{collection}", headers=h))
        assert obj_id not in {i["id"] for i in listing["items"]}, who
        if patch is not None:
            response = client.patch(f"/v1/{collection}/{obj_id}", headers=h, json=patch)
            assert response.status_code == 404, (who, response.text)
        if action is not None:
            response = client.post(f"/v1/{collection}/{obj_id}/actions", headers=h, json=action)
            assert response.status_code == 404, (who, response.text)
        response = client.delete(f"/v1/{collection}/{obj_id}", headers=h)
        assert response.status_code == 404, (who, response.text)
        assert response.headers["content-type"] == "application/problem+json"
    assert ok(client.get(f"/v1/{collection}/{obj_id}", headers=owner)) == before


def test_servers_cannot_be_created_in_another_tenants_project(
    client: TestClient, world: World
) -> None:
    response = create_server(client, world.b.tokens["customer-admin"], world.a.project_id)
    assert response.status_code == 404
    response = create_server(client, world.a2_token, world.a.project_id)
    assert response.status_code == 404


def test_keypair_and_group_of_another_project_cannot_be_used(
    client: TestClient, world: World
) -> None:
    make_keypair(client, world)
    group_id = make_group(client, world)
    b = world.b.tokens["customer-admin"]
    response = create_server(client, b, world.b.project_id, key_name="victim")
    assert response.status_code == 400 and response.json()["errors"][0]["field"] == "key_name"
    response = create_server(client, b, world.b.project_id, server_group=group_id)
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "server_group"


def test_hosts_are_hidden_from_tenants(client: TestClient, world: World) -> None:
    listing = ok(client.get("/v1/hosts", headers=auth(world.a.tokens["partner-admin"])))
    assert listing["items"] == []
    host_id = ok(client.get("/v1/hosts", headers=auth(world.admin)))["items"][0]["id"]
    assert (
        client.get(
            f"/v1/hosts/{host_id}", headers=auth(world.a.tokens["partner-admin"])
        ).status_code
        == 404
    )


def test_partners_see_no_other_partner(client: TestClient, world: World) -> None:
    for token in (world.b.tokens["partner-admin"], world.b.tokens["customer-admin"]):
        response = client.get(f"/v1/partners/{world.a.partner_id}", headers=auth(token))
        assert response.status_code == 404
        listing = ok(client.get("/v1/partners", headers=auth(token)))
        assert world.a.partner_id not in {p["id"] for p in listing["items"]}


def test_reservations_commitments_and_their_reports_are_the_customers_and_partners(
    client: TestClient, container: App, world: World
) -> None:
    owner = auth(world.a.tokens["partner-admin"])
    body = {"customer_id": world.a.customer_id}
    reservation = ok(
        client.post(
            "/v1/reservations",
            headers=owner,
            json=body
            | {"flavor": "SCS-1V-2", "region": "fr-par-1", "term": "1y", "payment": "no-upfront"},
        ),
        201,
    )
    commitment = ok(
        client.post("/v1/commitments", headers=owner, json=body | {"amount": "10.00", "months": 3}),
        201,
    )
    before = [
        ok(client.get(f"/v1/reservations/{reservation['id']}", headers=owner)),
        ok(client.get(f"/v1/commitments/{commitment['id']}", headers=owner)),
    ]
    for who in [w for w in OUTSIDERS if w[0] != "operator"]:
        h = auth(outsider_token(world, who))
        for collection, obj in (("reservations", reservation), ("commitments", commitment)):
            assert client.get(f"/v1/{collection}/{obj['id']}", headers=h).status_code == 404, who
            listing = ok(client.get(f"/v1/{collection}", headers=h))
            assert obj["id"] not in {i["id"] for i in listing["items"]}, who
        report = client.get(
            f"/v1/reports/reservations?month=2026-01&customer_id={world.a.customer_id}", headers=h
        )
        assert report.status_code == 404, who
        offers = client.get(f"/v1/reservation-offers?customer_id={world.a.customer_id}", headers=h)
        assert offers.status_code == 404, who
        bought = client.post(
            "/v1/commitments", headers=h, json=body | {"amount": "10.00", "months": 3}
        )
        assert bought.status_code == 404, who
    assert [
        ok(client.get(f"/v1/reservations/{reservation['id']}", headers=owner)),
        ok(client.get(f"/v1/commitments/{commitment['id']}", headers=owner)),
    ] == before
