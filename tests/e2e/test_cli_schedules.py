"""``andromede schedule`` and ``andromede server tag`` against a running service, as a
customer's developer types them."""

import json
from pathlib import Path

from tests.e2e.conftest import Service


def test_a_developer_puts_servers_on_office_hours(service: Service, tmp_path: Path) -> None:
    config = tmp_path / "cli.json"

    def cli(*args: str) -> object:
        done = service.cli(*args, config=config)
        assert done.returncode == 0, done.stderr
        return done

    cli("login", "-u", "brasserie-member", "-p", "demo-password-2026", "--url", service.url)
    made = json.loads(
        service.cli(
            "schedule",
            "create",
            "dev-hours",
            "--period",
            "mon-fri 08:00-19:00",
            "--holidays",
            "FR",
            "--skip",
            "2026-12-24",
            "-o",
            "json",
            config=config,
        ).stdout
    )
    assert made["periods"] == [
        {"begin": "08:00", "end": "19:00", "weekdays": ["mon", "tue", "wed", "thu", "fri"]}
    ]
    assert made["holidays"] == "FR" and made["skip_dates"] == ["2026-12-24"]
    week = service.cli("schedule", "preview", "dev-hours", "-o", "json", config=config)
    transitions = json.loads(week.stdout)["transitions"]
    assert {t["action"] for t in transitions} == {"start", "stop"}
    assert all(t["local"].endswith(("08:00", "19:00")) for t in transitions)
    table = service.cli("schedule", "preview", "dev-hours", config=config).stdout
    assert "Europe/Paris" in table and "19:00" in table

    projects = json.loads(service.cli("project", "list", "-o", "json", config=config).stdout)
    project = next(p for p in projects if p["name"] == "production")
    server = json.loads(
        service.cli(
            "server",
            "create",
            "dev-box",
            "--project",
            project["id"],
            "--flavor",
            "SCS-1V-2",
            "--image",
            "debian-12",
            "--region",
            "fr-rns-1",
            "-o",
            "json",
            config=config,
        ).stdout
    )
    tagged = service.cli("server", "tag", server["id"], "schedule=dev-hours", config=config)
    assert tagged.stdout.strip() == "schedule=dev-hours"
    assert service.cli("server", "tags", server["id"], config=config).stdout.strip() == (
        "schedule=dev-hours"
    )
    opted = service.cli("schedule", "project", "production", "dev-hours", config=config)
    assert opted.returncode == 0 and "schedule dev-hours" in opted.stdout
    changed = service.cli(
        "schedule", "update", "dev-hours", "--enforced", "-o", "json", config=config
    )
    assert json.loads(changed.stdout)["enforced"] is True
    assert "dev-hours" in service.cli("schedule", "list", config=config).stdout
    cli("schedule", "project", "production", "none")
    cli("schedule", "delete", "dev-hours")
    assert "dev-hours" not in service.cli("schedule", "list", config=config).stdout


def test_bad_schedules_are_one_line_and_exit_code_2(service: Service, tmp_path: Path) -> None:
    config = tmp_path / "cli.json"
    service.cli(
        "login",
        "-u",
        "brasserie-member",
        "-p",
        "demo-password-2026",
        "--url",
        service.url,
        config=config,
    )
    for args in (
        ("schedule", "create", "x", "--period", "8h-19h"),
        ("schedule", "create", "x", "--period", "lun-ven 08:00-19:00"),
        ("schedule", "create", "x", "--period", "08:00-19:00", "--timezone", "Mars/Olympus"),
        ("schedule", "create", "x", "--period", "08:00-08:00"),
        ("schedule", "show", "nothing-named-so"),
        ("server", "tag", "no-such-server", "a"),
    ):
        done = service.cli(*args, config=config)
        assert done.returncode == 2, (args, done.stdout, done.stderr)
        assert done.stderr.startswith("error:") and done.stderr.strip().count("\n") == 0
    listed = service.cli("schedule", "list", "-o", "json", config=config).stdout
    assert [s["name"] for s in json.loads(listed)] == ["office-hours"]  # the demo's only


def test_a_developer_switches_an_environment_on_and_off(service: Service, tmp_path: Path) -> None:
    config = tmp_path / "cli.json"
    service.cli(
        "login",
        "-u",
        "brasserie-member",
        "-p",
        "demo-password-2026",
        "--url",
        service.url,
        config=config,
    )
    made = service.cli(
        "environment",
        "create",
        "review-7",
        "--project",
        "production",
        "--region",
        "fr-rns-1",
        "--member",
        "web=SCS-1V-2:debian-12x2",
        "--member",
        "db=SCS-2V-4:debian-12",
        "--ttl-hours",
        "4",
        "-o",
        "json",
        config=config,
    )
    assert made.returncode == 0, made.stderr
    env = json.loads(made.stdout)
    assert [m["slot"] for m in env["members"]] == ["db-1", "web-1", "web-2"]
    assert env["status"] == "ACTIVE" and env["ttl_hours"] == 4
    stopped = service.cli("environment", "stop", env["id"], "-o", "json", config=config)
    assert json.loads(stopped.stdout)["running"] is False
    refused = service.cli("environment", "extend", env["id"], "--hours", "2", config=config)
    assert refused.returncode == 2 and "stopped" in refused.stderr  # counts from its start
    service.cli("environment", "start", env["id"], config=config)
    longer = service.cli("environment", "extend", env["id"], "--hours", "2", config=config)
    assert longer.returncode == 0, longer.stderr
    assert "review-7" in service.cli("environment", "list", config=config).stdout
    bad = service.cli(
        "environment",
        "create",
        "x",
        "--project",
        "production",
        "--region",
        "fr-rns-1",
        "--member",
        "web",
        config=config,
    )
    assert bad.returncode == 2 and bad.stderr.startswith("error: --member")
    gone = service.cli("environment", "delete", env["id"], config=config)
    assert gone.returncode == 0 and "deleting" in gone.stdout
