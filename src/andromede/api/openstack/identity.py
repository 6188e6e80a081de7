"""Keystone v3 at /identity: version discovery and password (+ TOTP) authentication with
a project scope and a service catalog. A customer is a domain, its projects are projects,
its users are users; a partner user scopes to a project of its customers (acting on their
behalf, audited as on /v1)."""

from datetime import datetime
from typing import Any

from fastapi import APIRouter, Body, Request
from fastapi.responses import JSONResponse

from andromede.api.context import app_of, run_login
from andromede.api.openstack.envelopes import declares
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


def _iso_z(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _credentials(body: dict[str, Any]) -> tuple[str, str, str | None, dict[str, Any] | None]:
    """(username, password, one-time code, project scope) from a Keystone auth body."""
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
    if not isinstance(password, str) or len(password) > 1024:
        raise ValidationFailed.one("auth.identity.password.user.password", "must be text")
    otp = None
    if "totp" in methods:
        otp = ((identity.get("totp") or {}).get("user") or {}).get("passcode")
    scope = auth.get("scope")
    if scope is not None and (not isinstance(scope, dict) or set(scope) != {"project"}):
        raise Unauthorized("only a project scope can be given (no domain or system scope)")
    return str(username), str(password), otp, scope["project"] if scope else None


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


@router.post("/v3/auth/tokens", status_code=201, **declares("Token", 201))
def issue_token(request: Request, body: dict[str, Any] = Body(...)) -> JSONResponse:
    app = app_of(request)
    username, password, otp, scope = _credentials(body)

    def work(session: Any, source: str) -> tuple[str, dict[str, Any]]:
        token, row, actor = app.login.issue_token(
            session, username, password, otp, request.state.request_id, source=source
        )
        caller = Caller(app.access.with_grants(session, actor), request.state.request_id)
        result: dict[str, Any] = {
            "methods": ["password", "totp"] if otp else ["password"],
            "expires_at": _iso_z(row.expires_at),
            "issued_at": _iso_z(row.created_at),
            "audit_ids": [row.id[:22]],
            "user": {
                "id": actor.user_id,
                "name": actor.username,
                "domain": domain_of(app, session, actor),
                "password_expires_at": None,
            },
            "is_domain": False,
        }
        if scope is not None:
            project = resolve_project(app, session, caller, scope)
            if not visible(resource_scope(caller.actor), project_ref(project)):
                raise Unauthorized("the project scope was not found")  # staff: no grant
            row.project_id = project.id
            customer = app.tenancy.get_customer(session, caller, project.customer_id)
            result["project"] = {
                "id": project.id,
                "name": project.name,
                "domain": {"id": customer.id, "name": customer.name},
            }
            result["roles"] = roles_of(actor)
            result["catalog"] = catalog(app, session, request)
        return token, result

    token, result = run_login(request, username, work)
    return JSONResponse({"token": result}, status_code=201, headers={"X-Subject-Token": token})
