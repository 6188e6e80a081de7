"""Nova's os-quota-sets at /compute/v2.1 (read and defaults): a project's quotas the way
Nova clients read them (``openstack quota show``), from the same quotas as /v1. Until
microversion 2.35 the set still names the network quotas Nova used to proxy (Neutron's
quotas are the real ones), until 2.56 the file injection ones. Another project is not
found."""

from typing import Any

from fastapi import APIRouter, Request

from andromede.api.context import app_of, run
from andromede.api.openstack.envelopes import declares
from andromede.api.openstack.microversion import compute_version
from andromede.compute.security_group_service import MAX_GROUPS, MAX_RULES
from andromede.tenancy.scope import Caller

router = APIRouter(prefix="/compute/v2.1", tags=["openstack compute"])

FIXED = {  # what Nova counts and we bound otherwise (limits says the same)
    "key_pairs": 100,
    "metadata_items": 128,
    "server_groups": 10,
    "server_group_members": 10,
    "injected_files": 5,
    "injected_file_content_bytes": 10240,
    "injected_file_path_bytes": 255,
    "fixed_ips": -1,
    "floating_ips": 0,
    "security_groups": MAX_GROUPS,
    "security_group_rules": MAX_RULES,
}
OURS = {"instances": "instances", "cores": "cores", "ram": "ram_mib"}
GONE = {  # quota names and the microversion from which Nova no longer shows them
    "fixed_ips": (2, 36),
    "floating_ips": (2, 36),
    "security_groups": (2, 36),
    "security_group_rules": (2, 36),
    "injected_files": (2, 57),
    "injected_file_content_bytes": (2, 57),
    "injected_file_path_bytes": (2, 57),
}


def fixed(request: Request) -> dict[str, int]:
    """The fixed quotas shown at the request's microversion."""
    version = compute_version(request)
    return {k: v for k, v in FIXED.items() if version < GONE.get(k, (9, 9))}


def _limits(quota: dict[str, Any]) -> dict[str, int]:
    return {nova: int(quota[ours]["limit"]) for nova, ours in OURS.items()}


@router.get("/os-quota-sets/{project_id}", **declares("QuotaSet"))
def quota_set(project_id: str, request: Request) -> dict[str, Any]:
    app = app_of(request)

    def work(session: Any, caller: Caller) -> dict[str, Any]:
        quota = app.servers.quotas.project_quota(session, caller, project_id)
        return {"id": project_id, **_limits(quota), **fixed(request)}

    return {"quota_set": run(request, work)}


@router.get("/os-quota-sets/{project_id}/detail", **declares("QuotaSet"))
def quota_detail(project_id: str, request: Request) -> dict[str, Any]:
    """Each quota with what is in use (nothing is ever reserved: claims are immediate)."""
    app = app_of(request)

    def work(session: Any, caller: Caller) -> dict[str, Any]:
        quota = app.servers.quotas.project_quota(session, caller, project_id)
        detail: dict[str, Any] = {
            nova: {"limit": quota[ours]["limit"], "in_use": quota[ours]["in_use"], "reserved": 0}
            for nova, ours in OURS.items()
        }
        groups = app.keypairs.list_groups(
            session, caller, limit=1000, marker=None, project_id=project_id
        )
        used = {"server_groups": len(groups), **app.security_groups.in_use(session, project_id)}
        for name, limit in fixed(request).items():
            detail[name] = {"limit": limit, "in_use": used.get(name, 0), "reserved": 0}
        return {"id": project_id, **detail}

    return {"quota_set": run(request, work)}


@router.get("/os-quota-sets/{project_id}/defaults", **declares("QuotaSet"))
def quota_defaults(project_id: str, request: Request) -> dict[str, Any]:
    """What a project gets when the operator set nothing for it."""
    app = app_of(request)

    def work(session: Any, caller: Caller) -> dict[str, Any]:
        app.tenancy.get_project(session, caller, project_id)  # another's is not found
        defaults = app.servers.quotas.defaults
        limits = {nova: getattr(defaults, ours) for nova, ours in OURS.items()}
        return {"id": project_id, **limits, **fixed(request)}

    return {"quota_set": run(request, work)}
