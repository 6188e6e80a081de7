"""The whole served site: the API faces and the console in one process, one ASGI app."""

import gc

from fastapi import FastAPI
from fastapi.responses import RedirectResponse
from fastapi.staticfiles import StaticFiles

from andromede.api.app import ERROR_HANDLERS, create_app
from andromede.api.route_sharing import add_routes
from andromede.bootstrap import App, build
from andromede.config import load_settings
from andromede.console import (
    account_pages,
    alignment_pages,
    audit_pages,
    auth_pages,
    cluster_pages,
    customer_pages,
    devtest_pages,
    infrastructure_pages,
    invoice_pages,
    operator_pages,
    partner_admin_pages,
    partner_pages,
    price_pages,
    resale_pages,
    reservation_pages,
    server_pages,
    signup_pages,
    volume_pages,
)
from andromede.console.errors import console_first
from andromede.console.web import BASE

__all__ = ["AREAS", "app_from_settings", "create_site"]

AREAS = (
    auth_pages,
    signup_pages,
    server_pages,
    volume_pages,
    customer_pages,
    partner_pages,
    operator_pages,
    price_pages,
    alignment_pages,
    account_pages,
    partner_admin_pages,
    infrastructure_pages,
    audit_pages,
    reservation_pages,
    devtest_pages,
    cluster_pages,
    resale_pages,
    invoice_pages,
)


def create_site(container: App) -> FastAPI:
    site = create_app(container)
    for kind, handler in ERROR_HANDLERS.items():
        site.add_exception_handler(kind, console_first(handler, kind))
    site.mount(f"{BASE}/static", StaticFiles(packages=[("andromede.console", "static")]))
    for area in AREAS:
        add_routes(site, area.router)  # the console's prefix is the router's own

    @site.get("/", include_in_schema=False)
    def root() -> RedirectResponse:
        return RedirectResponse(f"{BASE}/", status_code=307)

    return site


def app_from_settings() -> FastAPI:
    """ASGI factory for worker processes: each builds its own container."""
    container = build(load_settings())
    container.guard_egress()  # a spawned process: the parent's hook is not inherited
    site = create_site(container)
    container.login.passwords.decoy()  # as in `andromede serve`: before the first sign-in
    gc.freeze()  # as in `andromede serve`: start-up objects leave the collector's view
    return site
