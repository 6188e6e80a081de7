"""The CLI speaks names: server tables show flavor, image and project names, customer
tables the partner's name; ``--project`` takes a project's unique name; ``-o json`` keeps
the API's ids."""

import json
from pathlib import Path

from tests.e2e.conftest import Service


def test_tables_name_things_and_options_take_unique_names(service: Service, tmp_path: Path) -> None:
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
    projects = json.loads(service.cli("project", "list", "-o", "json", config=config).stdout)
    names = [p["name"] for p in projects]
    assert names.count("staging") == 2  # one per customer of the partner: not a reference

    ambiguous = service.cli(
        "server",
        "create",
        "by-name",
        "--project",
        "staging",
        "--flavor",
        "SCS-1V-2",
        "--image",
        "cirros",
        "--region",
        "fr-rns-1",
        config=config,
    )
    assert ambiguous.returncode == 2
    assert "2 projects are named 'staging'" in ambiguous.stderr
    unknown = service.cli(
        "server",
        "create",
        "by-name",
        "--project",
        "nope",
        "--flavor",
        "SCS-1V-2",
        "--image",
        "cirros",
        "--region",
        "fr-rns-1",
        config=config,
    )
    assert unknown.returncode == 2 and "no project 'nope'" in unknown.stderr

    renamed = service.cli(
        "project",
        "create",
        "cli-names",
        "--customer-id",
        projects[0]["customer_id"],
        "-o",
        "json",
        config=config,
    )
    assert renamed.returncode == 0, renamed.stderr
    project = json.loads(renamed.stdout)
    created = service.cli(
        "server",
        "create",
        "by-name",
        "--project",
        "cli-names",
        "--flavor",
        "SCS-1V-2",
        "--image",
        "cirros",
        "--region",
        "fr-rns-1",
        "-o",
        "json",
        config=config,
    )
    assert created.returncode == 0, created.stderr
    server = json.loads(created.stdout)
    assert server["project_id"] == project["id"]  # json keeps ids

    table = service.cli("server", "list", config=config).stdout
    row = next(line for line in table.splitlines() if "by-name" in line)
    assert "SCS-1V-2" in row and "cirros" in row and "cli-names" in row
    assert server["flavor_id"] not in row and project["id"] not in row
    listed = json.loads(service.cli("server", "list", "-o", "json", config=config).stdout)
    mine = next(s for s in listed if s["id"] == server["id"])
    assert "flavor" not in mine and mine["flavor_id"] == server["flavor_id"]

    customers = service.cli("customer", "list", config=config).stdout
    assert "Armor" in customers  # the partner's name, not its id
