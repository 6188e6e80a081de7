"""/v1 tokens, second factors, signup and users: the accounts people sign in with."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from fastapi import Request, Response
from pydantic import Field

from andromede.api.context import (
    app_of,
    bearer_token,
    realm_of_listener,
    run,
    run_anonymous,
    run_login,
    source_of,
)
from andromede.api.resource_routes import create, listing, one, remove, update
from andromede.api.v1.responses import (
    MfaActiveOut,
    MfaSecretOut,
    Page,
    SignupOut,
    TokenOut,
    UserOut,
    answers,
)
from andromede.api.v1.router import v1_router
from andromede.api.v1.schemas import Body, Instant, Limit
from andromede.api.v1.tenancy import CustomerBody, customer_view, project_view
from andromede.audit.actions import AuditAction
from andromede.tenancy.service import CustomerInput
from andromede.tenancy.vetting import Vetting

if TYPE_CHECKING:
    from andromede.tenancy.service import User

router = v1_router()


class TokenRequest(Body):
    username: str = Field(max_length=200)
    password: str = Field(max_length=1024)
    otp: str | None = None


class MfaCode(Body):
    code: str


class SignupBody(Body):
    company: CustomerBody
    username: str = Field(max_length=200)
    password: str = Field(max_length=1024)
    project_name: str = "default"


class VettingBody(Body):
    level: str = Field(max_length=100)
    until: Instant
    office_country: str = Field(max_length=100)  # where the staff member works from

    def vetting(self) -> Vetting:
        return Vetting(self.level, self.until, self.office_country)


class UserBody(Body):
    username: str
    password: str
    role: str
    org_id: str | None = None
    vetting: VettingBody | None = None  # required for an operator administrator
    person: str | None = None  # who it belongs to: one person's roles must go together


class UserPatch(Body):
    password: str | None = None
    person: str | None = None  # named once, by whoever manages the account


def user_view(u: User) -> dict[str, Any]:
    return {
        "id": u.id,
        "username": u.username,
        "role": u.role,
        "org_kind": u.org_kind,
        "org_id": u.org_id,
        "partner_id": u.partner_id,
        "customer_id": u.customer_id,
        "created_at": u.created_at.isoformat(),
        "mfa_active": u.mfa_enabled_at is not None,
        "locked_until": u.locked_until.isoformat() if u.locked_until else None,
        "vetting_level": u.vetting_level,
        "vetted_until": u.vetted_until.isoformat() if u.vetted_until else None,
        "office_country": u.office_country,
        "person": u.person,
    }


# -- tokens and signup ---------------------------------------------------------
@router.post("/tokens", status_code=201, tags=["tokens"], **answers(TokenOut))
def issue_token(body: TokenRequest, request: Request) -> Any:
    app = app_of(request)

    def work(session: Any, source: str) -> dict[str, Any]:
        token, row, actor = app.login.issue_token(
            session,
            body.username,
            body.password,
            body.otp,
            request.state.request_id,
            source=source,
            realm_refusal=realm_of_listener(request),
        )
        return {
            "token": token,
            "expires_at": row.expires_at.isoformat(),
            "user": {
                "id": actor.user_id,
                "username": actor.username,
                "role": actor.role.value,
                "partner_id": actor.partner_id,
                "customer_id": actor.customer_id,
            },
        }

    return run_login(request, body.username, work)


@router.post("/users/me/mfa", status_code=201, tags=["users"], **answers(MfaSecretOut))
def mfa_begin(request: Request) -> Any:
    """Starts TOTP enrolment of the caller's own account: the secret and an otpauth:// URI
    for an authenticator app. Not in force until activated with a code."""
    app = app_of(request)

    def work(session: Any, caller: Any) -> dict[str, Any]:
        secret, uri = app.login.mfa_begin(session, caller)
        return {"secret": secret, "otpauth_uri": uri, "active": False}

    return run(request, work, write=True, action=AuditAction.USER_MFA_BEGIN, target_type="user")


@router.post("/users/me/mfa/activate", tags=["users"], **answers(MfaActiveOut))
def mfa_activate(body: MfaCode, request: Request) -> Any:
    app = app_of(request)
    run(request, app.login.admit_code, write=True)  # counted even if the code is wrong

    def work(session: Any, caller: Any) -> dict[str, Any]:
        enabled_at = app.login.mfa_activate(session, caller, body.code).mfa_enabled_at
        return {"active": True, "enabled_at": enabled_at.isoformat() if enabled_at else None}

    return run(request, work, write=True, action=AuditAction.USER_MFA_ENABLE, target_type="user")


class PasswordChange(Body):
    current_password: str = Field(max_length=1024)
    new_password: str = Field(max_length=1024)


@router.post("/users/me/password", status_code=204, tags=["users"])
def change_password(body: PasswordChange, request: Request) -> Response:
    """The caller's own password, proven by the current one; every token of the account
    is revoked (this one too): sign in again."""
    app = app_of(request)
    username = run(request, lambda _s, c: c.actor.username)
    run_login(
        request,
        username,
        lambda s, source: app.login.change_password(
            s,
            username,
            body.current_password,
            body.new_password,
            request.state.request_id,
            source,
        ),
    )
    return Response(status_code=204)


@router.delete("/tokens/current", status_code=204, tags=["tokens"])
def revoke_token(request: Request) -> Response:
    app = app_of(request)
    run(
        request,
        lambda s, c: app.login.revoke_token(s, c, bearer_token(request)),
        write=True,
        action=AuditAction.TOKEN_REVOKE,
        target_type="token",
    )
    return Response(status_code=204)


@router.post("/signup", status_code=201, tags=["signup"], **answers(SignupOut))
def signup(body: SignupBody, request: Request) -> Any:
    """The direct web channel: a business signs up by itself under the house partner."""
    app = app_of(request)
    data = CustomerInput(**body.company.model_dump(exclude={"partner_id"}))

    def work(session: Any) -> dict[str, Any]:
        customer, project, user = app.users.signup(
            session,
            data,
            username=body.username,
            password=body.password,
            project_name=body.project_name,
            request_id=request.state.request_id,
        )
        return {
            "customer": customer_view(customer),
            "project": project_view(project),
            "user": user_view(user),
        }

    # counted in a transaction that commits even when the signup then fails: a refused
    # signup (a username taken) must not be a free oracle
    run_anonymous(
        request,
        lambda s: app.login.admit_signup(s, source_of(request)),
        action=AuditAction.SIGNUP,
        target_type="customer",
    )
    return run_anonymous(request, work, action=AuditAction.SIGNUP, target_type="customer")


# -- partners ------------------------------------------------------------------
# -- users ---------------------------------------------------------------------
@router.post("/users", status_code=201, tags=["users"], **answers(UserOut))
def create_user(body: UserBody, request: Request) -> Any:
    return create(
        request,
        lambda a, s, c: a.users.create_user(
            s,
            c,
            username=body.username,
            password=body.password,
            role=body.role,
            org_id=body.org_id,
            vetting=body.vetting.vetting() if body.vetting else None,
            person=body.person,
        ),
        user_view,
        AuditAction.USER_CREATE,
    )


@router.get("/users", tags=["users"], **answers(Page[UserOut]))
def list_users(request: Request, limit: int = Limit, marker: str | None = None) -> Any:
    return listing(
        request,
        lambda a, s, c: a.users.list_users(s, c, limit=limit, marker=marker),
        user_view,
        limit,
    )


@router.get("/users/{user_id}", tags=["users"], **answers(UserOut))
def get_user(user_id: str, request: Request) -> Any:
    return one(request, lambda a, s, c: a.users.get_user(s, c, user_id), user_view)


@router.patch("/users/{user_id}", tags=["users"], **answers(UserOut))
def update_user(user_id: str, body: UserPatch, request: Request) -> Any:
    return update(
        request,
        lambda a, s, c: a.users.update_user(s, c, user_id, body.model_dump(exclude_unset=True)),
        user_view,
        AuditAction.USER_UPDATE,
        user_id,
    )


@router.put("/users/{user_id}/vetting", tags=["users"], **answers(UserOut))
def vet_user(user_id: str, body: VettingBody, request: Request) -> Any:
    """Record a staff member's vetting and office country (operator administrators, never
    their own): basic lets them use a read grant, enhanced an operate grant, until the date
    given, from an office in the EU."""
    return update(
        request,
        lambda a, s, c: a.users.vet(s, c, user_id, body.level, body.until, body.office_country),
        user_view,
        AuditAction.USER_VET,
        user_id,
    )


@router.delete("/users/{user_id}", status_code=204, tags=["users"])
def delete_user(user_id: str, request: Request) -> Response:
    return remove(
        request,
        lambda a, s, c: a.users.delete_user(s, c, user_id),
        AuditAction.USER_DELETE,
        user_id,
    )
