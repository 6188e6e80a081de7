"""Neutron v2.0 security groups and rules at /network, on the compute capability's
security group service (the rules ``/v1`` and Nova's server actions use too)."""

from typing import Any

from fastapi import APIRouter, Body, Request, Response

from andromede.api.context import app_of, run
from andromede.api.openstack.envelopes import declares
from andromede.api.openstack.neutron_lists import body_of, filtered, text_of
from andromede.api.openstack.nova_views import iso
from andromede.api.resource_routes import remove
from andromede.audit.actions import AuditAction
from andromede.compute.security_group_service import RuleInput, SecurityGroupService
from andromede.compute.security_rules import TRAFFIC_FIELDS
from andromede.kernel.errors import ValidationFailed

router = APIRouter(prefix="/network/v2.0", tags=["openstack network"])

GROUP_FILTERS = ("id", "name", "description", "project_id", "tenant_id")
RULE_FILTERS = ("id", "security_group_id", *TRAFFIC_FIELDS, "project_id", "tenant_id")
RULE_FIELDS = (*TRAFFIC_FIELDS, "description")


def rule_view(r: Any, default_group: bool = False) -> dict[str, Any]:
    return {
        "id": r.id,
        "security_group_id": r.security_group_id,
        **SecurityGroupService.traffic(r),
        "normalized_cidr": r.remote_ip_prefix,
        "remote_address_group_id": None,
        "description": r.description,
        "belongs_to_default_sg": default_group,
        "project_id": r.project_id,
        "tenant_id": r.project_id,
        "tags": [],
        "revision_number": 0,
        "created_at": iso(r.created_at),
        "updated_at": iso(r.created_at),
    }


def group_view(g: Any, rules: list[Any]) -> dict[str, Any]:
    return {
        "id": g.id,
        "name": g.name,
        "description": g.description,
        "stateful": True,
        "shared": False,
        "project_id": g.project_id,
        "tenant_id": g.project_id,
        "security_group_rules": [
            rule_view(r, g.is_default) for r in rules if r.security_group_id == g.id
        ],
        "tags": [],
        "revision_number": 0,
        "created_at": iso(g.created_at),
        "updated_at": iso(g.updated_at),
    }


@router.get("/security-groups", **declares("SecurityGroups"))
def list_groups(request: Request) -> Any:
    app = app_of(request)

    def work(session: Any, caller: Any) -> Any:
        groups = app.security_groups.list_groups(session, caller, caller.actor.project_id)
        rules = app.security_groups.rules(session, [g.id for g in groups])
        return [group_view(g, rules) for g in groups]

    views = run(request, work, write=True)  # a project's default group is made on first look
    return {"security_groups": filtered(request, views, GROUP_FILTERS)}


@router.post("/security-groups", status_code=201, **declares("SecurityGroup", 201))
def create_group(request: Request, body: dict[str, Any] = Body(...)) -> Any:
    app = app_of(request)
    inner = body_of(body, "security_group")
    if inner.get("stateful", True) is not True:
        raise ValidationFailed.one("stateful", "only stateful security groups are offered")

    def work(session: Any, caller: Any) -> Any:
        group = app.security_groups.create_group(
            session,
            caller,
            project_id=caller.actor.project_id or "",
            name=text_of(inner, "name") or "",
            description=text_of(inner, "description") or "",
        )
        return group_view(group, app.security_groups.rules(session, [group.id]))

    view = run(
        request,
        work,
        write=True,
        action=AuditAction.SECURITY_GROUP_CREATE,
        target_type="security_group",
    )
    return {"security_group": view}


def _group_work(app: Any, group_id: str, change: Any = None) -> Any:
    def work(session: Any, caller: Any) -> Any:
        if change is None:
            group = app.security_groups.get_group(session, caller, group_id)
        else:
            group = change(session, caller)
        return {"security_group": group_view(group, app.security_groups.rules(session, [group.id]))}

    return work


@router.get("/security-groups/{group_id}", **declares("SecurityGroup"))
def show_group(group_id: str, request: Request) -> Any:
    return run(request, _group_work(app_of(request), group_id))


@router.put("/security-groups/{group_id}", **declares("SecurityGroup"))
def update_group(group_id: str, request: Request, body: dict[str, Any] = Body(...)) -> Any:
    app = app_of(request)
    inner = body_of(body, "security_group")

    def change(session: Any, caller: Any) -> Any:
        return app.security_groups.update_group(
            session,
            caller,
            group_id,
            name=text_of(inner, "name"),
            description=text_of(inner, "description"),
        )

    return run(
        request,
        _group_work(app, group_id, change),
        write=True,
        action=AuditAction.SECURITY_GROUP_UPDATE,
        target_type="security_group",
        target_id=group_id,
    )


@router.delete("/security-groups/{group_id}", status_code=204, response_class=Response)
def delete_group(group_id: str, request: Request) -> Response:
    return remove(
        request,
        lambda a, s, c: a.security_groups.delete_group(s, c, group_id),
        AuditAction.SECURITY_GROUP_DELETE,
        group_id,
    )


@router.get("/security-group-rules", **declares("SecurityGroupRules"))
def list_rules(request: Request) -> Any:
    app = app_of(request)

    def work(session: Any, caller: Any) -> Any:
        groups = app.security_groups.list_groups(session, caller, caller.actor.project_id)
        defaults = {g.id for g in groups if g.is_default}
        rules = app.security_groups.list_rules(session, caller, caller.actor.project_id)
        return [rule_view(r, r.security_group_id in defaults) for r in rules]

    views = run(request, work, write=True)
    return {"security_group_rules": filtered(request, views, RULE_FILTERS)}


@router.post("/security-group-rules", status_code=201, **declares("SecurityGroupRule", 201))
def create_rule(request: Request, body: dict[str, Any] = Body(...)) -> Any:
    app = app_of(request)
    inner = body_of(body, "security_group_rule")
    group_id = inner.get("security_group_id")
    if not isinstance(group_id, str) or not group_id:
        raise ValidationFailed.one("security_group_id", "the rule's group is required")
    unknown = set(inner) - {*RULE_FIELDS, "security_group_id", "project_id", "tenant_id"}
    if unknown:
        raise ValidationFailed.one(sorted(unknown)[0], "not a field of a security group rule")
    wanted = RuleInput(**{key: inner[key] for key in RULE_FIELDS if key in inner})

    def work(session: Any, caller: Any) -> Any:
        group = app.security_groups.get_group(session, caller, group_id)
        row = app.security_groups.create_rule(session, caller, group.id, wanted)
        return {"security_group_rule": rule_view(row, group.is_default)}

    return run(
        request,
        work,
        write=True,
        action=AuditAction.SECURITY_GROUP_RULE_CREATE,
        target_type="security_group_rule",
    )


@router.get("/security-group-rules/{rule_id}", **declares("SecurityGroupRule"))
def show_rule(rule_id: str, request: Request) -> Any:
    app = app_of(request)

    def work(session: Any, caller: Any) -> Any:
        row = app.security_groups.get_rule(session, caller, rule_id)
        group = app.security_groups.get_group(session, caller, row.security_group_id)
        return {"security_group_rule": rule_view(row, group.is_default)}

    return run(request, work)


@router.delete("/security-group-rules/{rule_id}", status_code=204, response_class=Response)
def delete_rule(rule_id: str, request: Request) -> Response:
    return remove(
        request,
        lambda a, s, c: a.security_groups.delete_rule(s, c, rule_id),
        AuditAction.SECURITY_GROUP_RULE_DELETE,
        rule_id,
    )
