"""The lockbox holds against the operator itself.

A matrix generated from the application's own route table (both faces, so a route added
later joins it without anyone editing this file) × the two staff roles × six states of
the customer's approval (no request, pending, approved ``read``, approved ``operate``,
revoked, expired), over a customer that has servers, users, keypairs, a server group,
policy decisions, compliance findings, notifications and audit entries:

- without a read grant, no response body contains any id or name of that customer's
  servers, users, keypairs, group, decisions, findings or audit entries (what staff
  themselves sent in the run does not count as a leak when it is echoed back);
- without an operate grant, no write changes anything of the customer's (users, their
  passwords and MFA, projects, servers, keypairs, groups, policies, tokens);
- with the grants, the same routes do open (a positive control, so the matrix cannot pass
  by reaching nothing).
"""

import hashlib
import json
from datetime import timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from andromede.audit.store import AuditEntry
from andromede.bootstrap import App
from andromede.compute.store import Keypair, Server, ServerGroup
from andromede.kernel.clock import FrozenClock
from andromede.sovereignty.store import Finding, PolicyDecision, PolicyRow
from andromede.tenancy.store import Project, Token, User
from tests.integration.builders import (
    PASSWORD,
    SSH_KEY,
    World,
    auth,
    create_server,
    grant_access,
    ok,
)

STATES = ["none", "pending", "read", "operate", "revoked", "expired"]
ROLES = ["operator-admin", "operator-support"]
SKIP = {("DELETE", "/v1/tokens/current")}  # ends the staff's own session, nothing else


def build_customer_estate(client: TestClient, container: App, world: World) -> dict[str, str]:
    member = world.a.tokens["customer-member"]
    server = ok(create_server(client, member, world.a.project_id, "lockbox-secret-vm"), 202)
    container.reconciler.run_once()
    key = {"project_id": world.a.project_id, "name": "lockbox-secret-key", "public_key": SSH_KEY}
    keypair = ok(client.post("/v1/keypairs", headers=auth(member), json=key), 201)
    body = {"project_id": world.a.project_id, "name": "lockbox-secret-group", "policy": "affinity"}
    group = ok(client.post("/v1/server-groups", headers=auth(member), json=body), 201)
    policy = {"scope_type": "customer", "scope_id": world.a.customer_id, "allow": ["in:FR-BRE"]}
    headers = auth(world.a.tokens["customer-admin"])
    ok(client.post("/v1/policies", headers=headers, json=policy), 201)
    user = ok(client.get("/v1/users", headers=headers))["items"][0]
    return {
        "server": server["id"],
        "keypair": keypair["id"],
        "keypair_name": "lockbox-secret-key",
        "group": group["id"],
        "user": user["id"],
        "project": world.a.project_id,
        "customer": world.a.customer_id,
    }


def secrets_of(container: App, customer_id: str) -> set[str]:
    """Every id and name of the customer's data that staff must not see ungranted."""
    found: set[str] = set()
    with container.uow(readonly=True) as s:
        for model, columns in (
            (Server, ("id", "name")),
            (User, ("id", "username")),
            (Keypair, ("id", "name")),
            (ServerGroup, ("id", "name")),
            (PolicyDecision, ("id",)),
            (Finding, ("id",)),
            (AuditEntry, ("id",)),
        ):
            for row in s.scalars(select(model).where(model.customer_id == customer_id)):
                found.update(str(getattr(row, c)) for c in columns)
    assert len(found) > 20  # servers, users, keypairs, decisions, findings, entries exist
    return found


def customer_digest(container: App, customer_id: str) -> str:
    """What no staff write without an operate grant may change."""
    rows: list[Any] = []
    with container.uow(readonly=True) as s:
        for model in (User, Project, Server, Keypair, ServerGroup, PolicyRow):
            query = select(model).where(model.customer_id == customer_id).order_by(model.id)
            for row in s.scalars(query):
                rows.append(
                    {c.name: str(getattr(row, c.key)) for c in model.__table__.columns}  # type: ignore[attr-defined]
                )
        users = select(User.id).where(User.customer_id == customer_id)
        tokens = s.scalars(select(Token).where(Token.user_id.in_(users)).order_by(Token.id))
        rows.extend((t.id, str(t.revoked_at)) for t in tokens)
    return hashlib.sha256(json.dumps(rows, sort_keys=True).encode()).hexdigest()


def set_state(client: TestClient, clock: FrozenClock, world: World, staff: str, state: str) -> None:
    approver = world.a.tokens["customer-admin"]
    if state == "none":
        return
    if state == "pending":
        body = {
            "customer_id": world.a.customer_id,
            "scope": "operate",
            "reason": "ticket 1: looking around",
            "duration_minutes": 60,
            "location": "FR",
        }
        ok(client.post("/v1/access-requests", headers=auth(staff), json=body), 201)
        return
    scope = "read" if state == "read" else "operate"
    request_id = grant_access(client, staff, world.a.customer_id, approver, scope, 60)
    if state == "revoked":
        ok(client.post(f"/v1/access-requests/{request_id}/revoke", headers=auth(approver)))
    if state == "expired":
        clock.advance(timedelta(minutes=61))


def concrete(path: str, ids: dict[str, str]) -> str:
    names = {
        "server_id": ids["server"],
        "keypair_id": ids["keypair"],
        "name": ids["keypair_name"],
        "group_id": ids["group"],
        "user_id": ids["user"],
        "project_id": ids["project"],
        "customer_id": ids["customer"],
    }
    out = path
    for part in path.split("/"):
        if part.startswith("{") and part.endswith("}"):
            out = out.replace(part, names.get(part[1:-1], ids["customer"]))
    return out


def generic_body(ids: dict[str, str]) -> dict[str, Any]:
    """A write aimed at the customer: every field a route may read names its objects."""
    return {
        "customer_id": ids["customer"],
        "project_id": ids["project"],
        "org_id": ids["customer"],
        "username": "intruder",
        "password": "a-password-nobody-knows-42",
        "role": "customer-admin",
        "name": "intruder",
        "public_key": SSH_KEY,
        "policy": "affinity",
        "flavor": "SCS-1V-2",
        "image": "debian-12",
        "region": "fr-par-1",
        "action": "stop",
        "scope_type": "customer",
        "scope_id": ids["customer"],
        "allow": ["in:eu"],
        "quota_instances": 0,
        "server": {"name": "intruder", "flavorRef": "SCS-1V-2", "imageRef": "debian-12"},
        "keypair": {"name": "intruder", "public_key": SSH_KEY},
        "os-stop": None,
    }


ROUTE_TABLE: list[tuple[str, str]] = []  # the code's, the same for every app: read once


def routes(client: TestClient) -> list[tuple[str, str]]:
    """The application's route table, as its OpenAPI document lists it (both faces).
    Building the document took about a second, as long as the rest of a case's walk."""
    if not ROUTE_TABLE:
        paths = client.get("/v1/openapi.json").json()["paths"]
        ROUTE_TABLE.extend(
            (method.upper(), path)
            for path, operations in paths.items()
            for method in operations
            if (method.upper(), path) not in SKIP
        )
    assert len(ROUTE_TABLE) > 120 and any(p.startswith("/compute/") for _, p in ROUTE_TABLE)
    return ROUTE_TABLE


def keystone_token(client: TestClient, username: str, password: str, project_id: str) -> str | None:
    body = {
        "auth": {
            "identity": {
                "methods": ["password"],
                "password": {
                    "user": {"name": username, "domain": {"name": "Default"}, "password": password}
                },
            },
            "scope": {"project": {"id": project_id}},
        }
    }
    response = client.post("/identity/v3/auth/tokens", json=body)
    return response.headers.get("X-Subject-Token") if response.status_code == 201 else None


def staff_login(container: App, world: World, role: str) -> tuple[str, str, str]:
    """(username, password, token) of the staff member playing ``role``."""
    if role == "operator-admin":
        return "cmartin", container.settings.admin_password, world.admin
    return "lbernard", PASSWORD, world.support


@pytest.mark.parametrize("state", STATES)
@pytest.mark.parametrize("role", ROLES)
def test_staff_reach_a_customer_only_through_its_grant(
    client: TestClient,
    container: App,
    clock: FrozenClock,
    world: World,
    role: str,
    state: str,
) -> None:
    ids = build_customer_estate(client, container, world)
    username, password, token = staff_login(container, world, role)
    set_state(client, clock, world, token, state)
    secrets = secrets_of(container, world.a.customer_id)
    before = customer_digest(container, world.a.customer_id)
    may_read = state in ("read", "operate")
    may_write = state == "operate"
    os_token = keystone_token(client, username, password, world.a.project_id)
    assert (os_token is not None) == may_read  # no project-scoped token without a grant
    if may_read:  # positive control, before any write: the grant opens what it should
        server = client.get(f"/v1/servers/{ids['server']}", headers=auth(token))
        assert server.status_code == 200, server.text
        users = ok(client.get("/v1/users", headers=auth(token)))["items"]
        assert ids["user"] in {u["id"] for u in users}
    leaks: list[str] = []
    sent = ""
    for method, path in routes(client):
        url = concrete(path, ids)
        face = path.startswith(("/compute", "/image", "/network", "/identity"))
        headers = {"X-Auth-Token": os_token or token} if face else auth(token)
        payload = None if method in ("GET", "DELETE") else generic_body(ids)
        response = client.request(method, url, headers=headers, json=payload)
        assert response.status_code < 500, (method, url, response.text)
        if may_read:
            continue
        sent += url + json.dumps(payload or {})  # what staff typed is no leak when echoed
        shown = {s for s in secrets if s in response.text and s not in sent}
        if shown:
            leaks.append(f"{method} {url} -> {response.status_code}: {sorted(shown)[:3]}")
    assert leaks == []
    after = customer_digest(container, world.a.customer_id)
    if not may_write:
        assert after == before, "a staff write reached the customer without operate"


def test_the_reported_side_door_is_closed(client: TestClient, container: App, world: World) -> None:
    """An operator admin without a grant made a customer-admin inside a customer, or reset
    a customer user's password, then signed in as that user. Both are refused now; under
    an operate grant they work, end the user's sessions and show in the customer's feed."""
    admin, approver = auth(world.admin), world.a.tokens["customer-admin"]
    body = {
        "username": "backdoor",
        "password": "a-password-nobody-knows-42",
        "role": "customer-admin",
        "org_id": world.a.customer_id,
    }
    assert client.post("/v1/users", headers=admin, json=body).status_code == 403
    member_id = next(
        u["id"]
        for u in ok(client.get("/v1/users", headers=auth(approver)))["items"]
        if u["username"] == "a-customer-member"
    )
    reset = {"password": "a-password-nobody-knows-42"}
    assert client.patch(f"/v1/users/{member_id}", headers=admin, json=reset).status_code == 404
    assert client.post("/v1/tokens", json={"username": "backdoor", **reset}).status_code == 401
    member_token = world.a.tokens["customer-member"]
    assert client.get("/v1/servers", headers=auth(member_token)).status_code == 200

    grant = grant_access(client, world.admin, world.a.customer_id, approver, "operate", 30)
    ok(client.patch(f"/v1/users/{member_id}", headers=admin, json=reset))
    assert client.get("/v1/servers", headers=auth(member_token)).status_code == 401
    feed = ok(client.get(f"/v1/customers/{world.a.customer_id}/access-log", headers=auth(approver)))
    reset_entries = [e for e in feed["items"] if e["action"] == "user.credentials_reset"]
    assert [(e["target_id"], e["grant_id"]) for e in reset_entries] == [(member_id, grant)]


def test_partners_still_onboard_their_customers_users(client: TestClient, world: World) -> None:
    partner = auth(world.a.tokens["partner-admin"])
    body = {
        "username": "first-admin",
        "password": "a-password-nobody-knows-42",
        "role": "customer-admin",
        "org_id": world.a.customer_id,
    }
    ok(client.post("/v1/users", headers=partner, json=body), 201)


def test_a_scoped_token_outlives_no_grant(
    client: TestClient, container: App, clock: FrozenClock, world: World
) -> None:
    """Staff scoped a Keystone token to customer A's project under A's grant; once that
    grant ends, a grant from customer B does not keep A's project open to the token."""
    ids = build_customer_estate(client, container, world)
    grant_access(
        client, world.support, world.a.customer_id, world.a.tokens["customer-admin"], "read", 30
    )
    token = keystone_token(client, "lbernard", PASSWORD, world.a.project_id)
    assert token is not None
    h = {"X-Auth-Token": token}
    assert ids["server"] in client.get("/compute/v2.1/servers", headers=h).text
    grant_access(
        client, world.support, world.b.customer_id, world.b.tokens["customer-admin"], "read", 120
    )
    clock.advance(timedelta(minutes=31))
    for path in ("/compute/v2.1/servers", "/network/v2.0/networks", "/compute/v2.1/os-keypairs"):
        response = client.get(path, headers=h)
        assert ids["server"] not in response.text and "production-" not in response.text, path
