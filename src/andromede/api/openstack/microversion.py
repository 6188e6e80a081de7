"""Compute microversions: this face speaks 2.1 to ``MAX_VERSION``, each version with the
shape changes Nova made up to it that a non-admin caller meets. Where each is honoured:
server views in nova_views.py (2.9, 2.19, 2.26, 2.47, 2.63, 2.71, 2.73), create bodies in
server_requests.py (2.19, 2.32, 2.37, 2.52, 2.57, 2.63, 2.67), list queries in
server_filters.py (2.5, 2.26, 2.38, 2.66, 2.73, 2.75), actions in server_actions.py (2.17,
2.19, 2.45, 2.54, 2.57, 2.73, 2.75), keypairs (2.2, 2.10, 2.35), server groups (2.13,
2.15, 2.64), flavors (2.55, 2.61, 2.75), limits and quota sets (2.36, 2.39, 2.57), the
proxy APIs gone from 2.36 (images), instance actions (2.51, 2.58, 2.62, 2.66). The others
change admin APIs, cells or volume attachments this face does not expose (the last come
with block storage). A malformed version is a 400, one out of range a 406; every compute
response says which version answered (both headers, as Nova sends them) and carries
x-compute-request-id. Handlers read the version with ``compute_version``."""

import json
import re
from collections.abc import Callable
from typing import Any

from starlette.requests import Request

from andromede.kernel.errors import NotFound

__all__ = [
    "MAX_VERSION",
    "MIN_VERSION",
    "Microversion",
    "compute_version",
    "from_version",
    "gone_from",
    "parse",
]

Version = tuple[int, int]
LOWEST: Version = (2, 1)
HIGHEST: Version = (2, 79)
MIN_VERSION = "2.1"
MAX_VERSION = "2.79"


def parse(text: str) -> Version | None:
    found = re.fullmatch(r"(\d+)\.(\d+)", text.strip())
    return (int(found[1]), int(found[2])) if found else None


def compute_version(request: Request) -> Version:
    """The version the request is answered at (2.1 outside the compute face)."""
    found: Version = getattr(request.state, "compute_version", (2, 1))
    return found


def gone_from(first: Version, what: str) -> Callable[[Request], None]:
    """A route dependency: the route is not found from ``first`` on, as Nova removed it."""

    def check(request: Request) -> None:
        if compute_version(request) >= first:
            raise NotFound("API", f"{what}, removed in microversion {first[0]}.{first[1]}")

    return check


def from_version(first: Version, what: str) -> Callable[[Request], None]:
    """A route dependency: the route is not found before ``first``, as Nova added it then."""

    def check(request: Request) -> None:
        if compute_version(request) < first:
            raise NotFound("API", f"{what}, from microversion {first[0]}.{first[1]}")

    return check


def _headers(version: Version) -> list[tuple[bytes, bytes]]:
    text = f"{version[0]}.{version[1]}"
    return [
        (b"openstack-api-version", f"compute {text}".encode()),
        (b"x-openstack-nova-api-version", text.encode()),
        (b"vary", b"OpenStack-API-Version, X-OpenStack-Nova-API-Version"),
    ]


def requested(headers: dict[bytes, bytes]) -> str | None:
    """The version asked for, or None (then 2.1, as Nova does)."""
    generic = headers.get(b"openstack-api-version", b"").decode().strip()
    if generic:
        service, _, version = generic.partition(" ")
        if service.lower() == "compute":
            return version.strip()
    legacy = headers.get(b"x-openstack-nova-api-version", b"").decode().strip()
    return legacy or None


def negotiated(version: str | None) -> tuple[int, Version | str]:
    """(200, the version to answer at), or (status, why not)."""
    if version is None:
        return 200, LOWEST
    if version.strip().lower() == "latest":
        return 200, HIGHEST
    wanted = parse(version)
    if wanted is None:
        return 400, f"Invalid API version request string {version!r}."
    if not LOWEST <= wanted <= HIGHEST:
        return 406, (
            f"Version {version} is not supported by the API. "
            f"Minimum is {MIN_VERSION} and maximum is {MAX_VERSION}."
        )
    return 200, wanted


class Microversion:
    """Pure ASGI middleware for paths under /compute/v2.1."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http" or not scope["path"].startswith("/compute/v2.1/"):
            await self.app(scope, receive, send)
            return
        status, outcome = negotiated(requested(dict(scope["headers"])))
        request_id = scope.get("state", {}).get("request_id", "")
        answered = outcome if isinstance(outcome, tuple) else LOWEST
        extra = [*_headers(answered), (b"x-compute-request-id", request_id.encode())]
        if isinstance(outcome, str):
            key = "computeFault" if status == 406 else "badRequest"
            body = json.dumps({key: {"code": status, "message": outcome}}).encode()
            headers = [(b"content-type", b"application/json"), *extra]
            await send({"type": "http.response.start", "status": status, "headers": headers})
            await send({"type": "http.response.body", "body": body})
            return
        scope.setdefault("state", {})["compute_version"] = outcome

        async def send_with_version(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", []), *extra]
            await send(message)

        await self.app(scope, receive, send_with_version)
