"""How a console page runs: the sign-in cookie authenticates the caller into the same
transaction, walls, grants and audit as the API (``api.context.run``); forms carry a
CSRF token; pages are rendered from templates in the reader's language.

Cookies are HttpOnly and SameSite=Strict, and ``Secure`` when the public URL is https.
The CSRF token of a signed-in page is derived from the sign-in's secret (a page of
another site can read neither); sign-in and signup forms, before any sign-in exists,
carry a random value that must match a cookie of their own (double submit)."""

import hashlib
import hmac
import secrets
from collections.abc import Callable, Mapping
from typing import Any, TypeVar

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from jinja2 import Environment, PackageLoader, select_autoescape
from sqlalchemy.orm import Session

from andromede.api.context import app_of, run
from andromede.audit.actions import AuditAction
from andromede.bootstrap import App
from andromede.console.i18n import Formats, language_of
from andromede.console.navigation import menu
from andromede.kernel.error_language import detail_in
from andromede.kernel.errors import AndromedeError, Forbidden, Unauthorized
from andromede.tenancy.scope import Actor, Caller, Permission, allowed

__all__ = [
    "BASE",
    "act",
    "area_router",
    "csrf_of",
    "go",
    "page",
    "render",
    "require_csrf",
    "set_cookie",
    "signed_in",
]

BASE = "/console"
SESSION_COOKIE = "andromede_session"
PRESESSION_COOKIE = "andromede_form"
LANG_COOKIE = "andromede_lang"
T = TypeVar("T")


def area_router() -> APIRouter:
    """A console area's router: its routes carry the console's prefix and stay out of
    the API's document from the start, so they are made once per process
    (``andromede.api.route_sharing``)."""
    return APIRouter(prefix=BASE, include_in_schema=False)


templates = Environment(
    loader=PackageLoader("andromede.console", "templates"),
    autoescape=select_autoescape(["html", "svg"]),
    trim_blocks=True,
    lstrip_blocks=True,
)


def csrf_of(request: Request) -> str:
    token = request.cookies.get(SESSION_COOKIE)
    if token:
        return hmac.new(token.encode(), b"console-form", hashlib.sha256).hexdigest()[:40]
    return request.cookies.get(PRESESSION_COOKIE) or ""


def require_csrf(request: Request, sent: str) -> None:
    """Every form that changes something: the token the page was served with."""
    expected = csrf_of(request)
    if not expected or not hmac.compare_digest(expected, sent or ""):
        raise Forbidden("this form has expired or did not come from this console; reload it")


def by_cookie(app: App, session: Session, request: Request) -> Actor:
    token = request.cookies.get(SESSION_COOKIE)
    if not token:
        raise Unauthorized("sign in first")
    actor, touch = app.login.authenticate_web(session, token)
    request.state.touch_session = touch
    return actor


def act(
    request: Request,
    work: Callable[[Session, Caller], T],
    *,
    write: bool = False,
    action: AuditAction | None = None,
    target_type: str = "",
    target_id: str | None = None,
) -> T:
    """One page's work in one transaction, as the signed-in user."""
    result = run(
        request,
        work,
        write=write,
        action=action,
        target_type=target_type,
        target_id=target_id,
        authenticate=by_cookie,
    )
    if getattr(request.state, "touch_session", False):
        app = app_of(request)
        with app.uow() as session:
            app.login.touch_web_session(session, request.cookies[SESSION_COOKIE])
    return result


def formats(request: Request) -> Formats:
    return Formats(language_of(request.cookies.get(LANG_COOKIE)))


def error_text(request: Request, error: AndromedeError) -> str:
    """An error's detail in the page's language (French where its facts are known)."""
    return detail_in(error, formats(request).language)


def render(
    request: Request,
    template: str,
    context: Mapping[str, Any],
    *,
    caller: Caller | None = None,
    status: int = 200,
) -> HTMLResponse:
    fmt = formats(request)
    actor = caller.actor if caller else None
    fresh = None  # a first page before any sign-in: its forms get a token of their own
    if not request.cookies.get(SESSION_COOKIE) and not request.cookies.get(PRESESSION_COOKIE):
        fresh = secrets.token_urlsafe(24)
    html = templates.get_template(template).render(
        {
            **context,
            "_": fmt.gettext,
            "f": fmt,
            "lang": fmt.language,
            "actor": actor,
            "may": (lambda p: allowed(actor, Permission(p))) if actor else (lambda p: False),
            "menu": menu(actor, request.url.path) if actor else [],
            "csrf": fresh or csrf_of(request),
            "path": request.url.path,
            "base": BASE,
        }
    )
    response = HTMLResponse(html, status_code=status)
    if fresh:
        set_cookie(request, response, PRESESSION_COOKIE, fresh)
    return response


def page(
    request: Request, template: str, fetch: Callable[[Session, Caller], Mapping[str, Any]]
) -> HTMLResponse:
    """A read-only page: what ``fetch`` returns, rendered for the caller."""
    holder: dict[str, Caller] = {}

    def work(session: Session, caller: Caller) -> Mapping[str, Any]:
        holder["caller"] = caller
        return fetch(session, caller)

    context = act(request, work)
    return render(request, template, context, caller=holder["caller"])


def go(path: str) -> RedirectResponse:
    """After a form: back to a page (303, so a reload does not post again)."""
    return RedirectResponse(BASE + path, status_code=303)


def signed_in(request: Request, token: str, target: str) -> RedirectResponse:
    """Where a sign-in (or a signup) lands: the session cookie set, the form one gone."""
    response = RedirectResponse(target, status_code=303)
    set_cookie(request, response, SESSION_COOKIE, token)
    response.delete_cookie(PRESESSION_COOKIE, path=BASE)
    return response


def set_cookie(
    request: Request, response: Any, name: str, value: str, max_age: int | None = None
) -> None:
    app = app_of(request)
    response.set_cookie(
        name,
        value,
        max_age=max_age,
        path=BASE,
        httponly=True,
        samesite="strict",
        secure=app.settings.base_url.startswith("https://"),
    )
