"""Signing in and out of the console, and the language switch. Sign-in goes through the
same rules as the API's tokens (admission counters, lockout, staff TOTP)."""

from typing import Any

from fastapi import Form, Request
from fastapi.responses import RedirectResponse, Response

from andromede.api.context import app_of, realm_of_listener, run_login
from andromede.audit.actions import AuditAction
from andromede.console.i18n import language_of
from andromede.console.navigation import home_of
from andromede.console.web import (
    BASE,
    LANG_COOKIE,
    SESSION_COOKIE,
    act,
    area_router,
    error_text,
    go,
    render,
    require_csrf,
    set_cookie,
    signed_in,
)
from andromede.kernel.errors import (
    AndromedeError,
    MfaRequired,
    Throttled,
    Unauthorized,
)
from andromede.tenancy.scope import Actor

router = area_router()

YEAR = 365 * 24 * 3600


def _safe_next(target: str) -> str:
    """Only a path of this console: never another site (an open redirect)."""
    if target.startswith(BASE + "/") and not target.startswith("//") and "\\" not in target:
        return target
    return ""


@router.get("/")
def home(request: Request) -> Response:
    actor: Actor = act(request, lambda s, c: c.actor)
    return go(home_of(actor))


@router.get("/login")
def login_form(request: Request, next: str = "") -> Response:
    return render(request, "login.html", {"next": _safe_next(next), "ask_code": False})


@router.post("/login")
def login(
    request: Request,
    username: str = Form(""),
    password: str = Form(""),
    otp: str = Form(""),
    next: str = Form(""),
    csrf: str = Form(""),
) -> Response:
    require_csrf(request, csrf)
    app = app_of(request)

    def work(session: Any, source: str) -> tuple[str, Actor]:
        token, row, actor = app.login.issue_token(
            session,
            username,
            password,
            otp or None,
            request.state.request_id,
            source=source,
            realm_refusal=realm_of_listener(request),
        )
        app.login.open_web_session(session, row)
        return token, actor

    try:
        token, actor = run_login(request, username, work)
    except AndromedeError as exc:  # refused: the form again, saying why
        status = 429 if isinstance(exc, Throttled) else 401
        status = status if isinstance(exc, Throttled | Unauthorized) else 403
        context = {
            "next": _safe_next(next),
            "username": username,
            "error": error_text(request, exc),
            "ask_code": isinstance(exc, MfaRequired) or bool(otp),
        }
        return render(request, "login.html", context, status=status)
    return signed_in(request, token, _safe_next(next) or BASE + home_of(actor))


@router.post("/logout")
def logout(request: Request, csrf: str = Form("")) -> Response:
    require_csrf(request, csrf)
    app = app_of(request)
    token = request.cookies.get(SESSION_COOKIE, "")
    act(
        request,
        lambda s, c: app.login.revoke_token(s, c, token),
        write=True,
        action=AuditAction.TOKEN_REVOKE,
        target_type="token",
    )
    response = go("/login")
    response.delete_cookie(SESSION_COOKIE, path=BASE)
    return response


@router.post("/lang")
def switch_language(
    request: Request, lang: str = Form(""), back: str = Form(""), csrf: str = Form("")
) -> Response:
    require_csrf(request, csrf)
    response = RedirectResponse(_safe_next(back) or f"{BASE}/", status_code=303)
    set_cookie(request, response, LANG_COOKIE, language_of(lang), max_age=YEAR)
    return response
