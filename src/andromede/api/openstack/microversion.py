"""Compute microversions: this face speaks 2.1 exactly. A request asking for another
version gets 406; every compute response says which version it is (both headers, as
Nova sends them) and carries x-compute-request-id."""

import json
from typing import Any

__all__ = ["MAX_VERSION", "MIN_VERSION", "Microversion"]

MIN_VERSION = "2.1"
MAX_VERSION = "2.1"
HEADERS = [
    (b"openstack-api-version", f"compute {MAX_VERSION}".encode()),
    (b"x-openstack-nova-api-version", MAX_VERSION.encode()),
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


def supported(version: str | None) -> bool:
    return version in (None, "latest", MIN_VERSION, "2.01")


class Microversion:
    """Pure ASGI middleware for paths under /compute/v2.1."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http" or not scope["path"].startswith("/compute/v2.1/"):
            await self.app(scope, receive, send)
            return
        version = requested(dict(scope["headers"]))
        request_id = scope.get("state", {}).get("request_id", "")
        extra = [*HEADERS, (b"x-compute-request-id", request_id.encode())]
        if not supported(version):
            body = json.dumps(
                {
                    "computeFault": {
                        "code": 406,
                        "message": f"Version {version} is not supported by the API. "
                        f"Minimum is {MIN_VERSION} and maximum is {MAX_VERSION}.",
                    }
                }
            ).encode()
            headers = [(b"content-type", b"application/json"), *extra]
            await send({"type": "http.response.start", "status": 406, "headers": headers})
            await send({"type": "http.response.body", "body": body})
            return

        async def send_with_version(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", []), *extra]
            await send(message)

        await self.app(scope, receive, send_with_version)
