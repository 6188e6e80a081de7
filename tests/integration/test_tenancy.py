from datetime import timedelta

from fastapi.testclient import TestClient
from sqlalchemy import func, select

from andromede.bootstrap import App
from andromede.kernel.clock import FrozenClock
from andromede.tenancy.store import Customer, Project, User
from tests.integration.builders import (
    PASSWORD,
    World,
    add_customer,
    auth,
    create_server,
    fr_ids,
    login,
    ok,
)


def count(container: App, model: type) -> int:
    with container.uow(readonly=True) as session:
        return session.scalar(select(func.count()).select_from(model)) or 0


def test_tokens_expire_and_can_be_revoked(
    client: TestClient, container: App, clock: FrozenClock
) -> None:
    token = login(client, "cmartin", "operator-secret")
    assert ok(client.get("/v1/partners", headers=auth(token)))["items"] == []
    clock.advance(timedelta(hours=12, seconds=1))
    expired = client.get("/v1/partners", headers=auth(token))
    assert expired.status_code == 401 and expired.json()["detail"] == "token expired"
    token = login(client, "cmartin", "operator-secret")
    assert client.delete("/v1/tokens/current", headers=auth(token)).status_code == 204
    assert client.get("/v1/partners", headers=auth(token)).status_code == 401


def test_wrong_password_and_missing_token_are_401_problems(client: TestClient) -> None:
    bad = client.post("/v1/tokens", json={"username": "cmartin", "password": "nope-nope"})
    assert bad.status_code == 401
    assert bad.headers["content-type"] == "application/problem+json"
    assert bad.json()["type"] == "urn:andromede:problem:unauthorized"
    assert client.get("/v1/partners").status_code == 401


def test_passwords_are_stored_as_argon2_hashes(container: App, world: World) -> None:
    with container.uow(readonly=True) as session:
        hashes = list(session.scalars(select(User.password_hash)))
    assert hashes and all(h.startswith("$argon2id$") for h in hashes)
    assert not any(PASSWORD in h for h in hashes)


def test_invalid_identity_is_refused_field_by_field_and_writes_nothing(
    client: TestClient, container: App, world: World
) -> None:
    before = count(container, Customer)
    body = {
        "partner_id": world.a.partner_id,
        "name": "Bad SAS",
        "address": "x",
        "country": "FR",
        "siren": "123456789",
        "vat_number": "FR00123456789",
    }
    response = client.post(
        "/v1/customers", headers=auth(world.a.tokens["partner-admin"]), json=body
    )
    assert response.status_code == 400
    problem = response.json()
    assert problem["code"] == "validation-failed"
    assert [e["field"] for e in problem["errors"]] == ["siren"]
    body.update(fr_ids("73282932"))
    body["vat_number"] = "FR99" + body["siren"]
    response = client.post(
        "/v1/customers", headers=auth(world.a.tokens["partner-admin"]), json=body
    )
    assert [e["field"] for e in response.json()["errors"]] == ["vat_number"]
    assert count(container, Customer) == before


def test_partner_cannot_create_a_customer_under_another_partner(
    client: TestClient, world: World
) -> None:
    body = {
        "partner_id": world.b.partner_id,
        "name": "Sneaky",
        "address": "x",
        **fr_ids("73282932"),
    }
    response = client.post(
        "/v1/customers", headers=auth(world.a.tokens["partner-admin"]), json=body
    )
    assert response.status_code == 404


def test_signup_creates_customer_project_and_admin_under_house(
    client: TestClient, container: App, world: World
) -> None:
    house = ok(
        client.post(
            "/v1/partners",
            headers=auth(world.admin),
            json={
                "name": "House",
                "kind": "house",
                "tier": "house",
                "address": "HQ",
                **fr_ids("99887766"),
            },
        ),
        201,
    )
    body = {
        "company": {"name": "Dev Studio SAS", "address": "3 rue, Nantes", **fr_ids("55443322")},
        "username": "dev-founder",
        "password": PASSWORD,
    }
    created = ok(client.post("/v1/signup", json=body), 201)
    assert created["customer"]["partner_id"] == house["id"]
    assert created["user"]["role"] == "customer-admin"
    token = login(client, "dev-founder")
    projects = ok(client.get("/v1/projects", headers=auth(token)))["items"]
    assert [p["id"] for p in projects] == [created["project"]["id"]]
    ok(create_server(client, token, created["project"]["id"]), 202)


def test_signup_without_a_legal_identity_is_refused(
    client: TestClient, container: App, world: World
) -> None:
    ok(
        client.post(
            "/v1/partners",
            headers=auth(world.admin),
            json={
                "name": "House",
                "kind": "house",
                "tier": "house",
                "address": "HQ",
                **fr_ids("99887766"),
            },
        ),
        201,
    )
    customers, users = count(container, Customer), count(container, User)
    body = {
        "company": {"name": "Jean Dupont", "address": "chez moi", "country": "FR"},
        "username": "jean",
        "password": PASSWORD,
    }
    response = client.post("/v1/signup", json=body)
    assert response.status_code == 400
    assert {e["field"] for e in response.json()["errors"]} == {"siren", "vat_number"}
    assert (count(container, Customer), count(container, User)) == (customers, users)


def test_roles_cannot_climb(client: TestClient, world: World) -> None:
    body = {"username": "evil", "password": PASSWORD, "role": "operator-admin"}
    assert (
        client.post(
            "/v1/users", headers=auth(world.a.tokens["partner-admin"]), json=body
        ).status_code
        == 403
    )
    body = {
        "username": "evil",
        "password": PASSWORD,
        "role": "partner-admin",
        "org_id": world.a.partner_id,
    }
    assert (
        client.post(
            "/v1/users", headers=auth(world.a.tokens["customer-admin"]), json=body
        ).status_code
        == 403
    )  # sees its partner, may not staff it
    body = {
        "username": "evil",
        "password": PASSWORD,
        "role": "customer-viewer",
        "org_id": world.a.customer_id,
    }
    assert (
        client.post(
            "/v1/users", headers=auth(world.a.tokens["customer-member"]), json=body
        ).status_code
        == 403
    )
    short = {
        "username": "x",
        "password": "short",
        "role": "customer-viewer",
        "org_id": world.a.customer_id,
    }
    response = client.post("/v1/users", headers=auth(world.a.tokens["customer-admin"]), json=short)
    assert response.status_code == 400 and response.json()["errors"][0]["field"] == "password"


def test_duplicate_username_is_a_conflict(client: TestClient, world: World) -> None:
    body = {
        "username": "a-customer-admin",
        "password": PASSWORD,
        "role": "customer-viewer",
        "org_id": world.a.customer_id,
    }
    response = client.post("/v1/users", headers=auth(world.a.tokens["customer-admin"]), json=body)
    assert response.status_code == 409


def test_partner_sees_only_its_customers_and_customer_only_its_projects(
    client: TestClient, world: World
) -> None:
    customers = ok(client.get("/v1/customers", headers=auth(world.a.tokens["partner-admin"])))
    assert {c["id"] for c in customers["items"]} == {world.a.customer_id, world.a2_customer_id}
    projects = ok(client.get("/v1/projects", headers=auth(world.a.tokens["customer-viewer"])))
    assert [p["id"] for p in projects["items"]] == [world.a.project_id]
    partners = ok(client.get("/v1/partners", headers=auth(world.b.tokens["partner-admin"])))
    assert [p["id"] for p in partners["items"]] == [world.b.partner_id]


def test_support_sees_names_and_counts_but_not_servers(client: TestClient, world: World) -> None:
    server = ok(create_server(client, world.a.tokens["customer-admin"], world.a.project_id), 202)
    customer = ok(client.get(f"/v1/customers/{world.a.customer_id}", headers=auth(world.support)))
    assert customer["name"] == "Customer a"
    assert customer["counts"] == {"projects": 1, "users": 3, "servers": 1}
    assert ok(client.get("/v1/servers", headers=auth(world.support)))["items"] == []
    assert client.get(f"/v1/servers/{server['id']}", headers=auth(world.support)).status_code == 404
    assert (
        client.get(
            f"/v1/projects/{world.a.project_id}/quotas", headers=auth(world.support)
        ).status_code
        == 200
    )


def test_quotas_are_set_by_the_partner_not_the_customer(client: TestClient, world: World) -> None:
    path = f"/v1/projects/{world.a.project_id}"
    refused = client.patch(
        path, headers=auth(world.a.tokens["customer-admin"]), json={"quota_instances": 100}
    )
    assert refused.status_code == 403
    updated = ok(
        client.patch(
            path, headers=auth(world.a.tokens["partner-admin"]), json={"quota_instances": 1}
        )
    )
    assert updated["quota_instances"] == 1


def test_projects_have_unique_names_per_customer(client: TestClient, world: World) -> None:
    response = client.post(
        "/v1/projects", headers=auth(world.a.tokens["customer-admin"]), json={"name": "production"}
    )
    assert response.status_code == 409
    with_other = add_customer(
        client, world.a.tokens["partner-admin"], world.a.partner_id, "Third", "71234567"
    )
    ok(
        client.post(
            "/v1/projects",
            headers=auth(world.a.tokens["partner-admin"]),
            json={"customer_id": with_other, "name": "production"},
        ),
        201,
    )


def test_pagination_walks_every_row_once(client: TestClient, container: App, world: World) -> None:
    for n in range(5):
        ok(
            client.post(
                "/v1/projects",
                headers=auth(world.a.tokens["customer-admin"]),
                json={"name": f"p{n}"},
            ),
            201,
        )
    seen: list[str] = []
    marker = None
    while True:
        params = {"limit": 2, **({"marker": marker} if marker else {})}
        page = ok(
            client.get(
                "/v1/projects", headers=auth(world.a.tokens["customer-admin"]), params=params
            )
        )
        seen.extend(p["id"] for p in page["items"])
        marker = page["next_marker"]
        if not marker:
            break
    assert len(seen) == len(set(seen)) == 6
    with container.uow(readonly=True) as session:
        expected = set(
            session.scalars(select(Project.id).where(Project.customer_id == world.a.customer_id))
        )
    assert set(seen) == expected
