"""Keystone v3 beyond issuing a token: signing in by user id, validating, checking and
revoking tokens with Keystone's status codes, the catalog, the projects and domains a
token's user can scope to, and the user's own password change."""

from typing import Any

from fastapi.testclient import TestClient

from andromede.bootstrap import App
from tests.integration.builders import PASSWORD, World, ok
from tests.integration.test_audit import entries

TOKENS = "/identity/v3/auth/tokens"


def sign_in(client: TestClient, user: dict[str, Any], project: str | None = None) -> Any:
    auth: dict[str, Any] = {
        "identity": {"methods": ["password"], "password": {"user": user}},
    }
    if project:
        auth["scope"] = {"project": {"id": project}}
    return client.post(TOKENS, json={"auth": auth})


def token_of(client: TestClient, user: dict[str, Any], project: str | None = None) -> str:
    response = sign_in(client, user, project)
    assert response.status_code == 201, response.text
    return str(response.headers["X-Subject-Token"])


def user_id(container: App, username: str) -> str:
    with container.uow(readonly=True) as session:
        for user in container.users.list_users(session, system(), limit=1000, marker=None):
            if user.username == username:
                return str(user.id)
    raise AssertionError(username)


def system() -> Any:
    from andromede.tenancy.scope import Actor, Caller, Role

    return Caller(Actor("t", "system:test", Role.OPERATOR_ADMIN, system=True))


def test_sign_in_by_user_id_and_validate_check_revoke(
    client: TestClient, container: App, world: World
) -> None:
    uid = user_id(container, "a-customer-member")
    token = token_of(client, {"id": uid, "password": PASSWORD}, world.a.project_id)
    other = token_of(client, {"name": "b-customer-member", "password": PASSWORD})
    wrong = sign_in(client, {"id": uid, "password": "not-the-password"})
    assert wrong.status_code == 401 and wrong.json()["error"]["code"] == 401
    unknown = sign_in(client, {"id": "no-such-user", "password": PASSWORD})
    assert unknown.status_code == 401
    both = {"X-Auth-Token": token, "X-Subject-Token": token}
    shown = client.get(TOKENS, headers=both)
    assert shown.status_code == 200 and shown.headers["X-Subject-Token"] == token
    body = shown.json()["token"]
    assert body["user"]["id"] == uid and body["project"]["id"] == world.a.project_id
    assert {e["type"] for e in body["catalog"]} >= {"compute", "identity"}
    assert client.head(TOKENS, headers=both).status_code == 200
    # another user's token is not found, as any other object; so is a made-up one
    foreign = {"X-Auth-Token": token, "X-Subject-Token": other}
    assert client.get(TOKENS, headers=foreign).status_code == 404
    assert client.head(TOKENS, headers=foreign).status_code == 404
    assert client.delete(TOKENS, headers=foreign).status_code == 404
    made_up = {"X-Auth-Token": token, "X-Subject-Token": "adt_nothing"}
    assert client.get(TOKENS, headers=made_up).json()["error"]["code"] == 404
    assert (
        client.get(
            TOKENS, headers={"X-Auth-Token": "adt_nothing", "X-Subject-Token": token}
        ).status_code
        == 401
    )
    assert client.get(TOKENS, headers={"X-Auth-Token": token}).status_code == 400
    # the operator's admin may check anyone's; the owner revokes its own
    assert (
        client.head(
            TOKENS, headers={"X-Auth-Token": world.admin, "X-Subject-Token": other}
        ).status_code
        == 200
    )
    assert client.delete(TOKENS, headers=both).status_code == 204
    assert client.get("/compute/v2.1/servers", headers={"X-Auth-Token": token}).status_code == 401
    assert (
        client.head(TOKENS, headers={"X-Auth-Token": other, "X-Subject-Token": other}).status_code
        == 200
    )


def test_catalog_projects_and_domains_of_a_token(client: TestClient, world: World) -> None:
    token = token_of(
        client, {"name": "a-customer-member", "password": PASSWORD}, world.a.project_id
    )
    h = {"X-Auth-Token": token}
    catalog = ok(client.get("/identity/v3/auth/catalog", headers=h))["catalog"]
    kinds = {e["type"] for e in catalog}
    assert kinds == {"identity", "compute", "image", "network", "block-storage", "volumev3"}
    projects = ok(client.get("/identity/v3/auth/projects", headers=h))["projects"]
    assert [(p["id"], p["domain_id"]) for p in projects] == [
        (world.a.project_id, world.a.customer_id)
    ]
    domains = ok(client.get("/identity/v3/auth/domains", headers=h))["domains"]
    assert [d["id"] for d in domains] == [world.a.customer_id]
    partner = token_of(client, {"name": "a-partner-admin", "password": PASSWORD})
    seen = ok(client.get("/identity/v3/auth/domains", headers={"X-Auth-Token": partner}))["domains"]
    assert world.a.customer_id in {d["id"] for d in seen} and world.b.customer_id not in {
        d["id"] for d in seen
    }
    assert client.get("/identity/v3/auth/catalog").status_code == 401


def test_the_user_changes_its_own_password(
    client: TestClient, container: App, world: World
) -> None:
    uid = user_id(container, "a-customer-viewer")
    old = token_of(client, {"id": uid, "password": PASSWORD})
    url = f"/identity/v3/users/{uid}/password"
    new = "a much longer passphrase 2026"
    wrong = client.post(url, json={"user": {"password": new, "original_password": "nope-nope"}})
    assert wrong.status_code == 401
    weak = client.post(url, json={"user": {"password": "short", "original_password": PASSWORD}})
    assert weak.status_code == 400 and "password" in weak.json()["error"]["message"]
    assert client.post(url, json={"user": {"password": new}}).status_code == 400
    audited = len(entries(container))
    changed = client.post(url, json={"user": {"password": new, "original_password": PASSWORD}})
    assert changed.status_code == 204, changed.text
    assert [e.action for e in entries(container)[audited:]] == ["user.password_change"]
    assert (
        client.head(
            TOKENS, headers={"X-Auth-Token": world.admin, "X-Subject-Token": old}
        ).status_code
        == 404
    )
    assert sign_in(client, {"id": uid, "password": PASSWORD}).status_code == 401
    token_of(client, {"id": uid, "password": new})


def test_an_application_credential_for_scripts(
    client: TestClient, container: App, world: World
) -> None:
    uid = user_id(container, "a-customer-member")
    token = token_of(client, {"id": uid, "password": PASSWORD}, world.a.project_id)
    url = f"/identity/v3/users/{uid}/application_credentials"
    h = {"X-Auth-Token": token}
    made = client.post(url, headers=h, json={"application_credential": {"name": "ci"}})
    assert made.status_code == 201, made.text
    cred = made.json()["application_credential"]
    assert cred["project_id"] == world.a.project_id and len(cred["secret"]) > 30
    assert [r["name"] for r in cred["roles"]] == ["member", "reader"]
    again = client.post(url, headers=h, json={"application_credential": {"name": "ci"}})
    assert again.status_code == 409
    for bad in (
        {"name": ""},
        {"name": "x", "roles": [{"name": "admin"}]},
        {"name": "x", "expires_at": "2020-01-01T00:00:00Z"},
        {"name": "x", "secret": "short"},
    ):
        assert client.post(url, headers=h, json={"application_credential": bad}).status_code == 400
    unscoped = token_of(client, {"id": uid, "password": PASSWORD})
    refused = client.post(url, headers={"X-Auth-Token": unscoped},
                          json={"application_credential": {"name": "u"}})  # fmt: skip
    assert refused.status_code == 403
    # another user's credentials are not found
    other = token_of(
        client, {"name": "b-customer-member", "password": PASSWORD}, world.b.project_id
    )
    assert client.get(url, headers={"X-Auth-Token": other}).status_code == 404
    assert client.get(f"{url}/{cred['id']}", headers={"X-Auth-Token": other}).status_code == 404
    listed = ok(client.get(url, headers=h))["application_credentials"]
    assert [c["id"] for c in listed] == [cred["id"]] and "secret" not in listed[0]
    # a script signs in with it: by id, or by name and user; scoped to its project
    by_id = {"methods": ["application_credential"],
             "application_credential": {"id": cred["id"], "secret": cred["secret"]}}  # fmt: skip
    signed = client.post(TOKENS, json={"auth": {"identity": by_id}})
    assert signed.status_code == 201, signed.text
    body = signed.json()["token"]
    assert body["project"]["id"] == world.a.project_id and body["methods"] == [
        "application_credential"
    ]
    assert body["application_credential"] == {"id": cred["id"], "name": "ci", "restricted": True}
    script = signed.headers["X-Subject-Token"]
    assert client.get("/compute/v2.1/servers", headers={"X-Auth-Token": script}).status_code == 200
    by_name = {"methods": ["application_credential"], "application_credential": {
        "name": "ci", "secret": cred["secret"], "user": {"id": uid}}}  # fmt: skip
    assert client.post(TOKENS, json={"auth": {"identity": by_name}}).status_code == 201
    wrong = {"methods": ["application_credential"],
             "application_credential": {"id": cred["id"], "secret": "not the secret"}}  # fmt: skip
    assert client.post(TOKENS, json={"auth": {"identity": wrong}}).status_code == 401
    # a restricted credential's token cannot make another
    nested = client.post(url, headers={"X-Auth-Token": script},
                         json={"application_credential": {"name": "nested"}})  # fmt: skip
    assert nested.status_code == 403
    # deleting it revokes its tokens and its secret
    assert client.delete(f"{url}/{cred['id']}", headers=h).status_code == 204
    assert client.get("/compute/v2.1/servers", headers={"X-Auth-Token": script}).status_code == 401
    assert client.post(TOKENS, json={"auth": {"identity": by_id}}).status_code == 401
    assert client.get("/compute/v2.1/servers", headers=h).status_code == 200  # the user's own
    staff = client.post("/identity/v3/users/x/application_credentials",
                        headers={"X-Auth-Token": world.admin},
                        json={"application_credential": {"name": "s"}})  # fmt: skip
    assert staff.status_code == 404


def test_the_native_api_changes_the_callers_own_password(
    client: TestClient, container: App, world: World
) -> None:
    token = world.a.tokens["customer-admin"]
    url = "/v1/users/me/password"
    h = {"Authorization": f"Bearer {token}"}
    wrong = client.post(url, headers=h, json={"current_password": "x", "new_password": "y"})
    assert wrong.status_code == 401
    assert wrong.headers["content-type"].startswith("application/problem+json")
    new = "another long passphrase 2026"
    weak = client.post(url, headers=h, json={"current_password": PASSWORD, "new_password": "z"})
    assert weak.status_code == 400
    done = client.post(url, headers=h, json={"current_password": PASSWORD, "new_password": new})
    assert done.status_code == 204, done.text
    assert client.get("/v1/projects", headers=h).status_code == 401  # its tokens are revoked
    signed = client.post("/v1/tokens", json={"username": "a-customer-admin", "password": new})
    assert signed.status_code == 201
