"""The API's reference page (/docs) served with nothing from outside: Swagger UI's script,
stylesheet and icon come from the ``fastapi-offline`` package's files (Swagger UI 5, which
reads OpenAPI 3.1) and are served by this process; the validator badge, which would call
validator.swagger.io, is switched off. Offline, the page still renders."""

from importlib.resources import files

from fastapi import FastAPI
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

__all__ = ["ASSETS", "install_docs"]

ASSETS = "/docs/assets"


def install_docs(api: FastAPI, openapi_url: str) -> None:
    static = files("fastapi_offline") / "static"
    api.mount(ASSETS, StaticFiles(directory=str(static)), name="docs-assets")

    @api.get("/docs", include_in_schema=False)
    def docs() -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url=openapi_url,
            title="Andromède API",
            swagger_js_url=f"{ASSETS}/swagger-ui-bundle.js",
            swagger_css_url=f"{ASSETS}/swagger-ui.css",
            swagger_favicon_url=f"{ASSETS}/favicon.png",
            swagger_ui_parameters={"validatorUrl": None},
        )
