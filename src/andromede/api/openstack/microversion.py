"""Compute microversions: this face speaks 2.1 to ``MAX_VERSION``, each version with the
shape changes Nova made up to it that a non-admin caller meets. Where each is honoured:
server views in nova_views.py (2.9, 2.19, 2.26, 2.47, 2.63, 2.71, 2.73), create bodies in
server_requests.py (2.19, 2.32, 2.37, 2.52, 2.57, 2.63, 2.67), list queries in
server_filters.py (2.5, 2.26, 2.38, 2.66, 2.73, 2.75), actions in server_actions.py (2.17,
2.19, 2.45, 2.54, 2.57, 2.73, 2.75), keypairs (2.2, 2.10, 2.35), server groups (2.13,
2.15, 2.64), flavors (2.55, 2.61, 2.75), limits and quota sets (2.36, 2.39, 2.57), the
proxy APIs gone from 2.36 (images), instance actions (2.51, 2.58, 2.62, 2.66). The others
change admin APIs or cells, which this face does not expose. A malformed version is a
400, one out of range a 406; every compute response says which version answered (both
headers, as Nova sends them) and carries x-compute-request-id. Handlers read the version
with ``compute_version``. Block storage speaks Cinder's 3.0 to 3.70 the same way
(``OpenStack-API-Version: volume 3.x``), answered with the version it was read at."""

import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from starlette.requests import Request

from andromede.kernel.errors import NotFound

__all__ = [
    "COMPUTE",
    "MAX_VERSION",
    "MIN_VERSION",
    "VOLUME",
    "Microversion",
    "Speaks",
    "compute_version",
    "from_version",
    "gone_from",
    "parse",
    "volume_version",
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


def volume_version(request: Request) -> Version:
    """The block-storage version the request is answered at (3.0 when none was asked)."""
    found: Version = getattr(request.state, "volume_version", (3, 0))
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


@dataclass(frozen=True)
class Speaks:
    """One service's microversions: its path, its name in ``OpenStack-API-Version``, its
    range, and the extra headers it answers with (Nova's legacy one, its request id)."""

    prefix: str
    service: str
    lowest: Version
    highest: Version
    state_key: str
    legacy: bytes = b""  # Nova's X-OpenStack-Nova-API-Version
    request_id: bytes = b""  # x-compute-request-id
    fault: str = "computeFault"  # the body key of a 406

    def headers(self, version: Version, request_id: str) -> list[tuple[bytes, bytes]]:
        text = f"{version[0]}.{version[1]}"
        found = [(b"openstack-api-version", f"{self.service} {text}".encode())]
        if self.legacy:
            found.append((self.legacy, text.encode()))
            found.append((b"vary", b"OpenStack-API-Version, X-OpenStack-Nova-API-Version"))
        else:
            found.append((b"vary", b"OpenStack-API-Version"))
        if self.request_id:
            found.append((self.request_id, request_id.encode()))
        return found

    def requested(self, headers: dict[bytes, bytes]) -> str | None:
        """The version asked for, or None (then the lowest, as Nova and Cinder do)."""
        generic = headers.get(b"openstack-api-version", b"").decode().strip()
        if generic:
            service, _, version = generic.partition(" ")
            if service.lower() == self.service:
                return version.strip()
        if self.legacy:
            return headers.get(self.legacy, b"").decode().strip() or None
        return None

    def negotiated(self, version: str | None) -> tuple[int, Version | str]:
        """(200, the version to answer at), or (status, why not)."""
        if version is None:
            return 200, self.lowest
        if version.strip().lower() == "latest":
            return 200, self.highest
        wanted = parse(version)
        if wanted is None:
            return 400, f"Invalid API version request string {version!r}."
        if not self.lowest <= wanted <= self.highest:
            low, high = self.lowest, self.highest
            return 406, (
                f"Version {version} is not supported by the API. "
                f"Minimum is {low[0]}.{low[1]} and maximum is {high[0]}.{high[1]}."
            )
        return 200, wanted


COMPUTE = Speaks(
    "/compute/v2.1/",
    "compute",
    LOWEST,
    HIGHEST,
    "compute_version",
    legacy=b"x-openstack-nova-api-version",
    request_id=b"x-compute-request-id",
)
VOLUME = Speaks("/block-storage/v3/", "volume", (3, 0), (3, 70), "volume_version")


class Microversion:
    """Pure ASGI middleware for the paths of the services that speak microversions."""

    def __init__(self, app: Any, services: tuple[Speaks, ...] = (COMPUTE, VOLUME)) -> None:
        self.app = app
        self.services = services

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        speaks = next(
            (s for s in self.services if scope.get("path", "").startswith(s.prefix)), None
        )
        if scope["type"] != "http" or speaks is None:
            await self.app(scope, receive, send)
            return
        status, outcome = speaks.negotiated(speaks.requested(dict(scope["headers"])))
        request_id = scope.get("state", {}).get("request_id", "")
        answered = outcome if isinstance(outcome, tuple) else speaks.lowest
        extra = speaks.headers(answered, request_id)
        if isinstance(outcome, str):
            key = speaks.fault if status == 406 else "badRequest"
            body = json.dumps({key: {"code": status, "message": outcome}}).encode()
            headers = [(b"content-type", b"application/json"), *extra]
            await send({"type": "http.response.start", "status": status, "headers": headers})
            await send({"type": "http.response.body", "body": body})
            return
        scope.setdefault("state", {})[speaks.state_key] = outcome

        async def send_with_version(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", []), *extra]
            await send(message)

        await self.app(scope, receive, send_with_version)
