"""Errors in the shapes OpenStack clients read: Nova's ``{"itemNotFound": {code,
message}}``, Keystone's ``{"error": {code, title, message}}``, Glance's and Neutron's.
The HTTP status of each domain error is the one the native API uses."""

from typing import Any

from fastapi import Request
from fastapi.responses import JSONResponse

from andromede.api.problems import STATUS
from andromede.kernel.errors import AndromedeError, Throttled

__all__ = ["OPENSTACK_PREFIXES", "openstack_error", "openstack_invalid"]

OPENSTACK_PREFIXES = ("/identity", "/compute", "/image", "/network", "/block-storage")

NOVA_KEYS = {
    400: "badRequest",
    403: "forbidden",
    404: "itemNotFound",
    406: "notAcceptable",
    409: "conflictingRequest",
    413: "overLimit",
    429: "overLimit",
    423: "forbidden",
}
TITLES = {
    400: "Bad Request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not Found",
    409: "Conflict",
}


def _status(exc: AndromedeError, path: str = "") -> int:
    if exc.code == "quota-exceeded":
        # Nova answers a quota refusal with 403 overLimit, Cinder with 413
        return 413 if path.startswith("/block-storage") else 403
    return STATUS.get(exc.code, 500)


def error_body(path: str, status: int, message: str, *, over_limit: bool = False) -> Any:
    if status == 401 or path.startswith("/identity"):
        return {"error": {"code": status, "title": TITLES.get(status, "Error"), "message": message}}
    if path.startswith("/network"):
        kind = {404: "NotFound", 409: "Conflict", 403: "Forbidden"}.get(status, "BadRequest")
        return {"NeutronError": {"type": kind, "message": message, "detail": ""}}
    if path.startswith("/image"):
        return {"code": status, "title": TITLES.get(status, "Error"), "message": message}
    key = "overLimit" if over_limit else NOVA_KEYS.get(status, "computeFault")
    return {key: {"code": status, "message": message}}


def openstack_error(request: Request, exc: AndromedeError) -> JSONResponse:
    status = _status(exc, request.url.path)
    body = error_body(request.url.path, status, exc.detail, over_limit=exc.code == "quota-exceeded")
    headers = {"WWW-Authenticate": 'Keystone uri="/identity"'} if status == 401 else {}
    if isinstance(exc, Throttled):
        headers["Retry-After"] = str(exc.retry_after)
    return JSONResponse(body, status_code=status, headers=headers)


def openstack_invalid(request: Request, detail: str) -> JSONResponse:
    return JSONResponse(error_body(request.url.path, 400, detail), status_code=400)
