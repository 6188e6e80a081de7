"""The OpenAPI document says which errors each operation really answers.

FastAPI documents a generic 422 that this API never sends (validation errors are 400
problem documents). Here every operation gets the problem responses its shape implies:
400 for any input; 401 and 403 unless anonymous (what a role may do varies); 404 wherever
an object is named (in the path, the body or a filter); 409 for writes; 413 when it takes
a body; 423 and 429 for sign-ins, 429 for signups and one-time codes; 500 always. The
native API answers in problem+json, the OpenStack face in each service's JSON shape."""

from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi

from andromede.api.openstack.errors import OPENSTACK_PREFIXES
from andromede.api.problems import MEDIA_TYPE

__all__ = ["install_openapi"]

ANONYMOUS = {
    ("post", "/v1/signup"),
    ("get", "/v1/health"),
    ("get", "/v1/offer"),
}  # sign-ins do answer 401
# reads that need something configured first (the signing key): 409 until it is
UNREADY = {
    ("get", "/v1/compliance/report"),
    ("get", "/v1/customers/{customer_id}/attestations/{month}"),
}
THROTTLED = {
    ("post", "/v1/tokens"): (423, 429),
    ("post", "/identity/v3/auth/tokens"): (423, 429),
    ("post", "/v1/signup"): (429,),
    ("post", "/v1/users/me/mfa/activate"): (429,),
}
PROBLEM = {
    "type": "object",
    "required": ["type", "title", "status", "detail", "code"],
    "properties": {
        "type": {"type": "string"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string"},
        "code": {"type": "string"},
        "instance": {"type": ["string", "null"]},
        "errors": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {"field": {"type": "string"}, "message": {"type": "string"}},
            },
        },
    },
}
STATUS_TEXT = {
    400: "Invalid request",
    401: "Authentication required",
    403: "Forbidden",
    404: "Not found",
    409: "Conflict",
    413: "Request body too large",
    423: "Account locked after repeated failed logins",
    429: "Too many requests",
    500: "Internal error",
}


def _statuses(method: str, path: str, operation: dict[str, Any]) -> list[int]:
    statuses = [400, 500]
    if (method, path) not in ANONYMOUS and not _is_discovery(path):
        statuses += [401, 403]  # who may read or do it depends on the role
    if path != "/v1/health":  # paths, bodies and filters name objects that may not exist
        statuses.append(404)
    if method in ("post", "put", "patch", "delete") or (method, path) in UNREADY:
        statuses.append(409)
    if "requestBody" in operation or method in ("post", "put", "patch"):
        statuses.append(413)
    statuses += THROTTLED.get((method, path), ())
    return sorted(set(statuses))


def _is_discovery(path: str) -> bool:
    return path.rstrip("/") in ("/identity", "/compute", "/image", "/network", "/compute/v2.1")


def _error(path: str, status: int) -> dict[str, Any]:
    if path.startswith(OPENSTACK_PREFIXES):
        content = {"application/json": {"schema": {"type": "object"}}}
    else:
        content = {MEDIA_TYPE: {"schema": {"$ref": "#/components/schemas/Problem"}}}
    return {
        "description": STATUS_TEXT[status],
        "content": content,
    }


def document(api: FastAPI) -> dict[str, Any]:
    doc = get_openapi(
        title=api.title, version=api.version, description=api.description, routes=api.routes
    )
    doc.setdefault("components", {}).setdefault("schemas", {})["Problem"] = PROBLEM
    for unused in ("HTTPValidationError", "ValidationError"):  # the 422 this API never sends
        doc["components"]["schemas"].pop(unused, None)
    for path, operations in doc.get("paths", {}).items():
        for method, operation in operations.items():
            responses = operation.setdefault("responses", {})
            responses.pop("422", None)
            for status in _statuses(method, path, operation):
                responses.setdefault(str(status), _error(path, status))
    return doc


def install_openapi(api: FastAPI) -> None:
    def openapi() -> dict[str, Any]:
        if api.openapi_schema is None:
            api.openapi_schema = document(api)
        return api.openapi_schema

    api.openapi = openapi  # type: ignore[method-assign]
