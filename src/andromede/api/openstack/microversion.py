"""Compute microversions: this face speaks 2.1 to ``MAX_VERSION``, each version with the
shape changes Nova made up to it that a non-admin caller meets (2.2 keypair types and
status codes, 2.5 the ``ip6`` filter, 2.9 ``locked``, 2.10 keypairs of the caller only,
2.13 the project and user of a server group, 2.15 soft affinity policies; 2.3, 2.4,
2.6-2.8, 2.11, 2.12, 2.14 and 2.16 change admin APIs or consoles this cloud does not
expose). A malformed version is a 400,
one out of range a 406; every compute response says which version answered (both
headers, as Nova sends them) and carries x-compute-request-id. Handlers read the version
with ``compute_version``."""

import json
import re
from typing import Any

from starlette.requests import Request

__all__ = ["MAX_VERSION", "MIN_VERSION", "Microversion", "compute_version", "parse"]

Version = tuple[int, int]
LOWEST: Version = (2, 1)
HIGHEST: Version = (2, 16)
MIN_VERSION = "2.1"
MAX_VERSION = "2.16"


def parse(text: str) -> Version | None:
    found = re.fullmatch(r"(\d+)\.(\d+)", text.strip())
    return (int(found[1]), int(found[2])) if found else None


def compute_version(request: Request) -> Version:
    """The version the request is answered at (2.1 outside the compute face)."""
    found: Version = getattr(request.state, "compute_version", (2, 1))
    return found


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
