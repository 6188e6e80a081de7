"""create_app(): the ASGI application with both error shapes and the request id."""

import uuid
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse

from andromede import __version__
from andromede.api.openstack import compute as os_compute
from andromede.api.openstack import identity, image, network, servers
from andromede.api.openstack.errors import OPENSTACK_PREFIXES, openstack_error, openstack_invalid
from andromede.api.openstack.microversion import Microversion
from andromede.api.problems import problem_response, validation_response
from andromede.api.v1 import (
    access,
    audit,
    billing,
    catalog,
    compute,
    offboarding,
    reservations,
    sovereignty,
    tenancy,
)
from andromede.bootstrap import App
from andromede.kernel.errors import AndromedeError

__all__ = ["create_app"]


class RequestId:
    """Pure ASGI middleware (no per-request task overhead): ``req-<uuid>`` on every reply."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_id = f"req-{uuid.uuid4()}"
        scope.setdefault("state", {})["request_id"] = request_id
        header = (b"x-openstack-request-id", request_id.encode())

        async def send_with_id(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", []), header]
            await send(message)

        await self.app(scope, receive, send_with_id)


def create_app(container: App) -> FastAPI:
    api = FastAPI(
        title="Andromède",
        version=__version__,
        openapi_url="/v1/openapi.json",
        docs_url="/docs",
        redoc_url=None,
        description="Control plane of a sovereign public cloud sold through partners.",
    )
    api.state.andromede = container

    @api.exception_handler(AndromedeError)
    async def _domain(request: Request, exc: AndromedeError) -> JSONResponse:
        if request.url.path.startswith(OPENSTACK_PREFIXES):
            return openstack_error(request, exc)
        return problem_response(request, exc)

    @api.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError) -> JSONResponse:
        if request.url.path.startswith(OPENSTACK_PREFIXES):
            first = exc.errors()[0] if exc.errors() else {}
            return openstack_invalid(request, f"Invalid input: {first.get('msg', 'bad request')}")
        return validation_response(request, exc)

    @api.get("/v1/health", tags=["health"])
    def health() -> dict[str, str]:
        with container.uow(readonly=True) as session:
            session.connection().exec_driver_sql("SELECT 1")
        return {"status": "ok", "version": __version__}

    for module in (
        tenancy,
        catalog,
        compute,
        billing,
        reservations,
        sovereignty,
        access,
        offboarding,
        audit,
    ):
        api.include_router(module.router, prefix="/v1")
    for face in (identity, os_compute, servers, image, network):
        api.include_router(face.router)
    api.add_middleware(Microversion)
    api.add_middleware(RequestId)  # outermost: the request id exists for everything inside
    return api
