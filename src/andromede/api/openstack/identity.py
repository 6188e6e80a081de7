"""Keystone v3 at /identity: version discovery and password (+ TOTP) authentication with
a project scope and a service catalog. A customer is a domain, its projects are projects,
its users are users; a partner user scopes to a project of its customers (acting on their
behalf, audited as on /v1)."""

from datetime import datetime
from typing import Any

from fastapi import APIRouter, Body, Request
from fastapi.responses import JSONResponse, Response

from andromede.api.context import app_of, realm_of_listener, run, run_login, source_of
from andromede.api.openstack.envelopes import declares
from andromede.audit.actions import AuditAction
from andromede.bootstrap import App
from andromede.kernel.errors import NotFound, Unauthorized, ValidationFailed
from andromede.tenancy.scope import Actor, Caller, OrgKind, Role, resource_scope, visible
from andromede.tenancy.service import project_ref

router = APIRouter(prefix="/identity", tags=["openstack identity"])

UPDATED = "2026-11-01T00:00:00Z"
ROLES = {
    Role.CUSTOMER_VIEWER: ["reader"],
}
MEMBER_ROLES = ["member", "reader"]


def base_url(request: Request) -> str:
    return app_of(request).settings.base_url


def _v3(request: Request) -> dict[str, Any]:
    return {
        "id": "v3.14",
        "status": "stable",
        "updated": UPDATED,
        "links": [{"rel": "self", "href": f"{base_url(request)}/identity/v3/"}],
        "media-types": [
            {"base": "application/json", "type": "application/vnd.openstack.identity-v3+json"}
        ],
    }


@router.get("", status_code=300, **declares("Versions", 300))
@router.get("/", status_code=300, **declares("Versions", 300))
def versions(request: Request) -> JSONResponse:
    return JSONResponse({"versions": {"values": [_v3(request)]}}, status_code=300)


@router.get("/v3", **declares("Version"))
@router.get("/v3/", **declares("Version"))
def version(request: Request) -> dict[str, Any]:
    return {"version": _v3(request)}


def iso_z(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _credentials(
    body: dict[str, Any],
) -> tuple[dict[str, Any], str, str | None, dict[str, Any] | None]:
    """(user: its name or id, password, one-time code, project scope) from a Keystone
    auth body."""
    try:
        auth = body["auth"]
        identity = auth["identity"]
        methods = identity["methods"]
        user = identity["password"]["user"]
        password = user["password"]
    except (KeyError, TypeError):
        raise ValidationFailed.one("auth", "password authentication expected") from None
    if "password" not in methods:
        raise ValidationFailed.one("auth.identity.methods", "must include password")
    username = user.get("name") or user.get("id")
    if not username or not isinstance(username, str) or len(username) > 200:
        raise ValidationFailed.one("auth.identity.password.user", "name or id required")
    if not isinstance(user.get("id", ""), str):
        raise ValidationFailed.one("auth.identity.password.user.id", "must be text")
    if not isinstance(password, str) or len(password) > 1024:
        raise ValidationFailed.one("auth.identity.password.user.password", "must be text")
    otp = None
    if "totp" in methods:
        otp = ((identity.get("totp") or {}).get("user") or {}).get("passcode")
    scope = auth.get("scope")
    if scope is not None and (not isinstance(scope, dict) or set(scope) != {"project"}):
        raise Unauthorized("only a project scope can be given (no domain or system scope)")
    return user, str(password), otp, scope["project"] if scope else None


def resolve_project(app: App, session: Any, caller: Caller, scope: dict[str, Any]) -> Any:
    """A project by id, or by name within a domain (a customer, by id or name)."""
    try:
        if scope.get("id"):
            return app.tenancy.get_project(session, caller, str(scope["id"]))
        name = str(scope["name"])
    except (KeyError, NotFound):
        raise Unauthorized("the project scope was not found") from None
    domain = scope.get("domain") or {}
    customers = app.tenancy.list_customers(session, caller, limit=1000, marker=None)
    if domain.get("id") or domain.get("name") not in (None, "Default", "default"):
        wanted = {domain.get("id"), domain.get("name")} - {None}
        customers = [c for c in customers if c.id in wanted or c.name in wanted]
    matches = [
        p
        for c in customers
        for p in app.tenancy.list_projects(
            session, caller, limit=1000, marker=None, customer_id=c.id
        )
        if p.name == name
    ]
    if len(matches) != 1:
        raise Unauthorized(
            f"project {name!r} not found"
            if not matches
            else f"project {name!r} is ambiguous: give its domain"
        )
    return matches[0]


def roles_of(actor: Actor) -> list[dict[str, str]]:
    names = ROLES.get(actor.role, MEMBER_ROLES)
    return [{"id": name, "name": name} for name in names]


def domain_of(app: App, session: Any, actor: Actor) -> dict[str, str]:
    if actor.org_kind is OrgKind.CUSTOMER and actor.customer_id:
        caller = Caller(actor)
        customer = app.tenancy.get_customer(session, caller, actor.customer_id)
        return {"id": customer.id, "name": customer.name}
    if actor.org_kind is OrgKind.PARTNER and actor.partner_id:
        partner = app.tenancy.get_partner(session, Caller(actor), actor.partner_id)
        return {"id": partner.id, "name": partner.name}
    return {"id": "default", "name": "Default"}


def catalog(app: App, session: Any, request: Request) -> list[dict[str, Any]]:
    base = base_url(request)
    services = [
        ("identity", "keystone", f"{base}/identity"),
        ("compute", "nova", f"{base}/compute/v2.1"),
        ("image", "glance", f"{base}/image"),
        ("network", "neutron", f"{base}/network"),
        ("block-storage", "cinder", f"{base}/block-storage/v3"),
        ("volumev3", "cinderv3", f"{base}/block-storage/v3"),
    ]
    regions = [r.code for r in app.catalog.all_regions(session)]
    return [
        {
            "type": kind,
            "name": name,
            "id": kind,
            "endpoints": [
                {
                    "id": f"{kind}-{region}",
                    "interface": "public",
                    "region_id": region,
                    "region": region,
                    "url": url,
                }
                for region in regions
            ],
        }
        for kind, name, url in services
    ]


def token_body(
    app: App, session: Any, request: Request, caller: Caller, row: Any, methods: list[str]
) -> dict[str, Any]:
    """What Keystone says of a token: who, until when, and with a project scope its
    project, roles and the service catalog."""
    actor = caller.actor
    result: dict[str, Any] = {
        "methods": methods,
        "expires_at": iso_z(row.expires_at),
        "issued_at": iso_z(row.created_at),
        "audit_ids": [row.id[:22]],
        "user": {
            "id": actor.user_id,
            "name": actor.username,
            "domain": domain_of(app, session, actor),
            "password_expires_at": None,
        },
        "is_domain": False,
    }
    if row.project_id:
        project = app.tenancy.get_project(session, caller, row.project_id)
        customer = app.tenancy.get_customer(session, caller, project.customer_id)
        result["project"] = {
            "id": project.id,
            "name": project.name,
            "domain": {"id": customer.id, "name": customer.name},
        }
        result["roles"] = roles_of(actor)
        result["catalog"] = catalog(app, session, request)
    return result


def _username(app: App, user: dict[str, Any]) -> str:
    """The name to sign in with: given, or the one of the user id given."""
    if user.get("name"):
        return str(user["name"])
    with app.uow(readonly=True) as session:
        return app.login.username_of(session, str(user.get("id"))) or str(user.get("id"))


@router.post("/v3/auth/tokens", status_code=201, **declares("Token", 201))
def issue_token(request: Request, body: dict[str, Any] = Body(...)) -> JSONResponse:
    app = app_of(request)
    methods = ((body.get("auth") or {}).get("identity") or {}).get("methods") or []
    if methods == ["application_credential"]:
        return _by_app_credential(request, body["auth"]["identity"])
    user, password, otp, scope = _credentials(body)
    username = _username(app, user)

    def work(session: Any, source: str) -> tuple[str, dict[str, Any]]:
        token, row, actor = app.login.issue_token(
            session,
            username,
            password,
            otp,
            request.state.request_id,
            source=source,
            realm_refusal=realm_of_listener(request),
        )
        caller = Caller(
            app.access.with_grants(session, actor, source_of(request)), request.state.request_id
        )
        if scope is not None:
            project = resolve_project(app, session, caller, scope)
            if not visible(resource_scope(caller.actor), project_ref(project)):
                raise Unauthorized("the project scope was not found")  # staff: no grant
            row.project_id = project.id
        methods = ["password", "totp"] if otp else ["password"]
        return token, token_body(app, session, request, caller, row, methods)

    token, result = run_login(request, username, work)
    return JSONResponse({"token": result}, status_code=201, headers={"X-Subject-Token": token})


def _by_app_credential(request: Request, identity: dict[str, Any]) -> JSONResponse:
    app = app_of(request)
    given = identity.get("application_credential")
    if not isinstance(given, dict) or not isinstance(given.get("secret"), str):
        raise ValidationFailed.one(
            "auth.identity.application_credential", "id (or name) and secret"
        )
    cred_id, name, user = given.get("id"), given.get("name"), given.get("user") or {}
    if not all(isinstance(v, str | None) for v in (cred_id, name)) or not isinstance(user, dict):
        raise ValidationFailed.one("auth.identity.application_credential", "id or name: text")
    if not cred_id and not (name and (user.get("id") or user.get("name"))):
        raise ValidationFailed.one(
            "auth.identity.application_credential", "its id, or its name and its user"
        )
    key = f"application-credential:{cred_id or name}"[:200]

    def work(session: Any, _source: str) -> tuple[str, dict[str, Any]]:
        found = app.app_credentials.find(session, cred_id, name, user)
        token, row, actor, cred = app.app_credentials.sign_in(
            session, key, found, given["secret"], request.state.request_id
        )
        caller = Caller(
            app.access.with_grants(session, actor, source_of(request)), request.state.request_id
        )
        result = token_body(app, session, request, caller, row, ["application_credential"])
        result["application_credential"] = {
            "id": cred.id,
            "name": cred.name,
            "restricted": not cred.unrestricted,
        }
        return token, result

    token, result = run_login(request, key, work)
    return JSONResponse({"token": result}, status_code=201, headers={"X-Subject-Token": token})


def _subject(app: App, session: Any, request: Request, caller: Caller) -> tuple[Any, Caller]:
    """The token named by X-Subject-Token, if the caller may know of it (its own, or the
    operator's admins): another's token is not found, as any other object."""
    subject = request.headers.get("x-subject-token")
    if not subject:
        raise ValidationFailed.one("X-Subject-Token", "name the token to check")
    found = app.login.valid_token(session, subject)
    if found is None:
        raise NotFound("token", "X-Subject-Token")
    row, actor = found
    if actor.user_id != caller.actor.user_id and caller.actor.role is not Role.OPERATOR_ADMIN:
        raise NotFound("token", "X-Subject-Token")
    return row, Caller(app.access.with_grants(session, actor, caller.source), caller.request_id)


@router.get("/v3/auth/tokens", **declares("Token"))
def validate_token(request: Request) -> JSONResponse:
    app = app_of(request)

    def work(session: Any, caller: Caller) -> dict[str, Any]:
        row, owner = _subject(app, session, request, caller)
        return token_body(app, session, request, owner, row, ["password"])

    body = run(request, work)
    subject = request.headers["x-subject-token"]
    return JSONResponse({"token": body}, headers={"X-Subject-Token": subject})


@router.head("/v3/auth/tokens", status_code=200)
def check_token(request: Request) -> Response:
    app = app_of(request)
    run(request, lambda s, c: _subject(app, s, request, c))
    return Response(status_code=200)


@router.delete("/v3/auth/tokens", status_code=204)
def revoke_token(request: Request) -> Response:
    app = app_of(request)

    def work(session: Any, caller: Caller) -> None:
        _subject(app, session, request, caller)
        app.login.revoke_token(session, caller, request.headers["x-subject-token"])

    run(request, work, write=True, action=AuditAction.TOKEN_REVOKE, target_type="token")
    return Response(status_code=204)


@router.get("/v3/auth/catalog", **declares("Catalog"))
def auth_catalog(request: Request) -> dict[str, Any]:
    app = app_of(request)
    entries = run(request, lambda s, c: catalog(app, s, request))
    return {"catalog": entries, "links": {"self": f"{base_url(request)}/identity/v3/auth/catalog"}}


@router.get("/v3/auth/projects", **declares("Projects"))
def auth_projects(request: Request) -> dict[str, Any]:
    """The projects the token's user can scope to."""
    app = app_of(request)

    def work(session: Any, caller: Caller) -> list[dict[str, Any]]:
        if caller.actor.org_kind is OrgKind.OPERATOR:
            return []  # staff reach a customer's projects only under its grant, one by one
        projects = app.tenancy.list_projects(session, caller, limit=1000, marker=None)
        return [
            {
                "id": p.id,
                "name": p.name,
                "domain_id": p.customer_id,
                "parent_id": p.customer_id,
                "enabled": True,
                "is_domain": False,
                "description": "",
                "tags": [],
                "links": {"self": f"{base_url(request)}/identity/v3/projects/{p.id}"},
            }
            for p in projects
        ]

    projects = run(request, work)
    return {"projects": projects, "links": {"self": None, "next": None, "previous": None}}


@router.get("/v3/auth/domains", **declares("Domains"))
def auth_domains(request: Request) -> dict[str, Any]:
    """The domains (customers) the token's user has projects in."""
    app = app_of(request)

    def work(session: Any, caller: Caller) -> list[dict[str, Any]]:
        if caller.actor.org_kind is OrgKind.OPERATOR:
            return []
        customers = app.tenancy.list_customers(session, caller, limit=1000, marker=None)
        return [
            {
                "id": c.id,
                "name": c.name,
                "enabled": True,
                "description": "",
                "tags": [],
                "links": {"self": f"{base_url(request)}/identity/v3/domains/{c.id}"},
            }
            for c in customers
        ]

    domains = run(request, work)
    return {"domains": domains, "links": {"self": None, "next": None, "previous": None}}


@router.post("/v3/users/{user_id}/password", status_code=204)
def change_password(user_id: str, request: Request, body: dict[str, Any] = Body(...)) -> Response:
    """The user's own password, proven by the current one (Keystone asks no token)."""
    app = app_of(request)
    try:
        user = body["user"]
        new, original = user["password"], user["original_password"]
    except (KeyError, TypeError):
        raise ValidationFailed.one("user", "password and original_password expected") from None
    if not isinstance(original, str) or len(original) > 1024:
        raise ValidationFailed.one("user.original_password", "must be text")
    username = _username(app, {"id": user_id})

    def work(session: Any, source: str) -> None:
        app.login.change_password(
            session, username, original, new, request.state.request_id, source
        )

    run_login(request, username, work)
    return Response(status_code=204)
