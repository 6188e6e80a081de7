from fastapi.testclient import TestClient
from sqlalchemy import select

from andromede.audit.store import AuditEntry
from andromede.bootstrap import App
from tests.integration.builders import World, auth, create_server, ok


def entries(container: App) -> list[AuditEntry]:
    with container.uow(readonly=True) as session:
        return list(session.scalars(select(AuditEntry).order_by(AuditEntry.seq)))


def test_each_mutating_request_writes_one_entry_in_its_transaction(
    client: TestClient, container: App, world: World
) -> None:
    before = len(entries(container))
    response = create_server(client, world.a.tokens["customer-member"], world.a.project_id)
    after = entries(container)
    assert len(after) == before + 1
    entry = after[-1]
    assert (entry.action, entry.target_type, entry.target_id, entry.outcome) == (
        "server.create",
        "server",
        response.json()["id"],
        "success",
    )
    assert entry.actor == "a-customer-member" and entry.on_behalf_of is None
    assert entry.tenant_path == (
        f"/operator/{world.a.partner_id}/{world.a.customer_id}/{world.a.project_id}"
    )
    assert entry.request_id == response.headers["x-openstack-request-id"]


def test_partner_acting_for_a_customer_is_recorded_on_behalf_of(
    client: TestClient, container: App, world: World
) -> None:
    create_server(client, world.a.tokens["partner-user"], world.a.project_id)
    entry = entries(container)[-1]
    assert entry.actor == "a-partner-user" and entry.on_behalf_of == world.a.customer_id


def test_failed_requests_are_audited_and_their_writes_rolled_back(
    client: TestClient, container: App, world: World
) -> None:
    before = len(entries(container))
    response = create_server(client, world.b.tokens["customer-admin"], world.a.project_id)
    assert response.status_code == 404
    after = entries(container)
    assert len(after) == before + 1
    assert (after[-1].action, after[-1].outcome) == ("server.create", "failure: not-found")
    assert after[-1].customer_id == world.b.customer_id  # the failure shows in B's log only
    bad_login = client.post("/v1/tokens", json={"username": "cmartin", "password": "wrong-one"})
    assert bad_login.status_code == 401
    assert (entries(container)[-1].action, entries(container)[-1].outcome) == (
        "token.issue",
        "failure: unauthorized",
    )


def test_reconciler_steps_are_audited(client: TestClient, container: App, world: World) -> None:
    server = ok(create_server(client, world.a.tokens["customer-member"], world.a.project_id), 202)
    container.reconciler.run_once()
    entry = entries(container)[-1]
    assert (entry.actor, entry.action, entry.target_id) == (
        "system:reconciler",
        "server.observed.ACTIVE",
        server["id"],
    )


def test_audit_listing_is_scoped(client: TestClient, world: World) -> None:
    create_server(client, world.a.tokens["customer-member"], world.a.project_id)
    create_server(client, world.b.tokens["customer-member"], world.b.project_id)
    for tenant, other in ((world.a, world.b), (world.b, world.a)):
        rows = ok(
            client.get(
                "/v1/audit", headers=auth(tenant.tokens["customer-viewer"]), params={"limit": 1000}
            )
        )["items"]
        assert rows and all(tenant.customer_id in r["tenant_path"] for r in rows)
        assert not any(other.partner_id in r["tenant_path"] for r in rows)
    everything = ok(client.get("/v1/audit", headers=auth(world.admin), params={"limit": 2}))
    assert len(everything["items"]) == 2 and everything["next_before"] is not None


def test_every_kind_of_mutating_request_writes_exactly_one_entry(
    client: TestClient, container: App, world: World
) -> None:
    from tests.integration.builders import PASSWORD, SSH_KEY, fr_ids

    admin, member = auth(world.admin), auth(world.a.tokens["customer-member"])
    pa = auth(world.a.tokens["partner-admin"])
    house = {
        "name": "House",
        "kind": "house",
        "tier": "house",
        "address": "HQ",
        **fr_ids("99887766"),
    }
    calls = [
        ("POST", "/v1/partners", admin, house),
        ("POST", "/v1/customers", pa, {"name": "C", "address": "x", **fr_ids("71234567")}),
        ("POST", "/v1/projects", pa, {"customer_id": world.a.customer_id, "name": "p2"}),
        ("PATCH", f"/v1/projects/{world.a.project_id}", pa, {"quota_cores": 30}),
        (
            "POST",
            "/v1/users",
            pa,
            {
                "username": "u1",
                "password": PASSWORD,
                "role": "customer-viewer",
                "org_id": world.a.customer_id,
            },
        ),
        (
            "POST",
            "/v1/keypairs",
            member,
            {"project_id": world.a.project_id, "name": "k", "public_key": SSH_KEY},
        ),
        (
            "POST",
            "/v1/server-groups",
            member,
            {"project_id": world.a.project_id, "name": "g", "policy": "affinity"},
        ),
        (
            "POST",
            "/v1/signup",
            {},
            {
                "company": {"name": "D", "address": "y", **fr_ids("55443322")},
                "username": "founder",
                "password": PASSWORD,
            },
        ),
        ("POST", "/v1/tokens", {}, {"username": "founder", "password": PASSWORD}),
        (
            "POST",
            "/v1/servers",
            member,
            {
                "project_id": world.a.project_id,
                "name": "s",
                "flavor": "SCS-1V-2",
                "image": "debian-12",
                "region": "fr-par-1",
            },
        ),
        ("DELETE", "/v1/tokens/current", admin, None),
    ]
    for method, path, headers, body in calls:
        before = len(entries(container))
        response = client.request(method, path, headers=headers, json=body)
        assert response.status_code < 300, (path, response.text)
        assert len(entries(container)) == before + 1, path
    assert entries(container)[-4].action == "signup"
