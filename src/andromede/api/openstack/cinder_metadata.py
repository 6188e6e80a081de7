"""Cinder's metadata routes, the same six for volumes and snapshots: read all, merge
(POST), replace (PUT), read, set and delete one key. Each write is one transaction
through the owning service's update."""

from collections.abc import Callable
from typing import Any

from fastapi import APIRouter, Body, Request, Response

from andromede.api.context import app_of, run
from andromede.api.openstack.envelopes import declares
from andromede.audit.actions import AuditAction
from andromede.kernel.errors import NotFound, ValidationFailed

__all__ = ["add_metadata_routes"]

Fetch = Callable[[Any, Any, Any, str], Any]  # app, session, caller, id -> the row
Store = Callable[[Any, Any, Any, Any, dict[str, str]], Any]  # ... row, metadata -> the row
Change = Callable[[dict[str, str]], dict[str, str]]


def _wrapped(body: dict[str, Any], key: str) -> dict[str, Any]:
    value = body.get(key)
    if not isinstance(value, dict):
        raise ValidationFailed.one(key, f"the body must be {{{key!r}: {{...}}}}")
    return value


def _metadata(
    request: Request,
    obj_id: str,
    fetch: Fetch,
    write: tuple[Store, AuditAction, Change] | None = None,
) -> dict[str, str]:
    """The object's metadata; with ``write``, changed by it in the same transaction."""
    app = app_of(request)

    def work(session: Any, caller: Any) -> dict[str, str]:
        row = fetch(app, session, caller, obj_id)
        current = dict(row.metadata_ or {})
        if write is None:
            return current
        store, _, change = write
        return dict(store(app, session, caller, row, change(current)).metadata_)

    if write is None:
        found: dict[str, str] = run(request, work)
        return found
    action = write[1]
    target = action.value.split(".")[0]
    written: dict[str, str] = run(
        request, work, write=True, action=action, target_type=target, target_id=obj_id
    )
    return written


def add_metadata_routes(
    router: APIRouter, path: str, fetch: Fetch, store: Store, action: AuditAction
) -> None:
    @router.get(path, **declares("Metadata"))
    def show_all(obj_id: str, request: Request) -> dict[str, Any]:
        return {"metadata": _metadata(request, obj_id, fetch)}

    @router.get(path + "/{key}", **declares("Meta"))
    def show_one(obj_id: str, key: str, request: Request) -> dict[str, Any]:
        current = _metadata(request, obj_id, fetch)
        if key not in current:
            raise NotFound("metadata key", key)
        return {"meta": {key: current[key]}}

    _add_writes(router, path, fetch, store, action)


def _add_writes(
    router: APIRouter, path: str, fetch: Fetch, store: Store, action: AuditAction
) -> None:
    def change(request: Request, obj_id: str, how: Change) -> dict[str, str]:
        return _metadata(request, obj_id, fetch, (store, action, how))

    @router.post(path, **declares("Metadata"))
    def merge(obj_id: str, request: Request, body: dict[str, Any] = Body(...)) -> Any:
        given = _wrapped(body, "metadata")
        return {"metadata": change(request, obj_id, lambda current: {**current, **given})}

    @router.put(path, **declares("Metadata"))
    def replace(obj_id: str, request: Request, body: dict[str, Any] = Body(...)) -> Any:
        given = _wrapped(body, "metadata")
        return {"metadata": change(request, obj_id, lambda _: dict(given))}

    @router.put(path + "/{key}", **declares("Meta"))
    def set_one(obj_id: str, key: str, request: Request, body: dict[str, Any] = Body(...)) -> Any:
        given = _wrapped(body, "meta")
        if set(given) != {key}:
            raise ValidationFailed.one("meta", f"exactly the key {key!r}")
        change(request, obj_id, lambda current: {**current, **given})
        return {"meta": given}

    @router.delete(path + "/{key}", response_class=Response)
    def delete_one(obj_id: str, key: str, request: Request) -> Response:
        def drop(current: dict[str, str]) -> dict[str, str]:
            if key not in current:
                raise NotFound("metadata key", key)
            return {k: v for k, v in current.items() if k != key}

        change(request, obj_id, drop)
        return Response(status_code=200)
