"""Nova's server metadata at /compute/v2.1/servers/{id}/metadata: read it, replace it,
merge into it, and one key at a time. Keys and values are strings (Nova's limits: 128
items, 255 characters); another project's server is not found."""

from typing import Any

from fastapi import APIRouter, Body, Request, Response

from andromede.api.context import app_of, run
from andromede.api.openstack.envelopes import declares
from andromede.api.openstack.servers import own_server, update_of
from andromede.kernel.errors import NotFound, ValidationFailed

router = APIRouter(prefix="/compute/v2.1", tags=["openstack compute"])
METADATA = "/servers/{server_id}/metadata"


def _pairs(body: dict[str, Any], field: str) -> tuple[tuple[str, str], ...]:
    items = body.get(field)
    if not isinstance(items, dict):
        raise ValidationFailed.one(field, "an object of strings")
    if not all(isinstance(k, str) and isinstance(v, str) for k, v in items.items()):
        raise ValidationFailed.one(field, "keys and values are strings")
    return tuple(items.items())


@router.get(METADATA, **declares("Metadata"))
def show_metadata(server_id: str, request: Request) -> dict[str, Any]:
    app = app_of(request)
    server = run(request, lambda s, c: own_server(app, s, c, server_id))
    return {"metadata": dict(server.metadata_ or {})}


def _set(request: Request, server_id: str, body: dict[str, Any], replace: bool) -> Any:
    app = app_of(request)
    pairs = _pairs(body, "metadata")

    def work(session: Any, caller: Any) -> dict[str, str]:
        server = own_server(app, session, caller, server_id)
        return app.servers.set_metadata(session, caller, server.id, pairs, replace=replace)

    return {"metadata": dict(update_of(request, server_id, work))}


@router.put(METADATA, **declares("Metadata"))
def replace_metadata(
    server_id: str, request: Request, body: dict[str, Any] = Body(...)
) -> dict[str, Any]:
    return _set(request, server_id, body, replace=True)  # type: ignore[no-any-return]


@router.post(METADATA, **declares("Metadata"))
def merge_metadata(
    server_id: str, request: Request, body: dict[str, Any] = Body(...)
) -> dict[str, Any]:
    return _set(request, server_id, body, replace=False)  # type: ignore[no-any-return]


@router.get(METADATA + "/{key}", **declares("Meta"))
def show_item(server_id: str, key: str, request: Request) -> dict[str, Any]:
    app = app_of(request)
    server = run(request, lambda s, c: own_server(app, s, c, server_id))
    if key not in (server.metadata_ or {}):
        raise NotFound("metadata key", key)
    return {"meta": {key: server.metadata_[key]}}


@router.put(METADATA + "/{key}", **declares("Meta"))
def set_item(
    server_id: str, key: str, request: Request, body: dict[str, Any] = Body(...)
) -> dict[str, Any]:
    """One item, whose key is the URL's."""
    app = app_of(request)
    pairs = _pairs(body, "meta")
    if len(pairs) != 1 or pairs[0][0] != key:
        raise ValidationFailed.one("meta", "exactly one item, with the URL's key")

    def work(session: Any, caller: Any) -> dict[str, str]:
        server = own_server(app, session, caller, server_id)
        return app.servers.set_metadata(session, caller, server.id, pairs, replace=False)

    return {"meta": {key: update_of(request, server_id, work)[key]}}


@router.delete(METADATA + "/{key}", status_code=204)
def delete_item(server_id: str, key: str, request: Request) -> Response:
    app = app_of(request)

    def work(session: Any, caller: Any) -> None:
        server = own_server(app, session, caller, server_id)
        app.servers.delete_metadata(session, caller, server.id, key)

    update_of(request, server_id, work)
    return Response(status_code=204)
