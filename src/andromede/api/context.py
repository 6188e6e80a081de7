"""One transaction per request, the caller authenticated inside it, one audit entry for a
mutating request that fails (the success entry is written by the service it called)."""

from collections.abc import Callable
from contextlib import nullcontext
from typing import Any, TypeVar

from fastapi import Request
from sqlalchemy.orm import Session

from andromede.api.long_json import LongJSON
from andromede.api.realms import listener_refusal
from andromede.audit import service as audit
from andromede.audit.actions import AuditAction
from andromede.bootstrap import App
from andromede.db import again_if_aborted
from andromede.kernel.errors import (
    AndromedeError,
    Forbidden,
    LoginFailed,
    PolicyViolation,
    Unauthorized,
)
from andromede.kernel.tenants import TenantRef
from andromede.tenancy.scope import Actor, Caller, is_staff, realm_of

__all__ = [
    "Authenticate",
    "app_of",
    "bearer_token",
    "run",
    "run_anonymous",
    "run_login",
    "source_of",
]

T = TypeVar("T")


def app_of(request: Request) -> App:
    return request.app.state.andromede  # type: ignore[no-any-return]


def bearer_token(request: Request) -> str:
    header = request.headers.get("authorization", "")
    if header.lower().startswith("bearer "):
        return header[7:].strip()
    token = request.headers.get("x-auth-token")
    if token:
        return token
    raise Unauthorized("missing bearer token")


Authenticate = Callable[[App, Session, Request], Actor]


def by_bearer_token(app: App, session: Session, request: Request) -> Actor:
    return app.login.authenticate(session, bearer_token(request))


def run(
    request: Request,
    work: Callable[[Session, Caller], T],
    *,
    write: bool = False,
    action: AuditAction | None = None,
    target_type: str = "",
    target_id: str | None = None,
    authenticate: Authenticate = by_bearer_token,
) -> T:
    """``authenticate``: the API's bearer token by default; the console's sign-in cookie
    is the other way in, to the same walls, grants and audit."""
    app = app_of(request)
    caller: Caller | None = None

    def attempt() -> T:
        nonlocal caller
        with app.uow(readonly=not write) as session:
            actor = authenticate(app, session, request)
            server = request.scope.get("server")
            refusal = listener_refusal(app.settings.staff_address, server, is_staff(actor))
            if refusal:
                raise Forbidden(refusal)
            source = source_of(request)
            actor = app.access.with_grants(session, actor, source)
            caller = Caller(actor, getattr(request.state, "request_id", None), source=source)
            request.state.caller = caller
            return work(session, caller)

    try:
        with app.writes if write else nullcontext():
            result = again_if_aborted(attempt)
    except AndromedeError as exc:
        if write and action:
            _audit_failure(app, request, caller, action, target_type, target_id, exc)
        raise
    if caller is not None and caller.reads:
        _audit_staff_reads(app, request, caller)
    return result


def _audit_staff_reads(app: App, request: Request, caller: Caller) -> None:
    """Staff read a customer's data under its grant: one entry per customer, naming the
    grant, in the customer's transparency feed."""
    target = f"{request.method} {request.url.path}"[:100]
    with app.uow() as session:
        for ref in sorted(caller.reads, key=lambda r: r.customer_id or ""):
            app.tenancy.audit(session, caller, AuditAction.STAFF_READ, "request", target, ref)


def run_anonymous(
    request: Request, work: Callable[[Session], T], *, action: AuditAction, target_type: str
) -> T:
    app = app_of(request)
    try:
        with app.uow() as session:
            return work(session)
    except AndromedeError as exc:
        _audit_failure(app, request, None, action, target_type, None, exc)
        raise


def source_of(request: Request) -> str:
    """The client's address as the socket says (a proxy in front must be trusted to be
    used, and none is configured)."""
    return request.client.host if request.client else "unknown"


def realm_of_listener(request: Request) -> Callable[[bool], str | None]:
    """Why a staff member (True) or a tenant (False) may not sign in on the listener this
    request came to (SecNumCloud 9.6), if so."""
    staff_address, server = app_of(request).settings.staff_address, request.scope.get("server")
    return lambda staff: listener_refusal(staff_address, server, staff)


def run_login(request: Request, username: str, work: Callable[[Session, str], T]) -> T:
    """A sign-in on either face. The try is admitted and counted first, in a transaction
    that commits before any password is checked; a wrong password or code then counts
    toward the lockout in a transaction of its own (the failed one is rolled back)."""
    app = app_of(request)
    source = source_of(request)
    try:
        with app.uow() as session:
            app.login.admit(session, username, source)
    except AndromedeError as exc:
        _audit_failure(app, request, None, AuditAction.TOKEN_ISSUE, "token", None, exc)
        raise
    try:
        return run_anonymous(
            request, lambda s: work(s, source), action=AuditAction.TOKEN_ISSUE, target_type="token"
        )
    except LoginFailed as exc:
        with app.uow() as session:
            app.login.note_failed_login(session, exc.username, source)
        raise


def _audit_failure(
    app: App,
    request: Request,
    caller: Caller | None,
    action: AuditAction,
    target_type: str,
    target_id: str | None,
    exc: AndromedeError,
) -> None:
    actor = caller.actor if caller else None
    with app.uow() as session:
        if isinstance(exc, PolicyViolation):  # a refusal is a decision too: keep it
            app.sovereignty.record_decision(session, action, None, exc.decision)
        audit.record(
            session,
            at=app.clock.now(),
            actor=actor.username if actor else "anonymous",
            actor_id=actor.user_id if actor else None,
            action=action,
            target_type=target_type,
            target_id=target_id,
            ref=TenantRef(actor.partner_id, actor.customer_id) if actor else TenantRef(),
            outcome=f"failure: {exc.code}",
            request_id=getattr(request.state, "request_id", None),
            realm=realm_of(actor) if actor else None,
            source=source_of(request),
        )


def page(items: list[Any], limit: int, view: Callable[[Any], dict[str, Any]]) -> LongJSON:
    """A page of a list. The views build plain JSON values already, so the response skips
    FastAPI's generic encoder, which costs more than the query on a page of 1,000."""
    return LongJSON(
        {
            "items": [view(i) for i in items],
            "next_marker": items[-1].id if len(items) == limit and items else None,
        }
    )
