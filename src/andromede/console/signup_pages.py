"""The direct web channel: a developer's company signs up by itself (under the operator's
own house partner, at list prices) and lands in its console, signed in."""

from typing import Any

from fastapi import Depends, Form, Request
from fastapi.responses import Response

from andromede.api.context import app_of, run_anonymous, source_of
from andromede.api.problems import STATUS
from andromede.audit.actions import AuditAction
from andromede.console.forms import Company, company_form
from andromede.console.web import BASE, area_router, error_text, render, require_csrf, signed_in
from andromede.kernel.errors import AndromedeError
from andromede.tenancy.inputs import CustomerInput

router = area_router()


@router.get("/signup")
def signup_form(request: Request) -> Response:
    return render(request, "signup.html", {"values": {}})


@router.post("/signup")
def signup(
    request: Request,
    csrf: str = Form(""),
    company: Company = Depends(company_form),
    username: str = Form(""),
    password: str = Form(""),
    project_name: str = Form("default"),
) -> Response:
    require_csrf(request, csrf)
    app = app_of(request)
    data = CustomerInput(**company.identity())

    def work(session: Any) -> str:
        app.users.signup(
            session,
            data,
            username=username,
            password=password,
            project_name=project_name or "default",
            request_id=request.state.request_id,
        )
        token, row, _ = app.login.issue_token(
            session, username, password, None, request.state.request_id, source=source_of(request)
        )
        app.login.open_web_session(session, row)
        return token

    try:  # counted first, in a transaction that commits even if the signup is refused
        run_anonymous(
            request,
            lambda s: app.login.admit_signup(s, source_of(request)),
            action=AuditAction.SIGNUP,
            target_type="customer",
        )
        token = run_anonymous(request, work, action=AuditAction.SIGNUP, target_type="customer")
    except AndromedeError as exc:
        values = company.values() | {"username": username, "project_name": project_name}
        context = {"values": values, "error": error_text(request, exc)}
        return render(request, "signup.html", context, status=STATUS.get(exc.code, 500))
    return signed_in(request, token, BASE + "/start")
