"""The console's routes join the walls: generated from the application's route table (a
console page added later is in the matrix without anyone editing this file), each route
is requested by another customer's admin and by operator staff without a grant, signed
in to the console with valid form tokens (so a refusal is the wall, not the CSRF check).
No response shows the customer's servers, users, keypairs, decisions or audit entries,
and nothing of the customer's changes. The customer's own admin, as a positive control,
does see its server through the same routes."""

from typing import Any

import pytest
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient

from andromede.bootstrap import App
from andromede.console.site import AREAS
from andromede.console.web import BASE
from tests.integration.builders import PASSWORD, World
from tests.integration.console_client import csrf_in, sign_in
from tests.integration.test_lockbox import (
    build_customer_estate,
    concrete,
    customer_digest,
    secrets_of,
)

INTRUDERS = {"other customer's admin": "b-customer-admin", "operator support": "lbernard"}


def console_routes(client: TestClient) -> list[tuple[str, str]]:
    """Every route of every console area, as the site mounts them."""
    found = [
        (method, route.path)
        for area in AREAS
        for route in area.router.routes
        if isinstance(route, APIRoute)
        for method in sorted((route.methods or set()) - {"HEAD"})
        if route.path not in (f"{BASE}/logout", f"{BASE}/login", f"{BASE}/signup")
    ]
    assert len(found) >= 12 and ("POST", "/console/servers/{server_id}/action") in found
    return found


def form_body(ids: dict[str, str], csrf: str) -> dict[str, str]:
    """Every field a console form may read, aimed at the customer's objects."""
    return {
        "csrf": csrf,
        "project_id": ids["project"],
        "name": "intruder",
        "flavor": "SCS-1V-2",
        "image": "debian-12",
        "place": "fr-par-1/fr-par-1a",
        "action": "stop",
        "verb": "approve",
        "lang": "en",
    }


def sweep(client: TestClient, ids: dict[str, str], secrets: set[str]) -> tuple[list[str], int]:
    """(leaks, pages answered 200): the second shows the intruder really was signed in."""
    token = csrf_in(client.get("/console/start").text)
    leaks, answered, sent = [], 0, ""
    for method, path in console_routes(client):
        url = concrete(path, ids)
        data: Any = form_body(ids, token) if method == "POST" else None
        sent += url + repr(data)  # what the intruder typed is no leak when echoed (audit)
        response = client.request(method, url, data=data, follow_redirects=False)
        assert response.status_code < 500, (method, url, response.text)
        answered += response.status_code == 200
        shown = {s for s in secrets if s in response.text and s not in sent}
        if shown:
            leaks.append(f"{method} {url} -> {response.status_code}: {sorted(shown)[:3]}")
    return leaks, answered


@pytest.mark.parametrize("intruder", sorted(INTRUDERS))
def test_console_routes_show_and_change_nothing_across_the_walls(
    client: TestClient, container: App, world: World, intruder: str
) -> None:
    ids = build_customer_estate(client, container, world)
    secrets = secrets_of(container, world.a.customer_id)
    before = customer_digest(container, world.a.customer_id)
    username = INTRUDERS[intruder]
    sign_in(client, username, PASSWORD)
    leaks, answered = sweep(client, ids, secrets)
    assert leaks == []
    assert answered >= 2  # signed in: its own pages answered, the customer's did not
    assert customer_digest(container, world.a.customer_id) == before


def test_the_customers_own_admin_sees_its_server_through_the_same_routes(
    client: TestClient, container: App, world: World
) -> None:
    ids = build_customer_estate(client, container, world)
    sign_in(client, "a-customer-admin")
    page = client.get(f"/console/servers/{ids['server']}")
    assert page.status_code == 200 and "lockbox-secret-vm" in page.text
    assert "lockbox-secret-vm" in client.get("/console/servers").text
