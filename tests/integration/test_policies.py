"""Residency policies on placement: narrow-only, enforced or audited, every decision kept,
findings after a change."""

from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import func, select

from andromede.api.app import create_app
from andromede.audit.signing import generate_key
from andromede.audit.signing import verify as check_signature
from andromede.bootstrap import App, build
from andromede.compute.store import Server
from andromede.kernel.clock import FrozenClock
from andromede.sovereignty.attestation import canonical_document
from tests.integration.builders import World, auth, create_server, ok


def policy(client: TestClient, token: str, **body: object) -> object:
    return client.post("/v1/policies", headers=auth(token), json=body)


def decisions(client: TestClient, token: str) -> list[dict]:  # type: ignore[type-arg]
    return ok(client.get("/v1/policy-decisions", headers=auth(token)))["items"]  # type: ignore[no-any-return]


def test_customer_keeps_its_data_in_brittany(
    client: TestClient, container: App, world: World
) -> None:
    admin_c = world.a.tokens["customer-admin"]
    made = ok(
        policy(
            client,
            admin_c,
            scope_type="customer",
            scope_id=world.a.customer_id,
            allow=["in:FR-BRE"],
        ),
        201,
    )
    assert made["version"] == 1
    refused = create_server(client, world.a.tokens["customer-member"], world.a.project_id)
    assert refused.status_code == 403
    problem = refused.json()
    assert problem["code"] == "policy-violation"
    assert problem["decision"]["code"] == "denied:not-allowed:customer"
    with container.uow(readonly=True) as session:
        assert session.scalar(select(func.count()).select_from(Server)) == 0
    placed = ok(
        create_server(
            client, world.a.tokens["customer-member"], world.a.project_id, region="fr-rns-1"
        ),
        202,
    )
    assert placed["region"] == "fr-rns-1"
    recorded = sorted(decisions(client, admin_c), key=lambda d: d["allowed"])
    assert [(d["allowed"], d["code"], d["region"]) for d in recorded] == [
        (False, "denied:not-allowed:customer", "fr-par-1"),
        (True, "allowed", "fr-rns-1"),
    ]
    assert recorded[1]["server_id"] == placed["id"]
    assert recorded[1]["versions"] == ["operator-default", f"customer:{world.a.customer_id}:v1"]
    assert decisions(client, world.b.tokens["customer-admin"]) == []


def test_a_child_cannot_widen_its_parent(client: TestClient, world: World) -> None:
    ok(
        policy(
            client,
            world.a.tokens["partner-admin"],
            scope_type="partner",
            scope_id=world.a.partner_id,
            allow=["in:FR-BRE"],
        ),
        201,
    )
    wider = policy(
        client,
        world.a.tokens["customer-admin"],
        scope_type="customer",
        scope_id=world.a.customer_id,
        allow=["in:fr"],
    )
    assert wider.status_code == 400  # type: ignore[attr-defined]
    assert wider.json()["errors"][0]["field"] == "allow"  # type: ignore[attr-defined]
    assert "in:fr" in wider.json()["detail"]  # type: ignore[attr-defined]
    narrower = policy(
        client,
        world.a.tokens["customer-admin"],
        scope_type="customer",
        scope_id=world.a.customer_id,
        allow=["fr-rns-1a"],
    )
    assert narrower.status_code == 201  # type: ignore[attr-defined]


def test_zone_level_policy_steers_placement(client: TestClient, world: World) -> None:
    ok(
        policy(
            client,
            world.a.tokens["customer-admin"],
            scope_type="project",
            scope_id=world.a.project_id,
            allow=["fr-par-1b"],
        ),
        201,
    )
    zones = {
        ok(
            create_server(
                client, world.a.tokens["customer-member"], world.a.project_id, name=f"z{i}"
            ),
            202,
        )["zone"]
        for i in range(4)
    }
    assert zones == {"fr-par-1b"}
    other = ok(create_server(client, world.b.tokens["customer-member"], world.b.project_id), 202)
    assert other["region"] == "fr-par-1"  # B is not bound by A's policy


def test_audit_mode_lets_through_and_records(client: TestClient, world: World) -> None:
    ok(
        policy(
            client,
            world.a.tokens["customer-admin"],
            scope_type="project",
            scope_id=world.a.project_id,
            deny=["fr-par-1"],
            mode="audit",
        ),
        201,
    )
    ok(create_server(client, world.a.tokens["customer-member"], world.a.project_id), 202)
    (decision,) = decisions(client, world.a.tokens["customer-admin"])
    assert decision["allowed"] and decision["code"] == "audit:denied-term:project:fr-par-1"


def test_a_policy_change_lists_what_no_longer_complies(
    client: TestClient, container: App, world: World
) -> None:
    server = ok(create_server(client, world.a.tokens["customer-member"], world.a.project_id), 202)
    container.reconciler.run_once()
    changed = ok(
        policy(
            client,
            world.a.tokens["customer-admin"],
            scope_type="customer",
            scope_id=world.a.customer_id,
            allow=["in:FR-BRE"],
        ),
        201,
    )
    assert [(f["server_id"], f["code"]) for f in changed["findings"]] == [
        (server["id"], "denied:not-allowed:customer")
    ]
    findings = ok(
        client.get("/v1/compliance/findings", headers=auth(world.a.tokens["customer-viewer"]))
    )["items"]
    assert [f["server_id"] for f in findings] == [server["id"]]
    still = ok(
        client.get(f"/v1/servers/{server['id']}", headers=auth(world.a.tokens["customer-viewer"]))
    )
    assert still["status"] == "ACTIVE"  # findings, never deletion
    for reader, kinds in (
        (world.a.tokens["customer-viewer"], ["compliance-finding"]),
        (world.a.tokens["partner-admin"], ["compliance-finding"]),
        (world.b.tokens["customer-admin"], []),
    ):
        notes = ok(client.get("/v1/notifications", headers=auth(reader)))["items"]
        assert [n["kind"] for n in notes] == kinds
        assert all(server["id"] in n["message"] for n in notes)
    second = ok(
        policy(
            client,
            world.a.tokens["customer-admin"],
            scope_type="customer",
            scope_id=world.a.customer_id,
            allow=["in:FR-BRE"],
            min_certification="hds",
        ),
        201,
    )
    assert second["version"] == 2


def test_bad_policies_are_refused(client: TestClient, world: World) -> None:
    cases: list[tuple[str, dict[str, Any], int]] = [
        (
            world.a.tokens["customer-member"],
            {"scope_type": "customer", "scope_id": world.a.customer_id},
            403,
        ),
        (
            world.b.tokens["customer-admin"],
            {"scope_type": "customer", "scope_id": world.a.customer_id},
            404,
        ),
        (
            world.a.tokens["customer-admin"],
            {
                "scope_type": "customer",
                "scope_id": world.a.customer_id,
                "allow": ["in:narnia-ish!"],
            },
            400,
        ),
        (
            world.a.tokens["customer-admin"],
            {
                "scope_type": "customer",
                "scope_id": world.a.customer_id,
                "min_certification": "gold-star",
            },
            400,
        ),
        (world.a.tokens["partner-admin"], {"scope_type": "operator", "scope_id": "operator"}, 403),
        (world.admin, {"scope_type": "galaxy", "scope_id": "x"}, 400),
    ]
    for token, body, status in cases:
        response = policy(client, token, **body)
        assert response.status_code == status, (body, response.text)  # type: ignore[attr-defined]
    ok(
        policy(
            client,
            world.admin,
            scope_type="operator",
            scope_id="operator",
            allow=["in:fr"],
            min_certification="secnumcloud",
        ),
        201,
    )
    ok(create_server(client, world.a.tokens["customer-member"], world.a.project_id), 202)


def test_data_location_report(client: TestClient, container: App, world: World) -> None:
    member = world.a.tokens["customer-member"]
    ok(create_server(client, member, world.a.project_id, name="paris"), 202)
    ok(create_server(client, member, world.a.project_id, name="rennes", region="fr-rns-1"), 202)
    ok(create_server(client, world.b.tokens["customer-member"], world.b.project_id), 202)
    report = ok(
        client.get(
            f"/v1/customers/{world.a.customer_id}/data-location",
            headers=auth(world.a.tokens["customer-viewer"]),
        )
    )
    where = {
        r["name"]: (r["region"], r["country"], r["territory"], r["certifications"])
        for r in report["resources"]
    }
    assert where == {
        "paris": ("fr-par-1", "FR", "FR-IDF", ["secnumcloud"]),
        "rennes": ("fr-rns-1", "FR", "FR-BRE", ["secnumcloud"]),
        # the servers' network in each region: the project's own, which the cloud made
        "production-fr-par-1": ("fr-par-1", "FR", "FR-IDF", ["secnumcloud"]),
        "production-fr-rns-1": ("fr-rns-1", "FR", "FR-BRE", ["secnumcloud"]),
    }
    hidden = client.get(
        f"/v1/customers/{world.a.customer_id}/data-location",
        headers=auth(world.b.tokens["customer-admin"]),
    )
    assert hidden.status_code == 404
    support = client.get(
        f"/v1/customers/{world.a.customer_id}/data-location", headers=auth(world.support)
    )
    assert support.status_code == 403


def signing(container: App, tmp_path: Path, clock: FrozenClock) -> tuple[App, TestClient, bytes]:
    """The application with an audit signing key (attestations need one), its client and
    the public key."""
    key = tmp_path / "audit.key"
    public = generate_key(key)
    signer = build(replace(container.settings, audit_key_file=str(key)), clock=clock)
    return signer, TestClient(create_app(signer)), public


def test_signed_residency_attestation(
    client: TestClient, container: App, world: World, tmp_path: Path, clock: FrozenClock
) -> None:
    signer, api, public = signing(container, tmp_path, clock)
    member, admin_c = world.a.tokens["customer-member"], world.a.tokens["customer-admin"]
    clock.set(datetime(2026, 10, 1, 8, tzinfo=UTC))
    server = ok(create_server(api, member, world.a.project_id), 202)
    clock.set(datetime(2026, 10, 10, tzinfo=UTC))
    ok(
        policy(
            api, admin_c, scope_type="customer", scope_id=world.a.customer_id, allow=["in:FR-BRE"]
        ),
        201,
    )
    clock.set(datetime(2026, 10, 20, tzinfo=UTC))
    api.delete(f"/v1/servers/{server['id']}", headers=auth(member))
    while signer.reconciler.run_once():
        pass
    clock.set(datetime(2026, 11, 2, tzinfo=UTC))
    signed = ok(
        api.get(
            f"/v1/customers/{world.a.customer_id}/attestations/2026-10",
            headers=auth(world.a.tokens["customer-viewer"]),
        )
    )
    body = signed["attestation"]
    (resource,) = body["resources"]
    assert [(i["from"][:10], i["to"][:10], i["complied"]) for i in resource["intervals"]] == [
        ("2026-10-01", "2026-10-10", True),
        ("2026-10-10", "2026-10-20", False),
    ]
    assert resource["intervals"][1]["policy_versions"][-1] == (f"customer:{world.a.customer_id}:v1")
    assert body["complied"] is False and resource["intervals"][0]["territory"] == "FR-IDF"
    assert signed["public_key"] == public.hex()
    assert check_signature(public, canonical_document(body), bytes.fromhex(signed["signature"]))
    body["complied"] = True
    assert not check_signature(public, canonical_document(body), bytes.fromhex(signed["signature"]))
    assert (
        api.get(
            f"/v1/customers/{world.a.customer_id}/attestations/2026-10",
            headers=auth(world.b.tokens["customer-admin"]),
        ).status_code
        == 404
    )
    unsigned = client.get(
        f"/v1/customers/{world.a.customer_id}/attestations/2026-10", headers=auth(admin_c)
    )
    assert unsigned.status_code == 409
    signer.engine.dispose()


def test_an_attestation_of_the_month_in_progress_stops_at_its_issue_time(
    container: App, world: World, tmp_path: Path, clock: FrozenClock
) -> None:
    signer, api, public = signing(container, tmp_path, clock)
    member, viewer = world.a.tokens["customer-member"], world.a.tokens["customer-viewer"]
    clock.set(datetime(2026, 10, 1, 8, tzinfo=UTC))
    ok(create_server(api, member, world.a.project_id), 202)
    now = datetime(2026, 10, 12, 9, 30, tzinfo=UTC)
    clock.set(now)
    url = f"/v1/customers/{world.a.customer_id}/attestations"
    signed = ok(api.get(f"{url}/2026-10", headers=auth(viewer)))
    body = signed["attestation"]
    (resource,) = body["resources"]
    assert [(i["from"], i["to"]) for i in resource["intervals"]] == [
        ("2026-10-01T08:00:00+00:00", now.isoformat())  # never the rest of the month
    ]
    assert body["partial"] is True and body["covered_until"] == now.isoformat()
    assert check_signature(public, canonical_document(body), bytes.fromhex(signed["signature"]))
    future = api.get(f"{url}/2026-11", headers=auth(viewer))
    assert future.status_code == 400 and "has not begun" in future.text
    signer.engine.dispose()
