"""Routes made once per process and added, as they are, to every application built in
it. ``include_router`` keeps the router behind a wrapper, and the first request reaching
the wrapper made that application its own copy of every route there: a fifth of a
second per application, paid by the first request of each API process and by every test
that builds one. So each router carries its prefix and dependencies itself (the /v1
modules' ``v1_router``, the console areas' ``area_router``, the OpenStack faces' own)."""

from fastapi import APIRouter, FastAPI

__all__ = ["add_routes"]


def add_routes(app: FastAPI, router: APIRouter) -> None:
    """The router's routes at the end of the application's. They depend on no
    application (``app_of(request)`` finds the container), and none of our routers has
    start-up or shutdown handlers of its own to carry over."""
    assert not router.on_startup and not router.on_shutdown
    app.router.routes.extend(router.routes)
