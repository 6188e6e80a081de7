"""SecNumCloud controls built for the compliance report (issue 21): regions that say who
runs them and under which law, data that cannot leave the EU by the operator's own hand,
the clock held against the database server's, the public offer document, and the signed
report itself with its evidence."""

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import typer
from fastapi.testclient import TestClient

from andromede.api.app import create_app
from andromede.audit import store as audit_store
from andromede.audit.signing import generate_key, verify
from andromede.bootstrap import App, build
from andromede.cli.main import _refuse_to_start
from andromede.kernel.clock import FrozenClock, MonotonicClock, SystemClock
from andromede.kernel.ids import new_id
from andromede.sovereignty.attestation import canonical_document
from andromede.tenancy.service import OPERATOR_ID, User
from andromede.tenancy.usernames import skeleton
from tests.integration.builders import PASSWORD, World, auth, create_server, ok

US = {
    "code": "us-east-9",
    "name": "Virginia",
    "country": "US",
    "territory": "US-VA",
    "legal_entity": "Andromède US Inc.",
}


def region(client: TestClient, token: str, **body: Any) -> Any:
    return client.post("/v1/regions", headers=auth(token), json=body)


def policies(client: TestClient, token: str) -> list[Any]:
    return ok(client.get("/v1/policies", headers=auth(token)))["items"]


def operator_policy(client: TestClient, token: str, **body: Any) -> Any:
    payload = {"scope_type": "operator", "scope_id": "operator", **body}
    return client.post("/v1/policies", headers=auth(token), json=payload)


def add_us_region(client: TestClient, admin: str) -> None:
    ok(region(client, admin, **US, sovereign=False), 201)
    ok(
        client.post("/v1/zones", headers=auth(admin), json={"region": US["code"], "code": "us-9a"}),
        201,
    )
    host = {"name": "us-hv0", "zone": "us-9a", "vcpus": 16, "ram_mib": 65536, "disk_gib": 100}
    ok(client.post("/v1/hosts", headers=auth(admin), json=host), 201)


def test_regions_state_their_legal_entity_and_jurisdiction(
    client: TestClient, container: App, world: World
) -> None:
    paris = ok(client.get("/v1/regions/fr-par-1", headers=auth(world.admin)))
    assert (paris["legal_entity"], paris["jurisdiction"], paris["sovereign"]) == (
        container.settings.operator_name,
        "FR",
        True,
    )
    body = {"code": "lu-bet-1", "name": "Betzdorf", "country": "LU", "territory": "LU-GR"}
    made = ok(region(client, world.admin, **body, legal_entity="Andromède Luxembourg SA"), 201)
    assert (made["legal_entity"], made["jurisdiction"]) == ("Andromède Luxembourg SA", "LU")
    read = ok(client.get("/v1/regions/lu-bet-1", headers=auth(world.admin)))
    assert read == made
    bad = {"code": "fr-lil-1", "name": "Lille", "country": "FR", "territory": "FR-HDF"}
    for extra, field in (
        ({"jurisdiction": "US"}, "jurisdiction"),
        ({"jurisdiction": "1"}, "jurisdiction"),
        ({"legal_entity": "x" * 201}, "legal_entity"),
    ):
        refused = region(client, world.admin, **bad, **extra)
        assert refused.status_code == 400, refused.text
        assert [e["field"] for e in refused.json()["errors"]] == [field]
    assert client.get("/v1/regions/fr-lil-1", headers=auth(world.admin)).status_code == 404


def test_a_region_outside_the_eu_must_be_flagged_non_sovereign(
    client: TestClient, world: World
) -> None:
    refused = region(client, world.admin, **US)
    assert refused.status_code == 400
    assert [e["field"] for e in refused.json()["errors"]] == ["country"]
    claims = region(client, world.admin, **US, sovereign=False, certifications=["secnumcloud"])
    assert [e["field"] for e in claims.json()["errors"]] == ["certifications"]
    assert client.get("/v1/regions/us-east-9", headers=auth(world.admin)).status_code == 404
    add_us_region(client, world.admin)
    offer = ok(client.get("/v1/offer"))
    assert [s["region"] for s in offer["sites"]] == ["fr-par-1", "fr-rns-1"]
    assert [s["region"] for s in offer["non_sovereign_sites"]] == ["us-east-9"]
    assert offer["governing_law"] == ["FR"]


def test_without_an_operator_policy_data_stays_in_the_eu(client: TestClient, world: World) -> None:
    add_us_region(client, world.admin)
    member = world.a.tokens["customer-member"]
    refused = create_server(client, member, world.a.project_id, region="us-east-9")
    assert refused.status_code == 403, refused.text
    assert refused.json()["code"] == "policy-violation"
    ok(create_server(client, member, world.a.project_id), 202)


def test_the_operators_root_policy_cannot_leave_the_eu(client: TestClient, world: World) -> None:
    add_us_region(client, world.admin)
    before = policies(client, world.admin)
    for body, field in (
        ({"allow": ["in:us"]}, "allow"),
        ({"allow": ["in:US-VA"]}, "allow"),
        ({"allow": ["us-east-9"]}, "allow"),
        ({"allow": ["us-9a"]}, "allow"),
        ({"allow": ["nowhere-1"]}, "allow"),
        ({"allow": []}, "allow"),
        ({"allow": ["in:eu"], "mode": "audit"}, "mode"),
    ):
        refused = operator_policy(client, world.admin, **body)
        assert refused.status_code == 400, (body, refused.text)
        assert {e["field"] for e in refused.json()["errors"]} == {field}, body
    assert policies(client, world.admin) == before
    ok(operator_policy(client, world.admin, allow=["in:eu", "in:FR-BRE", "fr-par-1"]), 201)
    member = world.a.tokens["customer-member"]
    assert create_server(client, member, world.a.project_id, region="us-east-9").status_code == 403


def test_a_clock_off_the_databases_is_refused(client: TestClient, container: App) -> None:
    container.wall_clock = SystemClock()
    assert abs(container.clock_skew()) < timedelta(
        seconds=container.settings.max_clock_skew_seconds
    )
    assert container.clock_refusal() is None
    assert ok(client.get("/v1/health"))["status"] == "ok"
    _refuse_to_start(container)  # no exit
    for offset in (timedelta(minutes=10), -timedelta(minutes=10)):
        container.wall_clock = FrozenClock(datetime.now(UTC) + offset)
        skew = container.clock_skew()
        assert abs(skew - offset) < timedelta(minutes=1)
        assert "off the database server's" in (container.clock_refusal() or "")
        health = client.get("/v1/health")
        assert health.status_code == 503
        assert health.json()["status"] == "clock-skew"
        with pytest.raises(typer.Exit) as stopped:
            _refuse_to_start(container)
        assert stopped.value.exit_code == 2


def test_the_offer_document_follows_the_live_catalog(
    client: TestClient, container: App, world: World
) -> None:
    offer = ok(client.get("/v1/offer"))
    regions = ok(client.get("/v1/regions", headers=auth(world.admin)))["items"]
    zones = ok(client.get("/v1/zones", headers=auth(world.admin)))["items"]
    assert offer["sites"] == [
        {
            "region": r["code"],
            "name": r["name"],
            "country": r["country"],
            "territory": r["territory"],
            "legal_entity": r["legal_entity"],
            "jurisdiction": r["jurisdiction"],
            "certifications": sorted(r["certifications"]),
            "zones": sorted(z["code"] for z in zones if z["region"] == r["code"]),
        }
        for r in sorted(regions, key=lambda r: r["code"])
    ]
    assert offer["provider"]["name"] == container.settings.operator_name
    assert offer["data_residency"]["default_policy"] == ["in:eu"]
    assert offer["certifications"] == ["secnumcloud"]
    assert "approved" in offer["remote_administration"]["customer_data"]
    ok(operator_policy(client, world.admin, allow=["in:fr"]), 201)
    assert ok(client.get("/v1/offer"))["data_residency"]["default_policy"] == ["in:fr"]


JUNIT = """<?xml version="1.0" encoding="utf-8"?>
<testsuites><testsuite name="pytest" timestamp="2026-11-02T08:00:00">
<testcase classname="tests.integration.test_policies" name="test_data_location_report[sqlite]"/>
<testcase classname="tests.integration.test_policies" name="test_data_location_report[pg]"/>
<testcase classname="tests.integration.test_lockbox"
  name="test_the_reported_side_door_is_closed[sqlite]"><failure message="boom"/></testcase>
</testsuite></testsuites>
"""


def legacy_staff_accounts(container: App, usernames: tuple[str, ...]) -> None:
    """Accounts named for a role, made before staff accounts had to name a person: no
    route creates them any more."""
    with container.uow() as session:
        for name in usernames:
            row = User(
                id=new_id(),
                username=name,
                username_skeleton=skeleton(name),
                password_hash="legacy",
                role="operator-support",
                org_kind="operator",
                org_id=OPERATOR_ID,
                created_at=container.clock.now(),
            )
            session.add(row)


def test_the_compliance_report_is_signed_and_states_its_evidence(
    container: App,
    world: World,
    tmp_path: Path,
    clock: FrozenClock,
    request: pytest.FixtureRequest,
) -> None:
    key = tmp_path / "audit.key"
    public = generate_key(key)
    results = tmp_path / "results.xml"
    results.write_text(JUNIT, encoding="utf-8")
    settings = replace(container.settings, audit_key_file=str(key), test_results_file=str(results))
    signer = build(settings, clock=clock)
    request.addfinalizer(signer.engine.dispose)
    api = TestClient(create_app(signer))
    for token in (world.a.tokens["customer-admin"], world.a.tokens["partner-admin"]):
        assert api.get("/v1/compliance/report", headers=auth(token)).status_code == 403
    signed = ok(api.get("/v1/compliance/report", headers=auth(world.support)))
    report = signed["report"]
    assert bytes.fromhex(signed["public_key"]) == public
    assert verify(public, canonical_document(report), bytes.fromhex(signed["signature"]))
    report["summary"]["proven"] += 1
    assert not verify(public, canonical_document(report), bytes.fromhex(signed["signature"]))
    rows = {r["id"]: r for r in signed["report"]["requirements"]}
    assert list(rows) == [f"R{n}" for n in range(1, 23)]
    assert report["test_run"] == {"source": str(results), "at": "2026-11-02T08:00:00"}
    r1_tests = {t["test"]: t["result"] for c in rows["R1"]["controls"] for t in c["tests"]}
    assert r1_tests["tests/integration/test_policies.py::test_data_location_report"] == "passed"
    assert "failed" not in r1_tests.values() and not rows["R1"]["proven"]  # others not run
    r9 = rows["R9"]
    assert r9["standing"] == "in place" and not r9["proven"]
    assert (
        "test tests/integration/test_lockbox.py::test_the_reported_side_door_is_closed failed"
        in r9["findings"]
    )
    for row in rows.values():  # the standing follows from controls and gaps, nothing else
        gaps = [f for f in row["findings"] if f.startswith("not built: ")]
        standing = "absent" if not row["controls"] else "partial" if gaps else "in place"
        assert row["standing"] == standing, row["id"]
    # the tests connect as the schema owner (PostgreSQL) or to a file anyone may write
    assert any("may rewrite the audit log" in f for f in rows["R15"]["findings"])
    assert not [f for f in rows["R7"]["findings"] if f.startswith("staff account")]
    assert not [f for f in rows["R8"]["findings"] if f.startswith("staff account")]
    legacy_staff_accounts(container, ("admin", "support"))  # as an upgraded deployment holds
    again = ok(api.get("/v1/compliance/report", headers=auth(world.admin)))["report"]
    rows = {r["id"]: r for r in again["requirements"]}
    shared = [f for f in rows["R7"]["findings"] if f.startswith("staff account")]
    assert len(shared) == 2 and "'admin'" in shared[0] and "'support'" in shared[1]
    nobody = [f for f in rows["R8"]["findings"] if f.startswith("staff account")]
    assert len(nobody) == 2 and "'admin' names no person" in nobody[0]
    users = ok(api.get("/v1/users", headers=auth(world.admin)))["items"]
    legacy = next(u["id"] for u in users if u["username"] == "support")
    named = {"person": "e-2001"}
    ok(api.patch(f"/v1/users/{legacy}", headers=auth(world.admin), json=named))
    again = api.patch(f"/v1/users/{legacy}", headers=auth(world.admin), json={"person": "x"})
    assert again.status_code == 409  # named once: nobody changes who they are
    rows = {r["id"]: r for r in ok(api.get("/v1/compliance/report", headers=auth(world.admin)))[
        "report"]["requirements"]}  # fmt: skip
    assert len([f for f in rows["R8"]["findings"] if f.startswith("staff account")]) == 1
    results.unlink()  # no test run: every test "not run", nothing proven
    unproven = ok(api.get("/v1/compliance/report", headers=auth(world.admin)))["report"]
    assert unproven["test_run"] is None and unproven["summary"]["proven"] == 0


CLOUDS = """clouds:
  rennes:
    auth: {auth_url: "https://keystone.rennes.example:5000/v3", username: u, password: p}
  virginia:
    auth: {auth_url: "https://keystone.virginia.example/v3", username: u, password: p}
"""


def test_sinks_outside_the_eu_stop_the_service_unless_waived(
    container: App, world: World, tmp_path: Path, clock: FrozenClock
) -> None:
    clouds = tmp_path / "clouds.yaml"
    clouds.write_text(CLOUDS, encoding="utf-8")
    key = tmp_path / "audit.key"
    generate_key(key)
    base = replace(
        container.settings,
        openstack_clouds_file=str(clouds),
        openstack_regions="fr-rns-1=rennes,fr-par-1=virginia",
        audit_key_file=str(key),
        smtp_url="smtp://relay.example.fr:25",
    )

    apps: list[App] = []

    def app(countries: str = "", waivers: str = "") -> App:
        apps.append(
            build(replace(base, sink_countries=countries, sink_waivers=waivers), clock=clock)
        )
        return apps[-1]

    try:
        undeclared = app().startup_refusals()
        assert len(undeclared) == 3 and all("of no declared country" in r for r in undeclared)
        assert "mail-relay smtp://relay.example.fr:25" in undeclared[2]
        declared = "keystone.rennes.example=FR,keystone.virginia.example=US,relay.example.fr=FR"
        (outside,) = app(declared).startup_refusals()
        assert "keystone.virginia.example" in outside and "in US, outside the EU" in outside
        waived = app(declared, "keystone.virginia.example")
        assert waived.startup_refusals() == []
        assert "ANDROMEDE_SINK_COUNTRIES" in app("keystone=France").startup_refusals()[0]
        with pytest.raises(typer.Exit):
            _refuse_to_start(app(declared))
        _refuse_to_start(waived)  # starts: the waiver is the operator's, and it is reported
        with TestClient(create_app(waived)) as api:
            report = ok(api.get("/v1/compliance/report", headers=auth(world.admin)))["report"]
    finally:
        for made in apps:
            made.engine.dispose()
    sinks = {s["target"]: s for s in report["deployment"]["sinks"]}
    assert sinks["fr-rns-1: https://keystone.rennes.example:5000/v3"]["verdict"] == "eu"
    assert sinks["fr-par-1: https://keystone.virginia.example/v3"]["verdict"] == "waived"
    assert next(s for s in sinks.values() if s["kind"] == "database")["verdict"] == "local"
    r4 = next(r for r in report["requirements"] if r["id"] == "R4")
    assert any("waived by the operator" in f for f in r4["findings"])


def test_audit_entries_name_the_realm_and_the_source(
    client: TestClient, container: App, world: World
) -> None:
    from andromede.audit.service import AuditEntry

    member = world.a.tokens["customer-member"]
    server = ok(create_server(client, member, world.a.project_id), 202)
    refused = create_server(client, member, world.b.project_id)  # another tenant's project
    assert refused.status_code == 404
    signing_in = {"username": "a-partner-admin", "password": PASSWORD}
    ok(client.post("/v1/tokens", json=signing_in), 201)
    container.reconciler.run_once()
    with container.uow(readonly=True) as session:
        rows = session.query(AuditEntry).order_by(AuditEntry.seq.desc()).limit(4).all()[::-1]
    assert [(r.action, r.outcome, r.realm, r.source) for r in rows] == [
        ("server.create", "success", "customer", "testclient"),
        ("server.create", "failure: not-found", "customer", "testclient"),
        ("token.issue", "success", "partner", "testclient"),
        ("server.observed.ACTIVE", "success", "system", None),
    ]
    assert rows[0].target_id == server["id"]
    listed = ok(client.get("/v1/audit", headers=auth(world.admin)))["items"]
    assert {"realm", "source"} <= set(listed[0])


def test_the_data_location_report_covers_every_kind_of_resource(
    client: TestClient, container: App, world: World
) -> None:
    from tests.integration.builders import SSH_KEY
    from tests.integration.test_volumes import storage, volume

    member, pid = world.a.tokens["customer-member"], world.a.project_id
    headers = auth(member)
    ok(create_server(client, member, pid, "web", zone="fr-par-1b"), 202)
    storage(client, world)
    ok(volume(client, member, pid, size_gib=2), 201)
    ok(client.post("/v1/networks", headers=headers, json={"project_id": pid, "name": "lan"}), 201)
    image = {"name": "golden", "disk_format": "raw", "region": "fr-rns-1"}
    made = ok(client.post(f"/v1/projects/{pid}/images", headers=headers, json=image), 201)
    octets = headers | {"Content-Type": "application/octet-stream"}
    assert (
        client.put(f"/v1/images/{made['id']}/file", headers=octets, content=b"x" * 512).status_code
        == 204
    )
    keypair = {"project_id": pid, "name": "deploy", "public_key": SSH_KEY}
    ok(client.post("/v1/keypairs", headers=headers, json=keypair), 201)
    report = ok(
        client.get(
            f"/v1/customers/{world.a.customer_id}/data-location",
            headers=auth(world.a.tokens["customer-admin"]),
        )
    )
    where = {
        (r["resource_type"], r["name"]): (r["region"], r["country"]) for r in report["resources"]
    }
    assert where == {
        ("server", "web"): ("fr-par-1", "FR"),
        ("network", "production-fr-par-1"): ("fr-par-1", "FR"),  # the project's own, by default
        ("volume", ""): ("fr-par-1", "FR"),
        ("network", "lan"): ("fr-par-1", "FR"),
        ("image", "golden"): ("fr-rns-1", "FR"),
    }
    technical = {(t["kind"], t["name"]): t["country"] for t in report["technical_data"]}
    assert technical == {
        ("keypair", "deploy"): "FR",
        ("records", "accounts, projects, policies, audit entries, usage, invoices"): "FR",
    }
    other = ok(
        client.get(
            f"/v1/customers/{world.b.customer_id}/data-location",
            headers=auth(world.b.tokens["customer-admin"]),
        )
    )
    assert other["resources"] == [] and [t["kind"] for t in other["technical_data"]] == ["records"]


def test_who_can_access_a_customers_resources_and_every_right_of_one_account(
    client: TestClient, world: World
) -> None:
    from tests.integration.builders import grant_access

    url = f"/v1/customers/{world.a.customer_id}/access-rights"

    def principals(token: str, **params: str) -> list[tuple[str, str, str]]:
        found = ok(client.get(url, headers=auth(token), params=params))["principals"]
        return [(p["username"], p["realm"], p["access"]) for p in found]

    expected = [
        ("a-customer-admin", "customer", "read-write"),
        ("a-customer-member", "customer", "read-write"),
        ("a-customer-viewer", "customer", "read"),
        ("a-partner-admin", "partner", "read-write"),
        ("a-partner-user", "partner", "read-write"),
    ]
    assert principals(world.a.tokens["partner-admin"]) == expected  # no staff: lockbox closed
    unseen = ok(client.get(url, headers=auth(world.support)))  # the customer's accounts are
    assert [p["realm"] for p in unseen["principals"]] == ["partner", "partner"]  # its data
    assert unseen["hidden_accounts"] == 3
    a_admin = world.a.tokens["customer-admin"]
    grant = grant_access(client, world.support, world.a.customer_id, a_admin)
    found = ok(client.get(url, headers=auth(world.support)))
    assert found["hidden_accounts"] == 0 and len(found["principals"]) == 6
    staff = [p for p in found["principals"] if p["realm"] == "staff"]
    assert [(p["username"], p["access"], p["grant_id"]) for p in staff] == [
        ("lbernard", "read", grant)
    ]
    assert principals(world.a.tokens["customer-admin"], project_id=world.a.project_id)[:1] == [
        ("a-customer-admin", "customer", "read-write")
    ]
    for token, status in (
        (world.a.tokens["customer-member"], 403),
        (world.a.tokens["partner-user"], 403),
        (world.b.tokens["customer-admin"], 404),
        (world.b.tokens["partner-admin"], 404),
    ):
        assert client.get(url, headers=auth(token)).status_code == status
    foreign = client.get(
        url, headers=auth(world.support), params={"project_id": world.b.project_id}
    )
    assert foreign.status_code == 404

    users = ok(client.get("/v1/users", headers=auth(world.a.tokens["customer-admin"])))["items"]
    viewer = next(u for u in users if u["username"] == "a-customer-viewer")
    rights = ok(
        client.get(
            f"/v1/users/{viewer['id']}/rights", headers=auth(world.a.tokens["customer-admin"])
        )
    )
    assert (rights["role"], rights["realm"], rights["permissions"]) == (
        "customer-viewer",
        "customer",
        [],
    )
    refused = client.get(
        f"/v1/users/{viewer['id']}/rights", headers=auth(world.b.tokens["customer-admin"])
    )
    assert refused.status_code == 404


def _name(common_name: str, country: str | None) -> Any:
    from cryptography import x509
    from cryptography.x509.oid import NameOID

    parts = [x509.NameAttribute(NameOID.COMMON_NAME, common_name)]
    if country:
        parts.append(x509.NameAttribute(NameOID.COUNTRY_NAME, country))
    return x509.Name(parts)


def _issue(subject: Any, key: Any, issuer: Any, signer: Any, days: int = 4000) -> bytes:
    """A certificate for ``key``'s public half, signed by ``signer``, PEM; it started
    400 days ago."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization

    start = datetime.now(UTC) - timedelta(days=400)
    cert = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(start)
        .not_valid_after(start + timedelta(days=days))
        .sign(signer, hashes.SHA256())
    )
    return cert.public_bytes(serialization.Encoding.PEM)


def _certificate(issuer_country: str | None, days: int) -> bytes:
    from cryptography.hazmat.primitives.asymmetric import ec

    key = ec.generate_private_key(ec.SECP256R1())
    name = _name(f"Root {issuer_country or 'anywhere'}", issuer_country)
    return _issue(name, key, name, key, days)


def _chain() -> bytes:
    """A leaf issued by a French CA that a US root signed, and a self-signed impostor of
    that CA's name whose key signed nothing here: PEM, leaf first."""
    from cryptography.hazmat.primitives.asymmetric import ec

    keys = [ec.generate_private_key(ec.SECP256R1()) for _ in range(4)]
    root, ca = _name("Root US", "US"), _name("CA FR", "FR")
    return b"".join(
        (
            _issue(_name("api.example.fr", "FR"), keys[0], ca, keys[1]),
            _issue(ca, keys[3], ca, keys[3]),  # the impostor: same name, its own French root
            _issue(ca, keys[1], root, keys[2]),
            _issue(root, keys[2], root, keys[2]),
        )
    )


def test_the_certificate_inventory_names_each_issuer_and_its_country(
    container: App, world: World, tmp_path: Path, clock: FrozenClock
) -> None:
    bundle = tmp_path / "bundle.pem"
    bundle.write_bytes(_certificate("FR", 4000) + _certificate("US", 4000))
    expired = tmp_path / "expired.pem"
    expired.write_bytes(_certificate("DE", 10))
    (tmp_path / "junk.pem").write_text("not a certificate")
    key = tmp_path / "audit.key"
    generate_key(key)
    chain, store = tmp_path / "chain.pem", tmp_path / "trust-store.pem"
    *configured, root = _chain().split(b"-----END CERTIFICATE-----\n")[:4]
    chain.write_bytes(b"".join(c + b"-----END CERTIFICATE-----\n" for c in configured))
    store.write_bytes(root + b"-----END CERTIFICATE-----\n")  # the root, from the system's
    files = ",".join(str(p) for p in (bundle, expired, tmp_path / "junk.pem", chain))
    settings = replace(
        container.settings, audit_key_file=str(key), certificates=files, trust_store=str(store)
    )
    app = build(settings, clock=clock)
    try:
        with TestClient(create_app(app)) as api:
            report = ok(api.get("/v1/compliance/report", headers=auth(world.admin)))["report"]
    finally:
        app.engine.dispose()
    found = [(c["issuer_country"], c["verdict"]) for c in report["deployment"]["certificates"]]
    assert found == [
        ("FR", "eu-issuer"),
        ("US", "non-eu-root"),  # self-signed: its own root
        ("DE", "expired"),
        (None, "expired"),  # unreadable: listed, never silently skipped
        ("FR", "non-eu-root"),  # a French CA's leaf, under a US root (by its signature)
        ("FR", "eu-issuer"),  # the impostor, its own root
        ("US", "non-eu-root"),  # the root, in the trust store only, is not listed
    ]
    roots = [c["root"] for c in report["deployment"]["certificates"]]
    assert roots[:2] == ["C=FR,CN=Root FR", "C=US,CN=Root US"]
    us = "C=US,CN=Root US"
    assert roots[4:] == [us, "C=FR,CN=CA FR", us]
    r13 = next(r for r in report["requirements"] if r["id"] == "R13")
    live = [f for f in r13["findings"] if f.startswith("certificate ")]
    assert len(live) == 5 and "non-eu-root" in live[0] and "root C=US,CN=Root US" in live[-1]


def test_stored_data_left_outside_a_new_policy_is_reported_and_not_copied_again(
    client: TestClient, world: World
) -> None:
    from tests.integration.test_volumes import storage, volume

    storage(client, world)
    member, admin_c = world.a.tokens["customer-member"], world.a.tokens["customer-admin"]
    made = ok(volume(client, member, world.a.project_id, size_gib=2), 201)
    copy = {"volume_id": made["id"], "force": True}
    snap = ok(client.post("/v1/volume-snapshots", headers=auth(member), json=copy), 201)
    backup = ok(client.post("/v1/volume-backups", headers=auth(member), json=copy), 201)
    theirs = ok(
        volume(client, world.b.tokens["customer-admin"], world.b.project_id, size_gib=2), 201
    )
    brittany = {"scope_type": "customer", "scope_id": world.a.customer_id, "allow": ["in:FR-BRE"]}
    changed = ok(client.post("/v1/policies", headers=auth(admin_c), json=brittany), 201)
    found = {(f["resource_type"], f["server_id"]) for f in changed["findings"]}
    assert found == {
        ("volume", made["id"]),
        ("snapshot", snap["id"]),
        ("backup", backup["id"]),
    }
    assert all(f["server_id"] != theirs["id"] for f in changed["findings"])
    notes = ok(client.get("/v1/notifications", headers=auth(admin_c)))["items"]
    assert any(n["kind"] == "compliance-finding" and "backup" in n["message"] for n in notes)
    listed = ok(client.get("/v1/compliance/findings", headers=auth(admin_c)))["items"]
    assert {(f["resource_type"], f["server_id"]) for f in listed} == found
    again = client.post("/v1/volume-snapshots", headers=auth(member), json=copy)
    assert again.status_code == 403 and again.json()["code"] == "policy-violation"


def test_problems_are_titled_in_french_when_asked(client: TestClient, world: World) -> None:
    french = {**auth(world.a.tokens["customer-admin"]), "Accept-Language": "fr-FR,fr;q=0.9"}
    missing = client.get("/v1/servers/none", headers=french)
    assert missing.status_code == 404 and missing.json()["title"] == "Introuvable"
    bad = client.post("/v1/policies", headers=french, json={"scope_type": "galaxy"})
    assert bad.json()["title"] == "Requête invalide"
    deep = {**french, "Content-Type": "application/json"}
    big = client.post("/v1/policies", headers=deep, content=b"[" * 100 + b"]" * 100)
    assert big.status_code == 400 and "nested deeper" in big.json()["detail"]
    assert big.json()["title"] == "Requête invalide"  # refused before the app, in French too
    english = client.get("/v1/servers/none", headers=auth(world.a.tokens["customer-admin"]))
    assert english.json()["title"] == "Not found"


def test_problems_are_explained_in_french_where_the_facts_are_known(
    client: TestClient, world: World
) -> None:
    french = {**auth(world.a.tokens["customer-admin"]), "Accept-Language": "fr"}
    missing = client.get("/v1/servers/none", headers=french).json()
    assert missing["detail"] == "serveur 'none' introuvable"
    bad = client.post("/v1/policies", headers=french, json={"scope_type": "galaxy"}).json()
    assert {e["field"]: e["message"] for e in bad["errors"]}["scope_id"] == "champ requis"
    assert "scope_id: champ requis" in bad["detail"]
    expired = client.get(
        "/v1/servers", headers={"Authorization": "Bearer x", "Accept-Language": "fr"}
    )
    assert expired.status_code == 401 and expired.json()["detail"] == "jeton invalide"
    english = client.get("/v1/servers/none", headers=auth(world.a.tokens["customer-admin"]))
    assert english.json()["detail"] == "server 'none' not found"


def test_staff_and_tenants_are_served_on_separate_listeners(
    container: App, world: World, clock: FrozenClock
) -> None:
    app = build(replace(container.settings, staff_listen="127.0.0.1:9443"), clock=clock)
    try:
        public = TestClient(create_app(app))
        staff = TestClient(create_app(app), base_url="http://127.0.0.1:9443")
        customer = auth(world.a.tokens["customer-admin"])
        assert public.get("/v1/servers", headers=customer).status_code == 200
        refused = staff.get("/v1/servers", headers=customer)
        assert refused.status_code == 403 and "staff listener" in refused.json()["detail"]
        assert staff.get("/v1/customers", headers=auth(world.admin)).status_code == 200
        assert public.get("/v1/customers", headers=auth(world.admin)).status_code == 403
        assert public.get("/v1/regions").status_code == 401  # nothing for the anonymous
        tenant = {"username": "a-customer-admin", "password": PASSWORD}
        staffer = {"username": "cmartin", "password": app.settings.admin_password}
        for face, who, status in ((staff, tenant, 403), (public, staffer, 403)):
            refused = face.post("/v1/tokens", json=who)
            assert refused.status_code == status and "listener" in refused.json()["detail"]
        wrong = face.post("/v1/tokens", json={**staffer, "password": "not-the-password"})
        assert wrong.status_code == 401  # the listener is told only to who proved who they are
        assert ok(staff.post("/v1/tokens", json=staffer), 201)["token"]
        keystone = {
            "auth": {
                "identity": {
                    "methods": ["password"],
                    "password": {
                        "user": {
                            "name": "a-customer-admin",
                            "domain": {"id": "default"},
                            "password": PASSWORD,
                        }
                    },
                }
            }
        }
        refused = staff.post("/identity/v3/auth/tokens", json=keystone)
        assert refused.status_code == 403 and "staff listener" in refused.text
    finally:
        app.engine.dispose()


def test_the_log_keeps_time_order_and_the_report_names_any_break(
    client: TestClient, container: App, world: World, tmp_path: Path, clock: FrozenClock
) -> None:
    """A host clock that steps back leaves no trace out of order (the entry takes the log's
    latest time); an entry out of order that got in another way (written by a version
    before this one, or a restored backup) is named in the report."""
    key = tmp_path / "audit.key"
    generate_key(key)
    app = build(replace(container.settings, audit_key_file=str(key)), clock=clock)
    try:
        with TestClient(create_app(app)) as api:
            admin = auth(world.admin)

            def r16() -> list[str]:
                report = ok(api.get("/v1/compliance/report", headers=admin))["report"]
                row = next(r for r in report["requirements"] if r["id"] == "R16")
                return [f for f in row["findings"] if f.startswith("audit entry")]

            assert r16() == []  # the world was built at one frozen instant, then forward
            with app.uow(readonly=True) as session:
                latest = audit_store.latest_time(session)
            clock.advance(-timedelta(minutes=5))  # the host's clock jumps back
            member = world.a.tokens["customer-member"]
            ok(create_server(api, member, world.a.project_id, "late"), 202)
            assert r16() == []
            with app.uow(readonly=True) as session:
                assert audit_store.latest_time(session) == latest
            with app.uow() as session:  # as an older version, whose clock stepped back, did
                audit_store.append(session, _entry(clock.now() - timedelta(minutes=1)))
            (found,) = r16()
            assert "a clock stepped back" in found
    finally:
        app.engine.dispose()


def _entry(at: datetime) -> dict[str, Any]:
    return {
        "id": new_id(),
        "at": at,
        "actor": "system",
        "action": "server.create",
        "target_type": "server",
        "tenant_path": "/",
        "outcome": "success",
    }


def test_audit_time_never_goes_back_across_processes(
    client: TestClient, container: App, world: World, clock: FrozenClock
) -> None:
    """Two processes on one database, the second's clock two minutes behind the first's
    (within no skew check's reach here): the log's order never goes back in time."""
    ahead = build(container.settings, clock=FrozenClock(clock.now() + timedelta(minutes=2)))
    behind = build(container.settings, clock=FrozenClock(clock.now()))
    member = world.a.tokens["customer-member"]
    try:
        with TestClient(create_app(ahead)) as first, TestClient(create_app(behind)) as second:
            ok(create_server(first, member, world.a.project_id, "first"), 202)
            ok(create_server(second, member, world.a.project_id, "second"), 202)
            ok(create_server(first, member, world.a.project_id, "third"), 202)
        with ahead.uow(readonly=True) as session:
            assert audit_store.backward_steps(session) == []
            assert audit_store.latest_time(session) == clock.now() + timedelta(minutes=2)
    finally:
        ahead.engine.dispose()
        behind.engine.dispose()


def test_audit_time_never_goes_back_in_a_process(
    client: TestClient, container: App, world: World, clock: FrozenClock
) -> None:
    """The business clock holds when the host's steps back, from the log's latest entry on
    (as serve and worker take it when they start)."""
    host = FrozenClock(clock.now() - timedelta(minutes=3))  # this host lags the log's writer
    app = build(container.settings, clock=MonotonicClock(host))
    try:
        app.hold_time_from_log()
        with app.uow(readonly=True) as session:
            latest = audit_store.latest_time(session)
        assert latest is not None and app.clock.now() == latest
        with TestClient(create_app(app)) as api:
            member = world.a.tokens["customer-member"]
            host.advance(-timedelta(minutes=5))  # and its clock then steps back
            ok(create_server(api, member, world.a.project_id, "held"), 202)
            host.set(latest + timedelta(seconds=1))  # caught up: time moves again
            ok(create_server(api, member, world.a.project_id, "after"), 202)
        with app.uow(readonly=True) as session:
            assert audit_store.backward_steps(session) == []
            assert audit_store.latest_time(session) == latest + timedelta(seconds=1)
    finally:
        app.engine.dispose()


EGRESS_PROBE = """
import socket, sys
from andromede.bootstrap import build
from andromede.config import load_settings

app = build(load_settings(env={}, database_url=sys.argv[1], sink_countries="192.0.2.7=FR",
                          egress_guard=True))
app.guard_egress()
listener = socket.create_server(("127.0.0.1", 0))
socket.create_connection(listener.getsockname(), timeout=2).close()
print("local: served")
for host in ("192.0.2.8", "192.0.2.7"):
    try:
        socket.create_connection((host, 9), timeout=0.3)
    except PermissionError as exc:
        print(f"{host}: refused: {exc}")
    except OSError:
        print(f"{host}: let through")
"""


def test_the_egress_guard_lets_out_only_the_registrys_hosts(tmp_path: Path) -> None:
    """In a process of its own: the hook, once installed, stays for the process's life."""
    import subprocess
    import sys

    url = f"sqlite:///{tmp_path / 'probe.db'}"
    done = subprocess.run([sys.executable, "-c", EGRESS_PROBE, url], capture_output=True,
                          text=True, timeout=60, check=False)  # fmt: skip
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0] == "local: served"
    assert lines[1].startswith("192.0.2.8: refused: egress refused: 192.0.2.8 is not a host")
    assert lines[2] == "192.0.2.7: let through"  # declared: the guard lets it try
