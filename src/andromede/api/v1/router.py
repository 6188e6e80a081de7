"""The router of each /v1 module. Its routes carry the ``/v1`` prefix and the check of
query names from the start, so that they are made once, when the module is imported,
and every application built in the process adds those same routes (``add_routes``).
Included with a prefix instead, each application made its own copy of every route the
first time a request reached it: a fifth of a second per application, paid by the first
request of each API process and by every test that builds one."""

from collections.abc import Sequence
from enum import Enum

from fastapi import APIRouter, Depends, FastAPI

from andromede.api.v1.schemas import known_query_only

__all__ = ["V1", "add_routes", "v1_router"]

V1 = "/v1"


def v1_router(*, prefix: str = "", tags: Sequence[str | Enum] = ()) -> APIRouter:
    return APIRouter(prefix=V1 + prefix, tags=list(tags), dependencies=[Depends(known_query_only)])


def add_routes(app: FastAPI, router: APIRouter) -> None:
    """The router's routes, as they are, at the end of the application's. They depend on
    no application (``app_of(request)`` finds the container), and none of our routers
    has start-up or shutdown handlers of its own to carry over."""
    assert not router.on_startup and not router.on_shutdown
    app.router.routes.extend(router.routes)
