"""Driving the console as a browser would, without one: fetch a page, read the CSRF token
its forms carry, post the form with the cookies the site set."""

import re
from typing import Any

from fastapi.testclient import TestClient

from tests.integration.builders import PASSWORD

CSRF = re.compile(r'name="csrf" value="([^"]*)"')


def csrf_in(html: str) -> str:
    found = CSRF.search(html)
    assert found, "the page has no form token"
    return found.group(1)


def form(client: TestClient, page: str, action: str, data: dict[str, str]) -> Any:
    """GET ``page``, then POST ``data`` to ``action`` with the token that page carried."""
    shown = client.get(page)
    assert shown.status_code == 200, shown.text
    return client.post(action, data={**data, "csrf": csrf_in(shown.text)}, follow_redirects=False)


def sign_in(client: TestClient, username: str, password: str = PASSWORD) -> Any:
    client.cookies.clear()
    response = form(
        client, "/console/login", "/console/login", {"username": username, "password": password}
    )
    assert response.status_code == 303, response.text
    return response
