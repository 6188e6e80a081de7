"""Nova's os-server-groups at /compute/v2.1: affinity and anti-affinity for a project's
servers, as the microversions shape them: the project and user from 2.13, the soft
policies from 2.15, and from 2.64 one ``policy`` with ``rules`` instead of a list of
``policies`` (and no metadata). The rule ``max_server_per_host`` lets an anti-affinity
group put that many members on one host (placement honours it)."""

from typing import Any

from fastapi import APIRouter, Body, Request, Response

from andromede.api.context import app_of, run
from andromede.api.openstack.compute import PAGE_MAX, project_of
from andromede.api.openstack.envelopes import declares
from andromede.api.openstack.microversion import compute_version
from andromede.audit.actions import AuditAction
from andromede.kernel.errors import ValidationFailed

router = APIRouter(prefix="/compute", tags=["openstack compute"])
V21 = "/v2.1"


def group_view(app: Any, session: Any, g: Any, version: tuple[int, int] = (2, 1)) -> Any:
    view: dict[str, Any] = {
        "id": g.id,
        "name": g.name,
        "members": app.keypairs.group_members(session, g.id),
    }
    if version >= (2, 64):
        rules = {"max_server_per_host": g.max_per_host} if g.max_per_host else {}
        view |= {"policy": g.policy, "rules": rules}
    else:
        view |= {"policies": [g.policy], "metadata": {}}
    if version >= (2, 13):
        view |= {"project_id": g.project_id, "user_id": g.created_by or ""}
    return view


@router.get(V21 + "/os-server-groups", **declares("ServerGroups"))
def list_groups(request: Request) -> Any:
    app = app_of(request)

    def work(session: Any, caller: Any) -> dict[str, Any]:
        rows = app.keypairs.list_groups(
            session, caller, limit=PAGE_MAX, marker=None, project_id=project_of(caller)
        )
        version = compute_version(request)
        return {"server_groups": [group_view(app, session, g, version) for g in rows]}

    return run(request, work)


def _policy(data: dict[str, Any], version: tuple[int, int]) -> str:
    """The one policy, from ``policies`` before 2.64 and ``policy`` (+ ``rules``) after."""
    if version >= (2, 64):
        if "policies" in data:
            raise ValidationFailed.one("server_group.policies", "from 2.64: policy and rules")
        policy = data.get("policy")
        _rules(data.get("rules") or {})
    else:
        if "policy" in data or "rules" in data:
            raise ValidationFailed.one("server_group.policy", "needs microversion 2.64")
        policies = data.get("policies")
        if not isinstance(policies, list) or len(policies) != 1:
            raise ValidationFailed.one("server_group.policies", "exactly one policy")
        policy = policies[0]
    if not isinstance(policy, str):
        raise ValidationFailed.one("server_group.policy", "is required")
    if policy.startswith("soft-") and version < (2, 15):
        raise ValidationFailed.one("server_group.policies", "soft policies need 2.15")
    return policy  # checked against the known ones by the service


def max_per_host(data: dict[str, Any]) -> int | None:
    """The rule as asked (checked by ``_rules``), or None."""
    rules = data.get("rules") or {}
    return int(str(rules["max_server_per_host"])) if rules else None


def _rules(rules: Any) -> None:
    if not isinstance(rules, dict) or set(rules) - {"max_server_per_host"}:
        raise ValidationFailed.one("server_group.rules", "only max_server_per_host")
    if not rules:
        return
    given = rules["max_server_per_host"]  # a number, or its digits as Nova takes them
    digits = str(given) if isinstance(given, int | str) and not isinstance(given, bool) else ""
    if not digits.isdigit():  # the policy it needs and its minimum: the service's rules
        raise ValidationFailed.one("server_group.rules.max_server_per_host", "a positive integer")


@router.post(V21 + "/os-server-groups", **declares("ServerGroup"))
def create_group(request: Request, body: dict[str, Any] = Body(...)) -> Any:
    app = app_of(request)
    data = body.get("server_group")
    if not isinstance(data, dict) or not isinstance(data.get("name"), str):
        raise ValidationFailed.one("server_group", "a name and a policy are required")
    policy = _policy(data, compute_version(request))

    def work(session: Any, caller: Any) -> dict[str, Any]:
        row = app.keypairs.create_group(
            session,
            caller,
            project_id=project_of(caller),
            name=data["name"],
            policy=policy,
            max_per_host=max_per_host(data),
        )
        return {"server_group": group_view(app, session, row, compute_version(request))}

    return run(
        request,
        work,
        write=True,
        action=AuditAction.SERVER_GROUP_CREATE,
        target_type="server_group",
    )


@router.get(V21 + "/os-server-groups/{group_id}", **declares("ServerGroup"))
def show_group(group_id: str, request: Request) -> Any:
    app = app_of(request)
    return run(
        request,
        lambda s, c: {
            "server_group": group_view(
                app, s, app.keypairs.get_group(s, c, group_id), compute_version(request)
            )
        },
    )


@router.delete(V21 + "/os-server-groups/{group_id}", status_code=204)
def delete_group(group_id: str, request: Request) -> Response:
    app = app_of(request)
    run(
        request,
        lambda s, c: app.keypairs.delete_group(s, c, group_id),
        write=True,
        action=AuditAction.SERVER_GROUP_DELETE,
        target_type="server_group",
        target_id=group_id,
    )
    return Response(status_code=204)
