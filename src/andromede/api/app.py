"""create_app(): the ASGI application with both error shapes and the request id."""

import logging
import uuid
from typing import Any

from fastapi import FastAPI, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException

from andromede import __version__
from andromede.api.docs_page import install_docs
from andromede.api.guards import RequestGuard
from andromede.api.openapi_doc import install_openapi
from andromede.api.openstack import (
    app_credentials,
    block_storage,
    cinder_resources,
    floating_ips,
    identity,
    image,
    image_changes,
    image_data,
    instance_actions,
    network,
    network_quotas,
    nova_images,
    nova_keypairs,
    ports,
    quotas,
    routers,
    security_groups,
    server_actions,
    server_groups,
    server_metadata,
    server_tags,
    servers,
    subnet_pools,
    volume_attachments,
)
from andromede.api.openstack import compute as os_compute
from andromede.api.openstack.errors import (
    OPENSTACK_PREFIXES,
    error_body,
    openstack_error,
    openstack_invalid,
)
from andromede.api.openstack.microversion import Microversion
from andromede.api.problems import http_problem, problem_response, validation_response
from andromede.api.route_sharing import add_routes
from andromede.api.v1 import (
    access,
    accounts,
    alignment,
    audit,
    billing,
    catalog,
    clusters,
    compliance,
    compute,
    einvoices,
    environments,
    legal,
    maintenances,
    offboarding,
    reservations,
    schedules,
    sovereignty,
    storage,
    tenancy,
    volumes,
)
from andromede.api.v1 import images as images_v1
from andromede.api.v1 import networks as networks_v1
from andromede.api.v1 import routers as routers_v1
from andromede.api.v1 import security_groups as security_groups_v1
from andromede.api.v1.responses import HealthOut
from andromede.bootstrap import App
from andromede.kernel.errors import AndromedeError

__all__ = ["create_app"]

log = logging.getLogger(__name__)


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


async def _domain(request: Request, exc: AndromedeError) -> JSONResponse:
    if request.url.path.startswith(OPENSTACK_PREFIXES):
        return openstack_error(request, exc)
    return problem_response(request, exc)


async def _invalid(request: Request, exc: RequestValidationError) -> JSONResponse:
    if request.url.path.startswith(OPENSTACK_PREFIXES):
        first = exc.errors()[0] if exc.errors() else {}
        return openstack_invalid(request, f"Invalid input: {first.get('msg', 'bad request')}")
    return validation_response(request, exc)


async def _http(request: Request, exc: HTTPException) -> JSONResponse:
    detail = str(exc.detail)
    if exc.status_code == 404 and detail == "Not Found":
        detail = f"no such resource: {request.method} {request.url.path}"
    headers = dict(exc.headers or {})
    if request.url.path.startswith(OPENSTACK_PREFIXES):
        body = error_body(request.url.path, exc.status_code, detail)
        return JSONResponse(body, status_code=exc.status_code, headers=headers)
    return http_problem(request, exc.status_code, detail, headers)


async def _crash(request: Request, exc: Exception) -> JSONResponse:
    """A bug: logged with its trace on the server, never shown to the client."""
    request_id = getattr(request.state, "request_id", None)
    log.exception("unhandled error in %s %s (%s)", request.method, request.url.path, request_id)
    detail = f"internal error; quote {request_id} to the operator"
    if request.url.path.startswith(OPENSTACK_PREFIXES):
        return JSONResponse(error_body(request.url.path, 500, detail), status_code=500)
    return http_problem(request, 500, detail)


ERROR_HANDLERS: dict[Any, Any] = {
    AndromedeError: _domain,
    RequestValidationError: _invalid,
    HTTPException: _http,
    Exception: _crash,
}


def create_app(container: App) -> FastAPI:
    api = FastAPI(
        title="Andromède",
        version=__version__,
        openapi_url="/v1/openapi.json",
        docs_url=None,  # served by docs_page, from this process's own files
        redoc_url=None,
        description="Control plane of a sovereign public cloud sold through partners.",
    )
    api.state.andromede = container
    install_openapi(api)
    install_docs(api, "/v1/openapi.json")

    for kind, handler in ERROR_HANDLERS.items():
        api.add_exception_handler(kind, handler)

    @api.get(
        "/v1/health",
        tags=["health"],
        response_model=HealthOut,
        responses={503: {"model": HealthOut, "description": "clock off the database's"}},
    )
    def health(response: Response) -> HealthOut:
        """Up, the database answering, and this host's clock within the allowed skew of the
        database server's (503 otherwise: its audit entries would carry a wrong time)."""
        skew = container.clock_skew().total_seconds()
        off = abs(skew) > container.settings.max_clock_skew_seconds
        if off:
            response.status_code = 503
        return HealthOut(
            status="clock-skew" if off else "ok",
            version=__version__,
            clock_skew_seconds=round(skew, 3),
        )

    for module in (
        accounts,
        tenancy,
        catalog,
        storage,
        compute,
        volumes,
        security_groups_v1,
        networks_v1,
        routers_v1,
        images_v1,
        billing,
        einvoices,
        reservations,
        schedules,
        environments,
        clusters,
        alignment,
        sovereignty,
        compliance,
        maintenances,
        legal,
        access,
        offboarding,
        audit,
    ):
        add_routes(api, module.router)  # /v1 and its query check are the router's own
    compute_faces = (
        os_compute,
        nova_keypairs,
        server_groups,
        quotas,
        servers,
        server_actions,
        server_metadata,
        server_tags,
        volume_attachments,
        instance_actions,
        nova_images,
    )
    image_faces = (image, image_changes, image_data)
    block_storage_faces = (block_storage, cinder_resources)
    network_faces = (
        network,
        network_quotas,
        security_groups,
        ports,
        routers,
        subnet_pools,
        floating_ips,
    )
    for face in (
        identity,
        app_credentials,
        *compute_faces,
        *image_faces,
        *network_faces,
        *block_storage_faces,
    ):
        add_routes(api, face.router)
    api.add_middleware(Microversion)
    api.add_middleware(
        RequestGuard,
        max_body=container.settings.max_body_bytes,
        uploads={alignment.IMPORTS: container.settings.max_price_list_bytes},
        streams=(image_data.STREAMED,),
    )
    api.add_middleware(RequestId)  # outermost: the request id exists for everything inside
    return api
