"""Names that look alike, names that hide characters, and a signup that could pose as an
existing business or as a public body."""

import pytest
from fastapi.testclient import TestClient

from andromede.bootstrap import App
from andromede.tenancy.store import Customer, User
from tests.integration.builders import (
    PASSWORD,
    SSH_KEY,
    World,
    add_house,
    auth,
    fr_ids,
    login,
    ok,
)
from tests.integration.test_tenancy import count


@pytest.mark.parametrize(
    "username",
    ["Cmartin", "CMARTIN", "cm\u0430rtin", "crnartin", "a-customer-Admin", "ｃｍａｒｔｉｎ"],
)
def test_usernames_confusable_with_an_existing_one_are_refused(
    client: TestClient, world: World, container: App, username: str
) -> None:
    users = count(container, User)
    body = {"username": username, "password": PASSWORD, "role": "operator-support"}
    body["person"] = "e-0001"
    response = client.post("/v1/users", headers=auth(world.admin), json=body)
    assert response.status_code == 409, response.text
    assert count(container, User) == users


def test_usernames_are_stored_lower_case_and_sign_in_any_case(
    client: TestClient, world: World
) -> None:
    body = {"username": "Marie.Curie", "password": PASSWORD, "role": "operator-support"}
    body["person"] = "marie.curie@operator.example"
    created = ok(client.post("/v1/users", headers=auth(world.admin), json=body), 201)
    assert created["username"] == "marie.curie"
    assert login(client, "MARIE.CURIE")


@pytest.mark.parametrize("name", ["ev\u202eil", "\u200b", "tab\there", "nul\x00"])
def test_names_with_hidden_characters_are_refused_everywhere(
    client: TestClient, world: World, name: str
) -> None:
    member = auth(world.a.tokens["customer-member"])
    partner = auth(world.a.tokens["partner-admin"])
    project = f"/v1/projects/{world.a.project_id}"
    assert client.patch(project, headers=partner, json={"name": name}).status_code == 400
    key = {"project_id": world.a.project_id, "name": name, "public_key": SSH_KEY}
    assert client.post("/v1/keypairs", headers=member, json=key).status_code == 400
    body = {"username": name, "password": PASSWORD, "role": "partner-user"}
    assert client.post("/v1/users", headers=partner, json=body).status_code == 400


def test_keypair_names_are_addressable_on_the_nova_face(client: TestClient, world: World) -> None:
    member = auth(world.a.tokens["customer-member"])
    for name in ("with/slash", "what?", "hash#tag"):
        key = {"project_id": world.a.project_id, "name": name, "public_key": SSH_KEY}
        assert client.post("/v1/keypairs", headers=member, json=key).status_code == 400
    key = {"project_id": world.a.project_id, "name": "ops key@laptop", "public_key": SSH_KEY}
    ok(client.post("/v1/keypairs", headers=member, json=key), 201)


def test_signup_cannot_claim_an_existing_business_or_the_public_sector(
    client: TestClient, world: World, container: App
) -> None:
    add_house(client, world.admin)
    customers, users = count(container, Customer), count(container, User)
    existing = {"name": "Again", "address": "x", **fr_ids("42345678")}  # customer A's SIREN
    body = {"company": existing, "username": "again-admin", "password": PASSWORD}
    assert client.post("/v1/signup", json=body).status_code == 409
    public = {"name": "Mairie", "address": "x", "public_sector": True, **fr_ids("21350001")}
    body = {"company": public, "username": "mairie-admin", "password": PASSWORD}
    refused = client.post("/v1/signup", json=body)
    assert refused.status_code == 400 and "public_sector" in refused.text
    assert (count(container, Customer), count(container, User)) == (customers, users)
    body["company"] = {**public, "public_sector": False}
    created = ok(client.post("/v1/signup", json=body), 201)
    assert created["customer"]["public_sector"] is False
    customer = f"/v1/customers/{created['customer']['id']}"
    mayor = login(client, "mairie-admin")
    assert client.patch(customer, headers=auth(mayor), json={"public_sector": True}).status_code
    assert ok(client.get(customer, headers=auth(mayor)))["public_sector"] is False
    ok(client.patch(customer, headers=auth(world.admin), json={"public_sector": True}))
    assert ok(client.get(customer, headers=auth(mayor)))["public_sector"] is True


def test_an_account_named_before_normalisation_still_signs_in(
    client: TestClient, container: App, world: World
) -> None:
    with container.uow() as session:  # as a row written before usernames were lower-cased
        user = session.query(User).filter(User.username == "a-customer-viewer").one()
        user.username, user.username_skeleton = "Legacy.Viewer", None
    assert login(client, "Legacy.Viewer")
    for _ in range(4):
        wrong = {"username": "Legacy.Viewer", "password": "not-it-at-all-really"}
        assert client.post("/v1/tokens", json=wrong).status_code == 401
    assert login(client, "Legacy.Viewer")  # a success cleared the failures counted so far
    for _ in range(4):
        wrong = {"username": "Legacy.Viewer", "password": "not-it-at-all-really"}
        assert client.post("/v1/tokens", json=wrong).status_code == 401
    assert login(client, "Legacy.Viewer")
