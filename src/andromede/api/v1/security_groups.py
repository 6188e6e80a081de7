"""/v1 security groups and their rules, and the groups a server is in: the same service
as Neutron's API at /network."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from fastapi import Request, Response
from pydantic import Field

from andromede.api.context import app_of, page, run
from andromede.api.resource_routes import create, one, remove, update
from andromede.api.v1.responses import Page, SecurityGroupOut, SecurityGroupRuleOut, answers
from andromede.api.v1.router import v1_router
from andromede.api.v1.schemas import Body, Limit
from andromede.audit.actions import AuditAction
from andromede.compute.security_group_service import RuleInput, SecurityGroupService

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from andromede.bootstrap import App
    from andromede.compute.security_group_service import SecurityGroup, SecurityGroupRule
    from andromede.tenancy.scope import Caller

router = v1_router(tags=["security groups"])


class GroupBody(Body):
    project_id: str
    name: str
    description: str = ""


class GroupPatch(Body):
    name: str | None = None
    description: str | None = None


class RuleBody(Body):
    direction: str
    ethertype: str = "IPv4"
    protocol: str | None = None
    port_range_min: int | None = Field(default=None, ge=0, le=65535)
    port_range_max: int | None = Field(default=None, ge=0, le=65535)
    remote_ip_prefix: str | None = None
    remote_group_id: str | None = None
    description: str = ""


class MembershipBody(Body):
    security_group: str  # its name or id


def rule_view(r: SecurityGroupRule) -> dict[str, Any]:
    return {
        "id": r.id,
        "security_group_id": r.security_group_id,
        **SecurityGroupService.traffic(r),
        "description": r.description,
        "created_at": r.created_at.isoformat(),
    }


def _with_rules(app: App, session: Session, group: SecurityGroup) -> dict[str, Any]:
    return {
        "id": group.id,
        "name": group.name,
        "description": group.description,
        "project_id": group.project_id,
        "is_default": group.is_default,
        "rules": [rule_view(r) for r in app.security_groups.rules(session, [group.id])],
        "created_at": group.created_at.isoformat(),
        "updated_at": group.updated_at.isoformat(),
    }


def _viewed(change: Any) -> Any:
    """A service call answered with the group and its rules, read in the same session."""

    def call(app: App, session: Session, caller: Caller) -> dict[str, Any]:
        return _with_rules(app, session, change(app, session, caller))

    return call


@router.post("/security-groups", status_code=201, **answers(SecurityGroupOut))
def create_group(body: GroupBody, request: Request) -> Any:
    return create(
        request,
        _viewed(lambda a, s, c: a.security_groups.create_group(s, c, **body.model_dump())),
        lambda view: view,
        AuditAction.SECURITY_GROUP_CREATE,
    )


@router.get("/security-groups", **answers(Page[SecurityGroupOut]))
def list_groups(
    request: Request, limit: int = Limit, marker: str | None = None, project_id: str | None = None
) -> Any:
    """A project's groups (its default group made on first look), or all the caller's."""
    app = app_of(request)

    def work(session: Session, caller: Caller) -> Any:
        groups = app.security_groups.list_groups(session, caller, project_id)
        after = [g for g in groups if marker is None or g.id > marker][:limit]
        return page(after, limit, lambda g: _with_rules(app, session, g))

    return run(request, work, write=project_id is not None)


@router.get("/security-groups/{group_id}", **answers(SecurityGroupOut))
def get_group(group_id: str, request: Request) -> Any:
    return one(request, _viewed(lambda a, s, c: a.security_groups.get_group(s, c, group_id)), dict)


@router.patch("/security-groups/{group_id}", **answers(SecurityGroupOut))
def update_group(group_id: str, body: GroupPatch, request: Request) -> Any:
    return update(
        request,
        _viewed(
            lambda a, s, c: a.security_groups.update_group(s, c, group_id, **body.model_dump())
        ),
        dict,
        AuditAction.SECURITY_GROUP_UPDATE,
        group_id,
    )


@router.delete("/security-groups/{group_id}", status_code=204)
def delete_group(group_id: str, request: Request) -> Response:
    return remove(
        request,
        lambda a, s, c: a.security_groups.delete_group(s, c, group_id),
        AuditAction.SECURITY_GROUP_DELETE,
        group_id,
    )


@router.post("/security-groups/{group_id}/rules", status_code=201, **answers(SecurityGroupRuleOut))
def create_rule(group_id: str, body: RuleBody, request: Request) -> Any:
    wanted = RuleInput(**body.model_dump())
    return create(
        request,
        lambda a, s, c: a.security_groups.create_rule(s, c, group_id, wanted),
        rule_view,
        AuditAction.SECURITY_GROUP_RULE_CREATE,
    )


@router.delete("/security-group-rules/{rule_id}", status_code=204)
def delete_rule(rule_id: str, request: Request) -> Response:
    return remove(
        request,
        lambda a, s, c: a.security_groups.delete_rule(s, c, rule_id),
        AuditAction.SECURITY_GROUP_RULE_DELETE,
        rule_id,
    )


def _membership(request: Request, server_id: str, ref: str, *, add: bool) -> Response:
    app = app_of(request)
    run(
        request,
        lambda s, c: app.servers.change_security_group(s, c, server_id, ref, add=add),
        write=True,
        action=AuditAction.SERVER_SECURITY_GROUPS,
        target_type="server",
        target_id=server_id,
    )
    return Response(status_code=204)


@router.post("/servers/{server_id}/security-groups", status_code=204, tags=["servers"])
def join_group(server_id: str, body: MembershipBody, request: Request) -> Response:
    return _membership(request, server_id, body.security_group, add=True)


@router.delete("/servers/{server_id}/security-groups/{group}", status_code=204, tags=["servers"])
def leave_group(server_id: str, group: str, request: Request) -> Response:
    return _membership(request, server_id, group, add=False)
