"""The create / list / get / update / delete routes of a resource, written once: each
route states which service call it makes and which view answers, and these helpers do
the rest the same way everywhere (one transaction, the caller, the audit action of a
refused write, the page of a list, the empty answer of a delete)."""

from collections.abc import Callable
from typing import Any, TypeVar

from fastapi import Request, Response
from fastapi.responses import JSONResponse
from sqlalchemy.orm import Session

from andromede.api.context import app_of, page, run
from andromede.audit.actions import AuditAction
from andromede.bootstrap import App
from andromede.tenancy.scope import Caller

__all__ = ["create", "listing", "one", "remove", "update"]

T = TypeVar("T")
Call = Callable[[App, Session, Caller], T]
View = Callable[[Any], dict[str, Any]]


def _target(action: AuditAction) -> str:
    """``keypair.create`` → ``keypair``: what the action is done to."""
    return action.value.split(".")[0]


def create(request: Request, make: Call[Any], view: View, action: AuditAction) -> Any:
    app = app_of(request)
    return run(
        request,
        lambda s, c: view(make(app, s, c)),
        write=True,
        action=action,
        target_type=_target(action),
    )


def listing(request: Request, fetch: Call[list[Any]], view: View, limit: int) -> JSONResponse:
    app = app_of(request)
    return run(request, lambda s, c: page(fetch(app, s, c), limit, view))


def one(request: Request, fetch: Call[Any], view: View) -> Any:
    app = app_of(request)
    return run(request, lambda s, c: view(fetch(app, s, c)))


def update(
    request: Request, change: Call[Any], view: View, action: AuditAction, target_id: str
) -> Any:
    app = app_of(request)
    return run(
        request,
        lambda s, c: view(change(app, s, c)),
        write=True,
        action=action,
        target_type=_target(action),
        target_id=target_id,
    )


def remove(
    request: Request, delete: Call[Any], action: AuditAction, target_id: str, status: int = 204
) -> Response:
    app = app_of(request)
    run(
        request,
        lambda s, c: delete(app, s, c),
        write=True,
        action=action,
        target_type=_target(action),
        target_id=target_id,
    )
    return Response(status_code=status)
