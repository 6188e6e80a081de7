"""/v1 tokens, signup, partners, customers, projects, users."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from fastapi import APIRouter, Request, Response
from pydantic import Field

from andromede.api.context import (
    app_of,
    bearer_token,
    page,
    run,
    run_anonymous,
    run_login,
    source_of,
)
from andromede.api.v1.schemas import Body, Int32, Limit
from andromede.tenancy.service import CustomerInput, PartnerInput

if TYPE_CHECKING:
    from andromede.tenancy.store import Customer, Partner, Project, User

router = APIRouter()


class TokenRequest(Body):
    username: str = Field(max_length=200)
    password: str = Field(max_length=1024)
    otp: str | None = None


class MfaCode(Body):
    code: str


class PartnerBody(Body):
    name: str
    kind: str
    tier: str = "registered"
    country: str
    address: str
    siren: str | None = None
    vat_number: str | None = None


class CustomerBody(Body):
    partner_id: str | None = None
    name: str
    country: str
    address: str
    siren: str | None = None
    vat_number: str | None = None
    public_sector: bool = False


class CustomerPatch(Body):
    name: str | None = None
    address: str | None = None
    public_sector: bool | None = None


class SignupBody(Body):
    company: CustomerBody
    username: str = Field(max_length=200)
    password: str = Field(max_length=1024)
    project_name: str = "default"


class ProjectBody(Body):
    customer_id: str | None = None
    name: str


class ProjectPatch(Body):
    name: str | None = None
    quota_instances: Int32 | None = None
    quota_cores: Int32 | None = None
    quota_ram_mib: Int32 | None = None
    quota_storage_gib: Int32 | None = None


class UserBody(Body):
    username: str
    password: str
    role: str
    org_id: str | None = None


class UserPatch(Body):
    password: str | None = None


def partner_view(p: Partner) -> dict[str, Any]:
    return {
        "id": p.id,
        "name": p.name,
        "kind": p.kind,
        "tier": p.tier,
        "country": p.country,
        "siren": p.siren,
        "vat_number": p.vat_number,
        "address": p.address,
        "created_at": p.created_at.isoformat(),
    }


def customer_view(c: Customer) -> dict[str, Any]:
    return {
        "id": c.id,
        "partner_id": c.partner_id,
        "name": c.name,
        "country": c.country,
        "siren": c.siren,
        "vat_number": c.vat_number,
        "address": c.address,
        "public_sector": c.public_sector,
        "created_at": c.created_at.isoformat(),
        "status": c.status,
        "erasure_due_at": c.erasure_due_at.isoformat() if c.erasure_due_at else None,
    }


def project_view(p: Project) -> dict[str, Any]:
    return {
        "id": p.id,
        "customer_id": p.customer_id,
        "partner_id": p.partner_id,
        "name": p.name,
        "quota_instances": p.quota_instances,
        "quota_cores": p.quota_cores,
        "quota_ram_mib": p.quota_ram_mib,
        "quota_storage_gib": p.quota_storage_gib,
        "created_at": p.created_at.isoformat(),
    }


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
    }


# -- tokens and signup ---------------------------------------------------------
@router.post("/tokens", status_code=201, tags=["tokens"])
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


@router.post("/users/me/mfa", status_code=201, tags=["users"])
def mfa_begin(request: Request) -> Any:
    """Starts TOTP enrolment of the caller's own account: the secret and an otpauth:// URI
    for an authenticator app. Not in force until activated with a code."""
    app = app_of(request)

    def work(session: Any, caller: Any) -> dict[str, Any]:
        secret, uri = app.login.mfa_begin(session, caller)
        return {"secret": secret, "otpauth_uri": uri, "active": False}

    return run(request, work, write=True, action="user.mfa_begin", target_type="user")


@router.post("/users/me/mfa/activate", tags=["users"])
def mfa_activate(body: MfaCode, request: Request) -> Any:
    app = app_of(request)
    run(request, app.login.admit_code, write=True)  # counted even if the code is wrong

    def work(session: Any, caller: Any) -> dict[str, Any]:
        enabled_at = app.login.mfa_activate(session, caller, body.code).mfa_enabled_at
        return {"active": True, "enabled_at": enabled_at.isoformat() if enabled_at else None}

    return run(request, work, write=True, action="user.mfa_enable", target_type="user")


@router.delete("/tokens/current", status_code=204, tags=["tokens"])
def revoke_token(request: Request) -> Response:
    app = app_of(request)
    run(
        request,
        lambda s, c: app.login.revoke_token(s, c, bearer_token(request)),
        write=True,
        action="token.revoke",
        target_type="token",
    )
    return Response(status_code=204)


@router.post("/signup", status_code=201, tags=["signup"])
def signup(body: SignupBody, request: Request) -> Any:
    """The direct web channel: a business signs up by itself under the house partner."""
    app = app_of(request)
    data = CustomerInput(**body.company.model_dump(exclude={"partner_id"}))

    def work(session: Any) -> dict[str, Any]:
        customer, project, user = app.tenancy.signup(
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
        action="signup",
        target_type="customer",
    )
    return run_anonymous(request, work, action="signup", target_type="customer")


# -- partners ------------------------------------------------------------------
@router.post("/partners", status_code=201, tags=["partners"])
def create_partner(body: PartnerBody, request: Request) -> Any:
    app = app_of(request)
    return run(
        request,
        lambda s, c: partner_view(
            app.tenancy.create_partner(s, c, PartnerInput(**body.model_dump()))
        ),
        write=True,
        action="partner.create",
        target_type="partner",
    )


@router.get("/partners", tags=["partners"])
def list_partners(request: Request, limit: int = Limit, marker: str | None = None) -> Any:
    app = app_of(request)
    return run(
        request,
        lambda s, c: page(
            app.tenancy.list_partners(s, c, limit=limit, marker=marker), limit, partner_view
        ),
    )


@router.get("/partners/{partner_id}", tags=["partners"])
def get_partner(partner_id: str, request: Request) -> Any:
    app = app_of(request)
    return run(request, lambda s, c: partner_view(app.tenancy.get_partner(s, c, partner_id)))


# -- customers -----------------------------------------------------------------
@router.post("/customers", status_code=201, tags=["customers"])
def create_customer(body: CustomerBody, request: Request) -> Any:
    app = app_of(request)
    data = CustomerInput(**body.model_dump(exclude={"partner_id"}))
    return run(
        request,
        lambda s, c: customer_view(app.tenancy.create_customer(s, c, body.partner_id, data)),
        write=True,
        action="customer.create",
        target_type="customer",
    )


@router.get("/customers", tags=["customers"])
def list_customers(
    request: Request, limit: int = Limit, marker: str | None = None, partner_id: str | None = None
) -> Any:
    app = app_of(request)
    return run(
        request,
        lambda s, c: page(
            app.tenancy.list_customers(s, c, limit=limit, marker=marker, partner_id=partner_id),
            limit,
            customer_view,
        ),
    )


@router.get("/customers/{customer_id}", tags=["customers"])
def get_customer(customer_id: str, request: Request) -> Any:
    app = app_of(request)

    def work(session: Any, caller: Any) -> dict[str, Any]:
        customer = app.tenancy.get_customer(session, caller, customer_id)
        counts = {
            **app.tenancy.customer_counts(session, customer.id),
            "servers": app.compute.count_servers(session, customer.id),
        }
        return {**customer_view(customer), "counts": counts}

    return run(request, work)


@router.patch("/customers/{customer_id}", tags=["customers"])
def update_customer(customer_id: str, body: CustomerPatch, request: Request) -> Any:
    app = app_of(request)
    return run(
        request,
        lambda s, c: customer_view(
            app.tenancy.update_customer(s, c, customer_id, body.model_dump(exclude_unset=True))
        ),
        write=True,
        action="customer.update",
        target_type="customer",
        target_id=customer_id,
    )


@router.delete("/customers/{customer_id}", status_code=204, tags=["customers"])
def delete_customer(customer_id: str, request: Request) -> Response:
    app = app_of(request)
    run(
        request,
        lambda s, c: app.tenancy.delete_customer(s, c, customer_id),
        write=True,
        action="customer.delete",
        target_type="customer",
        target_id=customer_id,
    )
    return Response(status_code=204)


# -- projects ------------------------------------------------------------------
@router.post("/projects", status_code=201, tags=["projects"])
def create_project(body: ProjectBody, request: Request) -> Any:
    app = app_of(request)
    return run(
        request,
        lambda s, c: project_view(app.tenancy.create_project(s, c, body.customer_id, body.name)),
        write=True,
        action="project.create",
        target_type="project",
    )


@router.get("/projects", tags=["projects"])
def list_projects(
    request: Request, limit: int = Limit, marker: str | None = None, customer_id: str | None = None
) -> Any:
    app = app_of(request)
    return run(
        request,
        lambda s, c: page(
            app.tenancy.list_projects(s, c, limit=limit, marker=marker, customer_id=customer_id),
            limit,
            project_view,
        ),
    )


@router.get("/projects/{project_id}", tags=["projects"])
def get_project(project_id: str, request: Request) -> Any:
    app = app_of(request)
    return run(request, lambda s, c: project_view(app.tenancy.get_project(s, c, project_id)))


@router.get("/projects/{project_id}/quotas", tags=["projects"])
def get_quotas(project_id: str, request: Request) -> Any:
    app = app_of(request)
    return run(request, lambda s, c: app.compute.project_quota(s, c, project_id))


@router.patch("/projects/{project_id}", tags=["projects"])
def update_project(project_id: str, body: ProjectPatch, request: Request) -> Any:
    app = app_of(request)
    return run(
        request,
        lambda s, c: project_view(
            app.tenancy.update_project(s, c, project_id, body.model_dump(exclude_unset=True))
        ),
        write=True,
        action="project.update",
        target_type="project",
        target_id=project_id,
    )


@router.delete("/projects/{project_id}", status_code=204, tags=["projects"])
def delete_project(project_id: str, request: Request) -> Response:
    app = app_of(request)
    run(
        request,
        lambda s, c: app.tenancy.delete_project(
            s, c, project_id, app.compute.count_resources(s, project_id)
        ),
        write=True,
        action="project.delete",
        target_type="project",
        target_id=project_id,
    )
    return Response(status_code=204)


# -- users ---------------------------------------------------------------------
@router.post("/users", status_code=201, tags=["users"])
def create_user(body: UserBody, request: Request) -> Any:
    app = app_of(request)
    return run(
        request,
        lambda s, c: user_view(
            app.tenancy.create_user(
                s,
                c,
                username=body.username,
                password=body.password,
                role=body.role,
                org_id=body.org_id,
            )
        ),
        write=True,
        action="user.create",
        target_type="user",
    )


@router.get("/users", tags=["users"])
def list_users(request: Request, limit: int = Limit, marker: str | None = None) -> Any:
    app = app_of(request)
    return run(
        request,
        lambda s, c: page(
            app.tenancy.list_users(s, c, limit=limit, marker=marker), limit, user_view
        ),
    )


@router.get("/users/{user_id}", tags=["users"])
def get_user(user_id: str, request: Request) -> Any:
    app = app_of(request)
    return run(request, lambda s, c: user_view(app.tenancy.get_user(s, c, user_id)))


@router.patch("/users/{user_id}", tags=["users"])
def update_user(user_id: str, body: UserPatch, request: Request) -> Any:
    app = app_of(request)
    return run(
        request,
        lambda s, c: user_view(
            app.tenancy.update_user(s, c, user_id, body.model_dump(exclude_unset=True))
        ),
        write=True,
        action="user.update",
        target_type="user",
        target_id=user_id,
    )


@router.delete("/users/{user_id}", status_code=204, tags=["users"])
def delete_user(user_id: str, request: Request) -> Response:
    app = app_of(request)
    run(
        request,
        lambda s, c: app.tenancy.delete_user(s, c, user_id),
        write=True,
        action="user.delete",
        target_type="user",
        target_id=user_id,
    )
    return Response(status_code=204)
