"""An auditor's round: the operator fetches the signed SecNumCloud report with the
``andromede`` CLI from a running service, and the auditor checks it offline with the
public key alone; an altered copy is refused."""

import json
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.e2e.conftest import LoggedIn, Service, cli_server, start_service

JUNIT = """<testsuites><testsuite timestamp="2026-12-05T16:00:00">
<testcase classname="tests.integration.test_lockbox"
  name="test_staff_reach_a_customer_only_through_its_grant[sqlite]"/>
</testsuite></testsuites>"""


@pytest.fixture
def audited(tmp_path: Path) -> Iterator[Service]:
    svc = start_service(tmp_path / "svc", ANDROMEDE_STAFF_MFA="optional")
    svc.stop()  # again with the demo's signing key and a test run's results
    results = tmp_path / "results.xml"
    results.write_text(JUNIT, encoding="utf-8")
    svc.env["ANDROMEDE_AUDIT_KEY_FILE"] = str(svc.db_path.with_name("audit-signing.key"))
    svc.env["ANDROMEDE_TEST_RESULTS_FILE"] = str(results)
    svc.start()
    yield svc
    svc.stop()


def offline(*args: str) -> subprocess.CompletedProcess[str]:
    return cli_server().run(["compliance", "verify", *args], {"PATH": "/usr/bin:/bin"}, timeout=60)


def test_the_report_is_fetched_then_verified_offline(audited: Service, tmp_path: Path) -> None:
    admin = LoggedIn(audited, tmp_path / "admin.json", user="cmartin", password="e2e-admin-secret")
    signed = tmp_path / "report.json"
    table = admin.run("compliance", "report", "--out", str(signed))
    assert "R22" in table and "signed by" in table
    rows = json.loads(admin.run("compliance", "report", "-o", "json"))
    assert [r["id"] for r in rows] == [f"R{n}" for n in range(1, 23)]
    r9 = next(r for r in rows if r["id"] == "R9")
    assert r9["tests passed"].startswith("1/")  # the one test in this run's results
    customers = json.loads(admin.run("customer", "list", "-o", "json"))
    clinic = next(c["id"] for c in customers if c["name"] == "Clinique des Tilleuls")
    rights = json.loads(admin.run("access", "rights", clinic, "-o", "json"))
    # staff without the clinic's grant: its partner's accounts, never its own (its data)
    assert "armor-admin" in {r["username"] for r in rights}
    assert {r["realm"] for r in rights} == {"partner"}
    customer = LoggedIn(audited, tmp_path / "customer.json", user="commune-admin")
    refused = customer.raw("compliance", "report")
    assert refused.returncode != 0 and refused.stderr.strip()

    public = str(audited.db_path.with_name("audit-signing.pub"))
    verified = offline(str(signed), "--public-key", public)
    assert verified.returncode == 0, verified.stderr
    assert "compliance report verified" in verified.stdout

    document = json.loads(signed.read_text(encoding="utf-8"))
    document["report"]["requirements"][11]["standing"] = "in place"  # R12, claimed
    tampered = tmp_path / "tampered.json"
    tampered.write_text(json.dumps(document), encoding="utf-8")
    altered = offline(str(tampered), "--public-key", public)
    assert altered.returncode == 1 and "NOT verified" in altered.stderr

    (tmp_path / "garbage.json").write_text("{", encoding="utf-8")
    unreadable = offline(str(tmp_path / "garbage.json"), "--public-key", public)
    assert unreadable.returncode == 2 and len(unreadable.stderr.strip().splitlines()) == 1


def test_a_maintenance_and_a_vetting_from_the_cli(audited: Service, tmp_path: Path) -> None:
    admin = LoggedIn(audited, tmp_path / "admin.json", user="cmartin", password="e2e-admin-secret")
    made = json.loads(
        admin.run(
            "maintenance", "announce", "fr-par-1", "--start", "2031-01-10T22:00:00+01:00",
            "--end", "2031-01-11T02:00:00+01:00", "--nature", "power feed A replaced",
            "--impact", "none", "--contact", "noc@andromede.example", "-o", "json",
        )
    )  # fmt: skip
    assert made["region"] == "fr-par-1" and made["starts_at"] == "2031-01-10T21:00:00+00:00"
    listed = json.loads(admin.run("maintenance", "list", "-o", "json"))
    assert [m["id"] for m in listed] == [made["id"]]
    vetted = audited.cli(
        "staff", "vet", "lbernard", "--level", "basic", "--until", "2031-01-01",
        "--office", "FR", config=tmp_path / "server.json",
    )  # fmt: skip
    assert vetted.returncode == 0 and "basic vetting until 2031-01-01" in vetted.stdout
    unknown = audited.cli(
        "staff", "vet", "lbernard", "--level", "cosmic", "--until", "2031-01-01",
        "--office", "FR", config=tmp_path / "server.json",
    )  # fmt: skip
    assert unknown.returncode == 2 and "level" in unknown.stderr
    bad = admin.raw(
        "maintenance", "announce", "fr-par-1", "--start", "2031-01-10T22:00:00+01:00",
        "--end", "2031-01-10T21:00:00+01:00", "--nature", "x", "--impact", "none",
        "--contact", "noc",
    )  # fmt: skip
    assert bad.returncode == 2 and "ends_at" in bad.stderr
    assert len(bad.stderr.strip().splitlines()) == 1

    abroad = audited.cli(
        "staff", "vet", "lbernard", "--level", "basic", "--until", "2031-01-01",
        "--office", "CA", config=tmp_path / "server.json",
    )  # fmt: skip
    assert abroad.returncode == 0, abroad.stderr
    support = LoggedIn(audited, tmp_path / "support.json", user="lbernard")
    alone = support.raw("customer", "list")
    assert alone.returncode != 0 and "live supervision" in alone.stderr
    staff = json.loads(admin.run("user", "list", "-o", "json"))
    lbernard = next(u["id"] for u in staff if u["username"] == "lbernard")
    watch = json.loads(admin.run("access", "supervise", lbernard, "--minutes", "30",
                                 "--reason", "night shift, Montreal", "-o", "json"))  # fmt: skip
    assert watch["active"] and watch["supervisor"] == "cmartin"
    assert json.loads(support.run("customer", "list", "-o", "json"))  # supervised: served
    admin.run("access", "end-supervision", watch["id"])
    assert support.raw("customer", "list").returncode != 0


def test_staff_have_their_own_listener(tmp_path: Path) -> None:
    """A real serve with ANDROMEDE_STAFF_LISTEN: two listeners in one process, each for one
    realm, and both stop on SIGTERM."""
    from tests.e2e.conftest import free_port

    staff_port = free_port()
    svc = start_service(
        tmp_path / "svc",
        ANDROMEDE_STAFF_MFA="optional",
        ANDROMEDE_STAFF_LISTEN=f"127.0.0.1:{staff_port}",
        ANDROMEDE_EGRESS_GUARD="true",  # and it serves with the egress guard on
    )
    try:
        staff_url = f"http://127.0.0.1:{staff_port}"
        admin = svc.cli("login", "-u", "cmartin", "-p", "e2e-admin-secret", "--url", staff_url,
                        config=tmp_path / "admin.json")  # fmt: skip
        assert admin.returncode == 0, admin.stderr
        regions = svc.cli("customer", "list", "-o", "json", config=tmp_path / "admin.json")
        assert regions.returncode == 0 and json.loads(regions.stdout)
        customer = LoggedIn(svc, tmp_path / "customer.json", user="commune-admin")
        assert json.loads(customer.run("server", "list", "-o", "json")) is not None
        wrong = svc.cli("login", "-u", "commune-admin", "-p", "demo-password-2026",
                        "--url", staff_url, config=tmp_path / "wrong.json")  # fmt: skip
        assert wrong.returncode != 0 and "staff listener" in wrong.stderr  # after the password
    finally:
        svc.stop()  # SIGTERM, waits at most 10 s: both listeners must end
    assert svc.process is not None and svc.process.returncode is not None


def test_init_names_the_first_administrator_for_a_person(tmp_path: Path) -> None:
    env = {
        "PATH": "/usr/bin:/bin",
        "ANDROMEDE_DATABASE_URL": f"sqlite:///{tmp_path / 'fresh.db'}",
        "ANDROMEDE_ADMIN_PASSWORD": "first-admin-secret",
        "ANDROMEDE_SIM_STATE_PATH": str(tmp_path / "hv.db"),
        "ANDROMEDE_SECRETS_KEY_FILE": str(tmp_path / "secrets.key"),
        "ANDROMEDE_KMS_DIR": str(tmp_path / "kms"),
    }

    def init(*args: str) -> subprocess.CompletedProcess[str]:
        return cli_server().run(["init", *args], env, timeout=120)

    unnamed = init()
    assert unnamed.returncode == 2 and "ANDROMEDE_ADMIN_USERNAME" in unnamed.stderr
    for role in ("admin", "root", "Support"):
        shared = init("--admin-username", role)
        assert shared.returncode == 2 and "one person" in shared.stderr
    made = init("--admin-username", "mdurand")
    assert made.returncode == 0, made.stderr
    assert "mdurand" in made.stdout and "staff vet mdurand" in made.stdout
    upgraded = init()  # an upgrade keeps the administrator it has
    assert upgraded.returncode == 0 and "mdurand" in upgraded.stdout
