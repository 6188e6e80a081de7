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
from andromede.audit.signing import generate_key, verify
from andromede.bootstrap import App, build
from andromede.cli.main import _refuse_to_start
from andromede.kernel.clock import FrozenClock, SystemClock
from andromede.sovereignty.attestation import canonical_document
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
    assert rows["R12"]["standing"] == "absent"
    assert rows["R12"]["findings"][0].startswith("not built: ")
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
    )

    apps: list[App] = []

    def app(countries: str = "", waivers: str = "") -> App:
        apps.append(
            build(replace(base, sink_countries=countries, sink_waivers=waivers), clock=clock)
        )
        return apps[-1]

    try:
        undeclared = app().startup_refusals()
        assert len(undeclared) == 2 and all("of no declared country" in r for r in undeclared)
        declared = "keystone.rennes.example=FR,keystone.virginia.example=US"
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
