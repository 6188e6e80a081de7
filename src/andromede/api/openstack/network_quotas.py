"""Neutron's quotas and extensions at /network/v2.0: what `openstack quota show` and
clients that probe for a feature read. Networks and subnets are the project's own, one
per region, made by the cloud; floating IPs and routers are not offered yet (limit 0)."""

from typing import Any

from fastapi import APIRouter, Request

from andromede.api.context import app_of, run
from andromede.api.openstack.envelopes import declares
from andromede.compute.security_group_service import MAX_GROUPS, MAX_RULES

router = APIRouter(prefix="/network/v2.0", tags=["openstack network"])

EXTENSIONS = {
    "security-group": "Security groups",
    "quotas": "Quota management support",
    "quota_details": "Quota details management support",
    "standard-attr-description": "standard-attr-description",
    "project-id": "project_id field enabled",
}


def _limits(app: Any, session: Any) -> dict[str, int]:
    regions = len(app.catalog.all_regions(session))
    return {
        "network": regions,
        "subnet": regions,
        "port": -1,  # one per server and network: the servers' quota bounds them
        "router": 0,
        "floatingip": 0,
        "subnetpool": 0,
        "rbac_policy": 0,
        "security_group": MAX_GROUPS,
        "security_group_rule": MAX_RULES,
    }


def _used(app: Any, session: Any, caller: Any, project_id: str) -> dict[str, int]:
    groups = app.security_groups.in_use(session, project_id)
    return {
        **app.networks.usage(session, caller, project_id),
        "security_group": groups["security_groups"],
        "security_group_rule": groups["security_group_rules"],
    }


@router.get("/quotas/{project_id}", **declares("NetworkQuota"))
def show_quota(project_id: str, request: Request) -> Any:
    app = app_of(request)

    def work(session: Any, caller: Any) -> Any:
        app.networks.usage(session, caller, project_id)  # another's project is not found
        return {"quota": _limits(app, session)}

    return run(request, work)


@router.get("/quotas/{project_id}/default", **declares("NetworkQuota"))
def default_quota(project_id: str, request: Request) -> Any:
    return show_quota(project_id, request)


@router.get("/quotas/{project_id}/details", **declares("NetworkQuota"))
def quota_details(project_id: str, request: Request) -> Any:
    app = app_of(request)

    def work(session: Any, caller: Any) -> Any:
        used = _used(app, session, caller, project_id)
        return {
            "quota": {
                key: {"limit": limit, "used": used.get(key, 0), "reserved": 0}
                for key, limit in _limits(app, session).items()
            }
        }

    return run(request, work)


@router.get("/extensions", **declares("Extensions"))
def extensions() -> Any:
    return {
        "extensions": [
            {"alias": alias, "name": name, "description": name, "updated": "", "links": []}
            for alias, name in EXTENSIONS.items()
        ]
    }
