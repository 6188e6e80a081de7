"""Every operation of the OpenAPI document says what a success looks like: a schema for
its body (not the untyped ``{}`` a route returning ``Any`` gets), or no body at all."""

from typing import Any

from fastapi.testclient import TestClient

METHODS = ("get", "post", "put", "patch", "delete")


def _success_bodies(operation: dict[str, Any]) -> list[dict[str, Any] | None]:
    """Each success response's schemas, None for a response without a body."""
    found: list[dict[str, Any] | None] = []
    for code, response in operation["responses"].items():
        if code[0] not in "23":
            continue
        content = response.get("content") or {}
        found += [c.get("schema", {}) for c in content.values()] or [None]
    return found


def test_every_operation_declares_its_success_body(client: TestClient) -> None:
    document = client.get("/v1/openapi.json").json()
    untyped = []
    operations = 0
    for path, item in document["paths"].items():
        for method in METHODS:
            if method not in item:
                continue
            operations += 1
            bodies = _success_bodies(item[method])
            typed = [b for b in bodies if b is None or set(b) - {"title"}]
            if not bodies or len(typed) < len(bodies):
                untyped.append(f"{method.upper()} {path}")
    assert operations > 130
    assert untyped == []


def test_a_page_of_servers_is_described_item_by_item(client: TestClient) -> None:
    document = client.get("/v1/openapi.json").json()
    listing = document["paths"]["/v1/servers"]["get"]["responses"]["200"]
    page = listing["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[-1]
    schemas = document["components"]["schemas"]
    items = schemas[page]["properties"]["items"]["items"]["$ref"].rsplit("/", 1)[-1]
    server = schemas[items]
    assert {"id", "status", "flavor_id", "region", "created_at"} <= set(server["required"])
    assert server["additionalProperties"] is False
