"""A client generated from the OpenAPI document alone (openapi-python-client) signs in,
lists the caller's projects and servers and creates a server against the running service:
the document describes what clients send and receive, not just the paths."""

import importlib
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import httpx
import pytest

from tests.e2e.conftest import Service

BIN = Path(sys.executable).parent
CONFIG = "package_name_override: andromede_client\nproject_name_override: andromede-client\n"


@pytest.fixture
def generated(service: Service, tmp_path: Path) -> Iterator[ModuleType]:
    spec = tmp_path / "openapi.json"
    # the first request builds the document: seconds on a busy machine, so no 5 s default
    document = httpx.get(f"{service.url}/v1/openapi.json", timeout=120).json()
    spec.write_text(json.dumps(document))
    (tmp_path / "config.yaml").write_text(CONFIG)
    done = subprocess.run(
        [
            str(BIN / "openapi-python-client"),
            "generate",
            "--path",
            str(spec),
            "--config",
            str(tmp_path / "config.yaml"),
            "--meta",
            "none",
            "--output-path",
            str(tmp_path / "andromede_client"),
        ],
        env={**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}"},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    sys.path.insert(0, str(tmp_path))
    try:
        yield importlib.import_module("andromede_client")
    finally:
        sys.path.remove(str(tmp_path))
        for name in [m for m in sys.modules if m.split(".")[0] == "andromede_client"]:
            del sys.modules[name]


def _api(name: str) -> Any:
    return importlib.import_module(f"andromede_client.api.{name}")


def test_a_generated_client_lists_and_creates_servers(
    service: Service, generated: ModuleType
) -> None:
    models = importlib.import_module("andromede_client.models")
    tokens = _api("tokens.issue_token_v1_tokens_post")
    with generated.Client(base_url=service.url) as anonymous:
        signed_in = tokens.sync(
            client=anonymous,
            body=models.TokenRequest(username="armor-admin", password="demo-password-2026"),
        )
    assert isinstance(signed_in, models.TokenOut), signed_in
    assert signed_in.user.role == "partner-admin"
    with generated.AuthenticatedClient(base_url=service.url, token=signed_in.token) as client:
        _list_and_create(client, models)


def _list_and_create(client: Any, models: Any) -> None:
    projects = _api("projects.list_projects_v1_projects_get").sync(client=client)
    assert isinstance(projects, models.PageProjectOut) and projects.items
    project = projects.items[0]
    created = _api("servers.create_server_v1_servers_post").sync(
        client=client,
        body=models.ServerBody(
            project_id=project.id,
            name="generated-client",
            flavor="SCS-1V-2",
            image="cirros",
            region="fr-rns-1",
        ),
    )
    assert isinstance(created, models.ServerOut), created
    assert (created.name, created.status, created.project_id) == (
        "generated-client",
        "BUILD",
        project.id,
    )
    list_servers = _api("servers.list_servers_v1_servers_get")
    listed = list_servers.sync(client=client, name="generated-client")
    assert isinstance(listed, models.PageServerOut)
    assert [s.id for s in listed.items] == [created.id]
    refused = _api("servers.get_server_v1_servers_server_id_get").sync(
        client=client, server_id="no-such-server"
    )
    assert isinstance(refused, models.Problem) and refused.status == 404
