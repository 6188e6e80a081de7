"""The ``andromede`` CLI against a running service, as an operator or partner types it."""

import json
import os
import subprocess
from datetime import UTC, datetime, timedelta
from pathlib import Path

from andromede.tenancy import totp
from tests.e2e.conftest import BIN, Service, cli_server
from tests.integration.builders import fr_ids


def test_partner_admin_runs_a_server_through_its_life(service: Service, tmp_path: Path) -> None:
    config = tmp_path / "cli.json"
    logged = service.cli(
        "login",
        "-u",
        "armor-admin",
        "-p",
        "demo-password-2026",
        "--url",
        service.url,
        config=config,
    )
    assert logged.returncode == 0, logged.stderr
    customers = json.loads(service.cli("customer", "list", "-o", "json", config=config).stdout)
    assert {c["name"] for c in customers} == {"Commune de Ploubalay", "Clinique des Tilleuls"}
    projects = json.loads(service.cli("project", "list", "-o", "json", config=config).stdout)
    project = next(p for p in projects if p["name"] == "staging")
    created = service.cli(
        "server",
        "create",
        "e2e-vm",
        "--project",
        project["id"],
        "--flavor",
        "SCS-2V-4",
        "--image",
        "debian-12",
        "--region",
        "fr-rns-1",
        "--wait",
        "-o",
        "json",
        config=config,
    )
    assert created.returncode == 0, created.stderr
    server = json.loads(created.stdout)
    assert server["status"] == "ACTIVE" and server["region"] == "fr-rns-1"
    stopped = service.cli("server", "stop", server["id"], "--wait", "-o", "json", config=config)
    assert json.loads(stopped.stdout)["status"] == "SHUTOFF"
    table = service.cli("server", "list", config=config)
    assert "e2e-vm" in table.stdout and "SHUTOFF" in table.stdout
    deleted = service.cli("server", "delete", server["id"], "--wait", config=config)
    assert deleted.returncode == 0 and "deleted" in deleted.stdout
    gone = service.cli("server", "show", server["id"], config=config)
    assert gone.returncode == 2 and gone.stderr.startswith("error: server")

    clinic = next(c["id"] for c in customers if c["name"] == "Clinique des Tilleuls")
    exported = service.cli(
        "customer", "export", clinic, "--out", str(tmp_path / "x.json"), config=config
    )
    assert exported.returncode == 0, exported.stderr
    inventory = json.loads((tmp_path / "x.json").read_text())
    assert inventory["format"] == "andromede.customer-export/1" and inventory["servers"]
    ids = fr_ids("81234567")
    twin = service.cli(
        "customer", "create", "Clinique Bis", "--address", "2 rue du Port, Dinan",
        "--siren", ids["siren"], "--vat-number", ids["vat_number"], "-o", "json", config=config,
    )  # fmt: skip
    assert twin.returncode == 0, twin.stderr
    twin_id = json.loads(twin.stdout)["id"]
    restored = service.cli(
        "customer", "import", twin_id, "--file", str(tmp_path / "x.json"), "-o", "json",
        config=config,
    )  # fmt: skip
    assert restored.returncode == 0, restored.stderr
    assert json.loads(restored.stdout)["projects"] == len(inventory["projects"])
    missing = service.cli("customer", "import", twin_id, "--file", str(tmp_path / "no.json"),
                          config=config)  # fmt: skip
    assert missing.returncode == 2 and "is not an export" in missing.stderr
    ended = service.cli("customer", "terminate", clinic, "-o", "json", config=config)
    assert json.loads(ended.stdout)["status"] == "terminated"
    early = service.cli("customer", "erase", clinic, config=config)
    assert early.returncode == 2 and "erasure is the operator's" in early.stderr
    back = service.cli("customer", "reinstate", clinic, "-o", "json", config=config)
    assert json.loads(back.stdout)["status"] == "active"


def test_bad_input_is_one_line_and_exit_code_2(service: Service, tmp_path: Path) -> None:
    config = tmp_path / "cli.json"
    bad_login = service.cli(
        "login", "-u", "armor-admin", "-p", "wrong", "--url", service.url, config=config
    )
    assert bad_login.returncode == 2
    assert bad_login.stderr.strip().count("\n") == 0 and "invalid username" in bad_login.stderr
    service.cli(
        "login",
        "-u",
        "armor-admin",
        "-p",
        "demo-password-2026",
        "--url",
        service.url,
        config=config,
    )
    projects = json.loads(service.cli("project", "list", "-o", "json", config=config).stdout)
    bad = service.cli(
        "server",
        "create",
        "x",
        "--project",
        projects[0]["id"],
        "--flavor",
        "SCS-99V-1",
        "--image",
        "debian-12",
        "--region",
        "fr-par-1",
        config=config,
    )
    assert bad.returncode == 2
    assert bad.stderr.strip() == "error: flavor: unknown flavor 'SCS-99V-1' (HTTP 400)"
    assert service.cli("region", "list", "-o", "yaml", config=config).returncode == 2
    recent = (datetime.now(UTC) - timedelta(days=30)).date().isoformat()
    young = service.cli("audit", "purge", "--before", recent, config=config)
    assert young.returncode == 2 and "younger than 6 months" in young.stderr
    old = service.cli("audit", "purge", "--before", "2000-01-01", config=config)
    assert old.returncode == 0 and old.stdout.startswith("0 entries blanked")
    regions = service.cli("region", "list", config=config)
    assert all(code in regions.stdout for code in ("fr-par-1", "fr-rns-1", "fr-lyo-1"))
    hosts = json.loads(service.cli("flavor", "list", "-o", "json", config=config).stdout)
    assert len(hosts) >= 15


def test_staff_need_mfa_and_reach_customer_data_only_under_a_grant(
    service: Service, tmp_path: Path
) -> None:
    staff, customer = tmp_path / "staff.json", tmp_path / "customer.json"
    login = ["login", "-u", "cmartin", "-p", "e2e-admin-secret", "--url", service.url]
    refused = service.cli(*login, config=staff)
    assert refused.returncode == 2 and "andromede mfa enrol cmartin" in refused.stderr
    enrolled = service.cli("mfa", "enrol", "cmartin", config=staff)  # on the server
    assert enrolled.returncode == 0, enrolled.stderr
    secret = enrolled.stdout.split("secret:")[1].split()[0]
    code = totp.code_at(secret, datetime.now(UTC))
    assert service.cli(*login, "--otp", code, config=staff).returncode == 0

    assert json.loads(service.cli("server", "list", "-o", "json", config=staff).stdout) == []
    customers = json.loads(service.cli("customer", "list", "-o", "json", config=staff).stdout)
    commune = next(c["id"] for c in customers if c["name"] == "Commune de Ploubalay")
    asked = service.cli(
        "access",
        "request",
        commune,
        "--reason",
        "ticket 7: disk full",
        "--location",
        "FR",
        "-o",
        "json",
        config=staff,
    )
    assert asked.returncode == 0, asked.stderr
    request_id = json.loads(asked.stdout)["id"]
    service.cli(
        "login",
        "-u",
        "commune-admin",
        "-p",
        "demo-password-2026",
        "--url",
        service.url,
        config=customer,
    )
    approved = service.cli("access", "approve", request_id, "-o", "json", config=customer)
    assert json.loads(approved.stdout)["status"] == "approved", approved.stderr

    seen = json.loads(service.cli("server", "list", "-o", "json", config=staff).stdout)
    assert seen and all(s["customer_id"] == commune for s in seen)
    feed = service.cli("access", "log", commune, "-o", "json", config=customer)
    actions = [e["action"] for e in json.loads(feed.stdout)]
    assert actions[0] == "staff.read" and "access_request.approve" in actions


def test_unreachable_service_exits_1(service: Service, tmp_path: Path) -> None:
    result = service.cli(
        "login",
        "-u",
        "cmartin",
        "-p",
        "x" * 10,
        "--url",
        "http://127.0.0.1:9",
        config=tmp_path / "cli.json",
    )
    assert result.returncode == 1 and "cannot reach" in result.stderr


def test_simulate_from_the_command_line(tmp_path: Path) -> None:
    example = Path(__file__).resolve().parents[2] / "examples" / "october.yaml"
    env = dict(os.environ)
    ok = cli_server().run(
        ["simulate", str(example), "--out", str(tmp_path / "o")], env, timeout=120
    )
    assert ok.returncode == 0, ok.stderr
    assert len(list((tmp_path / "o" / "invoices").glob("*.json"))) == 3
    assert len(list((tmp_path / "o" / "einvoices").glob("*.pdf"))) == 3
    assert len(list((tmp_path / "o" / "einvoices").glob("*.xml"))) == 3
    bad = tmp_path / "bad.yaml"
    bad.write_text(example.read_text().replace("server: web1}", "server: nope}", 1))
    failed = cli_server().run(
        ["simulate", str(bad), "--out", str(tmp_path / "x")], env, timeout=120
    )
    assert failed.returncode == 2
    assert "line 27: unknown server 'nope'" in failed.stderr
    assert not (tmp_path / "x").exists()


def test_price_change_dry_run_and_schedule(service: Service, tmp_path: Path) -> None:
    config = tmp_path / "cli.json"
    sku = "compute:SCS-2V-4:fr-par-1"
    dry = service.cli("price-change", sku, "--list", "0.0400", "--dry-run", config=config)
    assert dry.returncode == 0, dry.stderr
    assert "operator revenue" in dry.stdout and "+0.00" in dry.stdout  # no usage last month
    bad = service.cli(
        "price-change", "compute:nope:fr-par-1", "--list", "1", "--dry-run", config=config
    )
    assert bad.returncode == 2 and "no list price" in bad.stderr
    scheduled = service.cli(
        "price-change",
        sku,
        "--list",
        "0.0400",
        "--wholesale",
        "hold",
        "--at",
        "2031-01-01T00:00:00+00:00",
        config=config,
    )
    assert scheduled.returncode == 0, scheduled.stderr
    past = service.cli(
        "price-change", sku, "--list", "0.0400", "--at", "2020-01-01T00:00:00+00:00", config=config
    )
    assert past.returncode == 2 and "never in the past" in past.stderr


def test_audit_keygen_checkpoint_verify(service: Service, tmp_path: Path) -> None:
    import sqlite3

    key = tmp_path / "audit.key"
    made = service.cli("audit", "keygen", "--out", str(key), config=tmp_path / "c.json")
    assert made.returncode == 0 and len(made.stdout.strip()) == 64
    service.env["ANDROMEDE_AUDIT_KEY_FILE"] = str(key)
    service.env["ANDROMEDE_AUDIT_WITNESS_DIR"] = str(tmp_path / "witness")
    assert service.cli("audit", "checkpoint", config=tmp_path / "c.json").returncode == 0
    public = str(key.with_suffix(".pub"))
    intact = service.cli("audit", "verify", "--public-key", public, config=tmp_path / "c.json")
    assert intact.returncode == 0 and "audit log intact" in intact.stdout
    against = service.cli(
        "audit", "verify", "--public-key", public, "--witness", str(tmp_path / "witness"),
        config=tmp_path / "c.json",
    )  # fmt: skip
    assert against.returncode == 0 and "its witness copy agrees" in against.stdout
    nowhere = service.cli(
        "audit", "verify", "--public-key", public, "--witness", str(tmp_path / "none"),
        config=tmp_path / "c.json",
    )  # fmt: skip
    assert nowhere.returncode == 2 and "holds no witness copy" in nowhere.stderr
    with sqlite3.connect(service.db_path) as conn:
        (customer,) = conn.execute("SELECT id FROM customers LIMIT 1").fetchone()
    export = tmp_path / "export.jsonl"
    exported = service.cli(
        "audit", "export", "--customer", customer, "--out", str(export), config=tmp_path / "c.json"
    )
    assert exported.returncode == 0, exported.stderr
    checked = cli_server().run(
        ["audit", "verify-export", str(export), "--public-key", public],
        {"PATH": "/usr/bin:/bin"},
        timeout=60,
    )
    assert checked.returncode == 0 and "export verified" in checked.stdout
    with sqlite3.connect(service.db_path) as conn:
        conn.execute("UPDATE audit_entries SET outcome = 'forged' WHERE seq = 3")
    broken = service.cli("audit", "verify", "--public-key", public, config=tmp_path / "c.json")
    assert broken.returncode == 1 and "entry 3" in broken.stderr
    again = service.cli("audit", "keygen", "--out", str(key), config=tmp_path / "c.json")
    assert again.returncode == 2


def test_demo_signs_audit_checkpoints(service: Service, tmp_path: Path) -> None:
    key = service.db_path.with_name("audit-signing.key")
    assert key.exists() and key.with_suffix(".pub").exists()
    service.env["ANDROMEDE_AUDIT_KEY_FILE"] = str(key)
    assert service.cli("audit", "checkpoint", config=tmp_path / "c.json").returncode == 0
    verified = service.cli(
        "audit", "verify", "--public-key", str(key.with_suffix(".pub")), config=tmp_path / "c.json"
    )
    assert verified.returncode == 0 and "intact" in verified.stdout


def test_policy_commands(service: Service, tmp_path: Path) -> None:
    config = tmp_path / "cli.json"
    service.cli(
        "login",
        "-u",
        "commune-admin",
        "-p",
        "demo-password-2026",
        "--url",
        service.url,
        config=config,
    )
    customers = json.loads(service.cli("customer", "list", "-o", "json", config=config).stdout)
    (customer,) = customers
    where = json.loads(
        service.cli("policy", "where", customer["id"], "-o", "json", config=config).stdout
    )
    regions = {r["region"] for r in where}
    made = service.cli(
        "policy",
        "set",
        "customer",
        customer["id"],
        "--allow",
        "in:FR-BRE",
        "-o",
        "json",
        config=config,
    )
    assert made.returncode == 0, made.stderr
    findings = json.loads(made.stdout)["findings"]
    assert len(findings) == sum(1 for r in where if r["region"] != "fr-rns-1")
    listed = service.cli("policy", "list", config=config)
    assert "in:FR-BRE" in listed.stdout
    wider = service.cli(
        "policy", "set", "customer", customer["id"], "--allow", "in:de", config=config
    )
    assert wider.returncode in (0, 2)  # in:de is inside the operator's in:eu: accepted
    bad = service.cli(
        "policy", "set", "customer", customer["id"], "--allow", "in:!!", config=config
    )
    assert bad.returncode == 2 and bad.stderr.startswith("error:")
    assert regions


def test_billing_close_and_export_commands(service: Service, tmp_path: Path) -> None:
    config = tmp_path / "c.json"
    closed = service.cli("billing", "close", "2026-10", config=config)
    assert closed.returncode == 0 and "2026-10:" in closed.stdout
    again = service.cli("billing", "close", "2026-10", config=config)
    assert "0 invoices issued" in again.stdout
    exported = service.cli(
        "billing", "export", "2026-10", "--out", str(tmp_path / "x"), config=config
    )
    assert exported.returncode == 0, exported.stderr
    assert sorted(p.name for p in (tmp_path / "x").iterdir()) == [
        "reconciliation-2026-10.csv",
        "usage-2026-10.csv",
        "usage-2026-10.parquet",
    ]
    future = service.cli("billing", "close", "2099-01", config=config)
    assert future.returncode == 2 and "not over yet" in future.stderr
    bad = service.cli("billing", "export", "2026-13", "--out", str(tmp_path / "y"), config=config)
    assert bad.returncode == 2


def test_reservations_and_commitments_from_the_command_line(
    service: Service, tmp_path: Path
) -> None:
    config = tmp_path / "cli.json"
    service.cli(
        "login",
        "-u",
        "armor-admin",
        "-p",
        "demo-password-2026",
        "--url",
        service.url,
        config=config,
    )
    customers = json.loads(service.cli("customer", "list", "-o", "json", config=config).stdout)
    commune = next(c["id"] for c in customers if c["name"] == "Commune de Ploubalay")
    where = ["--customer", commune, "--flavor", "SCS-2V-4", "--region", "fr-rns-1"]
    offers = service.cli("reservation", "offers", *where, "-o", "json", config=config)
    assert offers.returncode == 0, offers.stderr
    items = json.loads(offers.stdout)
    assert {(o["term"], o["payment"]) for o in items} == {
        (t, p) for t in ("1y", "3y") for p in ("all-upfront", "partial-upfront", "no-upfront")
    }
    bad_term = service.cli(
        "reservation", "buy", *where, "--term", "2y", "--payment", "no-upfront", config=config
    )
    assert bad_term.returncode == 2 and bad_term.stderr.count("\n") == 1
    bad_region = service.cli(
        "reservation",
        "buy",
        "--customer",
        commune,
        "--flavor",
        "SCS-2V-4",
        "--region",
        "us-east-1",
        "--term",
        "1y",
        "--payment",
        "no-upfront",
        config=config,
    )
    assert bad_region.returncode == 2 and "region" in bad_region.stderr
    bought = service.cli(
        "reservation",
        "buy",
        *where,
        "--term",
        "1y",
        "--payment",
        "no-upfront",
        "--count",
        "2",
        "-o",
        "json",
        config=config,
    )
    assert bought.returncode == 0, bought.stderr
    reservation = json.loads(bought.stdout)
    assert reservation["count"] == 2 and reservation["number"].startswith("RES-")
    listed = json.loads(service.cli("reservation", "list", "-o", "json", config=config).stdout)
    assert reservation["id"] in {r["id"] for r in listed}
    shown = json.loads(
        service.cli("reservation", "show", reservation["id"], "-o", "json", config=config).stdout
    )
    assert "rate" in shown["utilization"]
    month = datetime.now(UTC).strftime("%Y-%m")
    report = service.cli("reservation", "report", month, "--customer", commune, config=config)
    assert report.returncode == 0 and reservation["number"] in report.stdout
    prepaid = service.cli(
        "commitment",
        "buy",
        "--customer",
        commune,
        "--amount",
        "1000.00",
        "--months",
        "12",
        "--bonus",
        "0.05",
        "-o",
        "json",
        config=config,
    )
    assert prepaid.returncode == 0, prepaid.stderr
    commitment = json.loads(prepaid.stdout)
    assert (commitment["credit"], commitment["balance"]) == ("1050.00", "1050.00")
    table = service.cli("commitment", "list", config=config)
    assert commitment["number"] in table.stdout


def test_a_user_changes_its_password_from_the_command_line(
    service: Service, tmp_path: Path
) -> None:
    config = tmp_path / "cli.json"
    signed = service.cli("login", "-u", "brasserie-viewer", "-p", "demo-password-2026", "--url",
                         service.url, config=config)  # fmt: skip
    assert signed.returncode == 0, signed.stderr
    wrong = service.cli("password", "--current", "nope", "--new", "a fresh passphrase 2026",
                        config=config)  # fmt: skip
    assert wrong.returncode == 2 and wrong.stderr.count("\n") == 1
    done = service.cli("password", "--current", "demo-password-2026", "--new",
                       "a fresh passphrase 2026", config=config)  # fmt: skip
    assert done.returncode == 0 and "log in again" in done.stdout, done.stderr
    assert service.cli("project", "list", config=config).returncode != 0  # token revoked
    again = service.cli("login", "-u", "brasserie-viewer", "-p", "a fresh passphrase 2026",
                        "--url", service.url, config=config)  # fmt: skip
    assert again.returncode == 0, again.stderr


def test_the_installed_executable_answers_as_the_journeys_runner(
    service: Service, tmp_path: Path
) -> None:
    """``Service.cli`` runs ``andromede.cli.main:main`` in children forked from a process
    that imported the service's libraries once; this holds them to the installed
    `andromede` executable: the same tables at the width asked, the same JSON, the same
    one-line refusal and exit code, the same French."""
    config = tmp_path / "cli.json"
    login = ("login", "-u", "commune-member", "-p", "demo-password-2026", "--url", service.url)
    assert service.cli(*login, config=config).returncode == 0
    env = {**service.env, "ANDROMEDE_CLI_CONFIG": str(config), "COLUMNS": "200"}

    def both(*args: str, **more: str) -> tuple[tuple[int, str, str], tuple[int, str, str]]:
        installed = subprocess.run(
            [str(BIN), *args], env={**env, **more}, capture_output=True, text=True, timeout=120,
            check=False,
        )  # fmt: skip
        forked = cli_server().run(list(args), {**env, **more}, timeout=120)
        return (
            (installed.returncode, installed.stdout, installed.stderr),
            (forked.returncode, forked.stdout, forked.stderr),
        )

    for args in (("flavor", "list"), ("image", "list", "-o", "json"), ("server", "show", "nope")):
        real, forked = both(*args)
        assert real == forked, args
    assert real[0] == 2 and real[2].count("\n") == 1
    real, forked = both("server", "show", "nope", ANDROMEDE_LANG="fr")
    assert real == forked and real[2].startswith("erreur")
    wide, _ = both("flavor", "list")
    real, forked = both("flavor", "list", COLUMNS="50")  # read in the child, not at the fork
    assert real == forked
    assert max(map(len, real[1].splitlines())) <= 50 < max(map(len, wide[1].splitlines()))
