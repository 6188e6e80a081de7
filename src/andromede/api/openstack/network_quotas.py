"""Neutron's quotas and extensions at /network/v2.0: what `openstack quota show` and
clients that probe for a feature read."""

from typing import Any

from fastapi import APIRouter, Request

from andromede.api.context import app_of, run
from andromede.api.openstack.envelopes import declares
from andromede.compute.floating_ip_service import MAX_FLOATING_IPS
from andromede.compute.port_service import MAX_PORTS
from andromede.compute.router_service import MAX_ROUTERS
from andromede.compute.security_group_service import MAX_GROUPS, MAX_RULES
from andromede.compute.virtual_networks import MAX_NETWORKS, MAX_SUBNET_POOLS, MAX_SUBNETS

router = APIRouter(prefix="/network/v2.0", tags=["openstack network"])

EXTENSIONS = {
    "security-group": "Security groups",
    "quotas": "Quota management support",
    "quota_details": "Quota details management support",
    "standard-attr-description": "standard-attr-description",
    "project-id": "project_id field enabled",
    "router": "Neutron L3 Router",
    "extraroute": "Neutron Extra Route",
    "external-net": "Neutron external network",
    "subnet_allocation": "Subnet Allocation",
    "net-mtu": "Network MTU",
}


def _limits() -> dict[str, int]:
    return {
        "network": MAX_NETWORKS,
        "subnet": MAX_SUBNETS,
        "port": MAX_PORTS,
        "router": MAX_ROUTERS,
        "floatingip": MAX_FLOATING_IPS,
        "subnetpool": MAX_SUBNET_POOLS,
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
        return {"quota": _limits()}

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
                for key, limit in _limits().items()
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
