"""Schemathesis against the native API's own OpenAPI document, in process, with a
partner-admin and a customer-admin token: valid and invalid inputs (bounded examples per
operation), failing on any 5xx, any status the document does not list for the operation,
a wrong content type or a body that contradicts the documented schema."""

from typing import Any

import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests.integration.builders import World, auth

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]
EXAMPLES = 3
ROLES = ("partner-admin", "customer-admin")
ANY = {"type", "title"}  # a string schema without constraints


def test_the_document_lists_the_problems_each_operation_answers(client: TestClient) -> None:
    doc = client.get("/v1/openapi.json").json()
    assert "HTTPValidationError" not in doc["components"]["schemas"]
    for path, operations in doc["paths"].items():
        for method, operation in operations.items():
            codes = set(operation["responses"])
            assert "422" not in codes and {"400", "500"} <= codes, (method, path)
            if path.startswith("/v1/"):
                media = operation["responses"]["400"]["content"]
                assert "application/problem+json" in media, (method, path)
    tokens = doc["paths"]["/v1/tokens"]["post"]["responses"]
    assert {"401", "423", "429"} <= set(tokens)


def nothing_to_break(operation: dict[str, Any]) -> bool:
    """Whether every input of the operation is a path parameter of any string: then no
    value is invalid (every string fits), and a negative run can only end Unsatisfiable
    after hundreds of discarded draws — about a second each, for nearly a hundred
    operations, and never one request sent."""
    if "requestBody" in operation:
        return False
    return all(
        p["in"] == "path" and p["schema"].get("type") == "string" and set(p["schema"]) <= ANY
        for p in operation.get("parameters", [])
    )


def test_only_operations_of_bare_path_strings_skip_negative_runs(client: TestClient) -> None:
    paths = client.get("/v1/openapi.json").json()["paths"]
    skipped = {(m, p) for p, ops in paths.items() for m, op in ops.items() if nothing_to_break(op)}
    assert ("get", "/v1/servers/{server_id}") in skipped
    for kept in (("post", "/v1/servers"), ("get", "/v1/servers"), ("get", "/v1/audit")):
        assert kept[0] in paths[kept[1]] and kept not in skipped  # a body or a query


def described(exc: BaseException) -> str:
    """An exception group's every member, nested ones too: a flaky verdict's summary alone
    ("failed on the first call but not on a later one") hides the check that failed."""
    text = f"{type(exc).__name__}: {str(exc)[:500]}"
    text += "".join(f" [{note}]" for note in getattr(exc, "__notes__", [])[:3])
    if isinstance(exc, BaseExceptionGroup):
        text += "".join(f"\n  - {described(sub)}" for sub in exc.exceptions)
    return text


def test_schemathesis_finds_no_5xx_and_no_contract_violation(
    client: TestClient, world: World
) -> None:
    """Each case is drawn once and sent as each role in turn: drawing the cases is most
    of the run's time, and the same cases are drawn for both (derandomized)."""
    schema = schemathesis.openapi.from_asgi("/v1/openapi.json", client.app)
    document = client.get("/v1/openapi.json").json()["paths"]
    roles = {who: auth(world.a.tokens[who]) for who in ROLES}
    failures: dict[str, str] = {}
    sent = dict.fromkeys(ROLES, 0)
    for result in schema.get_all_operations():
        operation = result.ok()  # type: ignore[union-attr]
        if not operation.path.startswith("/v1/") or operation.path == "/v1/tokens/current":
            continue  # (signing out would end the token the rest of the run uses)
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            declared = document[operation.path][operation.method.lower()]
            if mode is GenerationMode.NEGATIVE and nothing_to_break(declared):
                continue

            @settings(
                max_examples=EXAMPLES,
                deadline=None,
                database=None,
                derandomize=True,  # the same examples every run: no flaky verdicts
                phases=[Phase.generate],
                suppress_health_check=list(HealthCheck),
            )
            @given(case=operation.as_strategy(generation_mode=mode))
            def run(case: Any) -> None:
                for who, headers in roles.items():
                    sent[who] += 1
                    response = case.call(headers=headers)
                    try:
                        case.validate_response(response, checks=CHECKS)
                    except BaseException as exc:
                        exc.add_note(f"as {who}")
                        raise

            try:
                run()
            except Unsatisfiable:
                continue  # nothing invalid can be written for this operation (no inputs)
            except BaseException as exc:  # schemathesis reports an exception group
                key = f"{operation.method.upper()} {operation.path} ({mode.value})"
                failures[key] = described(exc)
    assert min(sent.values()) > 300
    assert failures == {}
