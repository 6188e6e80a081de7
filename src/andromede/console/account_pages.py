"""A customer's projects with their quotas (usage bars), key pairs, and users with their
roles: what Horizon's identity and compute panels offer, on the same services."""

from collections.abc import Callable, Mapping
from typing import Any

from fastapi import Form, Request
from fastapi.responses import Response
from sqlalchemy.orm import Session

from andromede.api.context import app_of
from andromede.audit.actions import AuditAction
from andromede.console.forms import submit
from andromede.console.web import area_router, go, page
from andromede.tenancy.scope import Caller

router = area_router()

MOST = 1000
ROLES = ("customer-admin", "customer-member", "customer-viewer")


def _projects(app: Any, session: Session, caller: Caller) -> Mapping[str, Any]:
    projects = app.tenancy.list_projects(session, caller, limit=MOST, marker=None)
    quotas = {p.id: app.servers.quotas.project_quota(session, caller, p.id) for p in projects}
    return {"projects": projects, "quotas": quotas}


@router.get("/projects")
def projects(request: Request) -> Response:
    app = app_of(request)
    return page(request, "projects.html", lambda s, c: _projects(app, s, c))


def _keypairs(app: Any, session: Session, caller: Caller) -> Mapping[str, Any]:
    return {
        "keypairs": app.keypairs.list_keypairs(session, caller, limit=MOST, marker=None),
        "groups": app.keypairs.list_groups(session, caller, limit=MOST, marker=None),
        "projects": app.tenancy.list_projects(session, caller, limit=MOST, marker=None),
    }


@router.get("/keypairs")
def keypairs(request: Request) -> Response:
    app = app_of(request)
    return page(request, "keypairs.html", lambda s, c: _keypairs(app, s, c))


@router.post("/keypairs")
def create_keypair(
    request: Request,
    csrf: str = Form(""),
    project_id: str = Form(""),
    name: str = Form(""),
    public_key: str = Form(""),
) -> Response:
    app = app_of(request)
    return submit(
        request,
        csrf,
        lambda s, c: app.keypairs.create_keypair(
            s, c, project_id=project_id, name=name, public_key=public_key
        ),
        lambda _: go("/keypairs"),
        action=AuditAction.KEYPAIR_CREATE,
        again=("keypairs.html", lambda s, c: _keypairs(app, s, c)),
        values={"project_id": project_id, "name": name, "public_key": public_key},
    )


@router.post("/keypairs/{keypair_id}/delete")
def delete_keypair(request: Request, keypair_id: str, csrf: str = Form("")) -> Response:
    app = app_of(request)
    return submit(
        request,
        csrf,
        lambda s, c: app.keypairs.delete_keypair(s, c, keypair_id),
        lambda _: go("/keypairs"),
        action=AuditAction.KEYPAIR_DELETE,
        target_id=keypair_id,
    )


@router.post("/server-groups")
def create_group(
    request: Request,
    csrf: str = Form(""),
    project_id: str = Form(""),
    name: str = Form(""),
    policy: str = Form("anti-affinity"),
) -> Response:
    """Servers of an anti-affinity group land on different hosts; of an affinity group,
    on the same one."""
    app = app_of(request)
    return submit(
        request,
        csrf,
        lambda s, c: app.keypairs.create_group(
            s, c, project_id=project_id, name=name, policy=policy
        ),
        lambda _: go("/keypairs"),
        action=AuditAction.SERVER_GROUP_CREATE,
        target_type="server_group",
        again=("keypairs.html", lambda s, c: _keypairs(app, s, c)),
        values={"group": name, "policy": policy},
    )


def _users(app: Any, session: Session, caller: Caller) -> Mapping[str, Any]:
    users = app.users.list_users(session, caller, limit=MOST, marker=None)
    mine = [u for u in users if u.customer_id == caller.actor.customer_id]
    return {"users": mine, "roles": ROLES}


@router.get("/users")
def users(request: Request) -> Response:
    app = app_of(request)
    return page(request, "users.html", lambda s, c: _users(app, s, c))


def new_user(
    request: Request,
    csrf: str,
    account: tuple[str, str, str],
    org_of: Callable[[Caller], str | None],
    back: str,
    again: tuple[str, Callable[[Session, Caller], Mapping[str, Any]]],
) -> Response:
    """A user made from a console form (a customer's admin for its own organisation, a
    partner for a customer's): ``account`` is (username, password, role)."""
    app = app_of(request)
    username, password, role = account
    return submit(
        request,
        csrf,
        lambda s, c: app.users.create_user(
            s, c, username=username, password=password, role=role, org_id=org_of(c)
        ),
        lambda _: go(back),
        action=AuditAction.USER_CREATE,
        again=again,
        values={"username": username, "role": role},
    )


@router.post("/users")
def create_user(
    request: Request,
    csrf: str = Form(""),
    username: str = Form(""),
    password: str = Form(""),
    role: str = Form("customer-member"),
) -> Response:
    app = app_of(request)
    again = ("users.html", lambda s, c: _users(app, s, c))
    account = (username, password, role)
    return new_user(request, csrf, account, lambda c: c.actor.customer_id, "/users", again)
