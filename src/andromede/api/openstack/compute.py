"""Nova v2.1 at /compute: versions, flavors, limits and availability zones (servers are in
servers.py, keypairs in nova_keypairs.py, server groups in server_groups.py)."""

from typing import Any

from fastapi import APIRouter, Request

from andromede.api.context import app_of, run
from andromede.api.openstack.envelopes import declares
from andromede.api.openstack.identity import base_url
from andromede.api.openstack.microversion import MAX_VERSION, MIN_VERSION, compute_version
from andromede.api.openstack.nova_views import flavor_brief, flavor_detail
from andromede.compute.security_group_service import MAX_GROUPS, MAX_RULES
from andromede.kernel.bounds import bounded_int
from andromede.kernel.errors import Forbidden, NotFound, ValidationFailed
from andromede.tenancy.scope import Caller

router = APIRouter(prefix="/compute", tags=["openstack compute"])
V21 = "/v2.1"
UPDATED = "2013-07-23T11:33:21Z"
PAGE_MAX = 1000
LIMITS_GONE = {  # absolute limits and the microversion from which Nova no longer shows them
    "maxSecurityGroupRules": (2, 36),
    "maxSecurityGroups": (2, 36),
    "maxTotalFloatingIps": (2, 36),
    "totalFloatingIpsUsed": (2, 36),
    "totalSecurityGroupsUsed": (2, 36),
    "maxImageMeta": (2, 39),
    "maxPersonality": (2, 57),
    "maxPersonalitySize": (2, 57),
}


def integer(params: Any, name: str, default: int, cap: int | None = None) -> int:
    """A query parameter that must be a whole number in the kernel's bounds (``limit`` is
    capped at the page, as Nova does)."""
    value = bounded_int(name, params.get(name) or default)
    return min(value, cap) if cap is not None else value


def project_of(caller: Caller) -> str:
    if caller.actor.project_id is None:
        raise Forbidden("this token is not scoped to a project")
    return caller.actor.project_id


def _version(request: Request, vid: str) -> dict[str, Any]:
    current = vid == "v2.1"
    return {
        "id": vid,
        "status": "CURRENT" if current else "SUPPORTED",
        "version": MAX_VERSION if current else "",
        "min_version": MIN_VERSION if current else "",
        "updated": UPDATED if current else "2011-01-21T11:33:21Z",
        "links": [
            {"rel": "self", "href": f"{base_url(request)}/compute/{vid.replace('v2.0', 'v2')}/"}
        ],
        "media-types": [
            {"base": "application/json", "type": "application/vnd.openstack.compute+json;version=2"}
        ],
    }


@router.get("/", **declares("Versions"))
def versions(request: Request) -> dict[str, Any]:
    return {"versions": [_version(request, "v2.0"), _version(request, "v2.1")]}


@router.get("/v2/", **declares("Version"))
@router.get("/v2", **declares("Version"))
def version_2(request: Request) -> dict[str, Any]:
    return {"version": _version(request, "v2.0")}


@router.get("/v2.1", **declares("Version"))
@router.get("/v2.1/", **declares("Version"))
def version_21(request: Request) -> dict[str, Any]:
    return {"version": _version(request, "v2.1")}


# -- flavors ------------------------------------------------------------------------
def _flavors(request: Request, params: dict[str, Any], detail: bool) -> Any:
    app = app_of(request)
    min_ram = integer(params, "minRam", 0)
    min_disk = integer(params, "minDisk", 0)
    limit = integer(params, "limit", PAGE_MAX, PAGE_MAX)
    public = str(params.get("is_public", "True")).lower()
    marker = params.get("marker")

    def work(session: Any, caller: Any) -> dict[str, Any]:
        rows = app.catalog.all_flavors(session)
        rows = sorted(rows, key=lambda f: (f.vcpus, f.ram_mib, f.disk_gib, f.name))
        if public in ("true", "1", "yes"):
            rows = [f for f in rows if f.is_public]
        elif public in ("false", "0", "no"):
            rows = [f for f in rows if not f.is_public]
        rows = [f for f in rows if f.ram_mib >= min_ram and f.disk_gib >= min_disk]
        if marker:
            ids = [f.id for f in rows]
            if marker not in ids:
                raise ValidationFailed.one("marker", f"marker [{marker}] not found")
            rows = rows[ids.index(marker) + 1 :]
        base = base_url(request)
        version = compute_version(request)
        if detail:
            return {"flavors": [flavor_detail(base, f, version) for f in rows[:limit]]}
        return {"flavors": [flavor_brief(base, f, version) for f in rows[:limit]]}

    return run(request, work)


@router.get(V21 + "/flavors", **declares("Flavors"))
def list_flavors(request: Request) -> Any:
    return _flavors(request, dict(request.query_params), detail=False)


@router.get(V21 + "/flavors/detail", **declares("Flavors"))
def list_flavors_detail(request: Request) -> Any:
    return _flavors(request, dict(request.query_params), detail=True)


def _flavor(app: Any, session: Any, flavor_id: str) -> Any:
    try:
        return app.catalog.flavor(session, flavor_id)
    except NotFound:
        raise NotFound("flavor", flavor_id) from None


@router.get(V21 + "/flavors/{flavor_id}", **declares("Flavor"))
def show_flavor(flavor_id: str, request: Request) -> Any:
    app = app_of(request)
    return run(
        request,
        lambda s, c: {
            "flavor": flavor_detail(
                base_url(request), _flavor(app, s, flavor_id), compute_version(request)
            )
        },
    )


@router.get(V21 + "/flavors/{flavor_id}/os-extra_specs", **declares("ExtraSpecs"))
def flavor_extra_specs(flavor_id: str, request: Request) -> Any:
    app = app_of(request)
    return run(
        request, lambda s, c: {"extra_specs": dict(_flavor(app, s, flavor_id).extra_specs or {})}
    )


# -- limits and zones ----------------------------------------------------------------
@router.get(V21 + "/limits", **declares("Limits"))
def limits(request: Request) -> Any:
    """Absolute limits, from the project's quotas and what it uses; the network proxy's
    go at 2.36, the image metadata's at 2.39, file injection's at 2.57."""
    app = app_of(request)

    def work(session: Any, caller: Any) -> dict[str, Any]:
        quota = app.servers.quotas.project_quota(session, caller, project_of(caller))
        groups = app.keypairs.list_groups(
            session, caller, limit=PAGE_MAX, marker=None, project_id=project_of(caller)
        )
        in_use = app.security_groups.in_use(session, project_of(caller))
        absolute = {
            "maxImageMeta": 128,
            "maxPersonality": 5,
            "maxPersonalitySize": 10240,
            "maxSecurityGroupRules": MAX_RULES,
            "maxSecurityGroups": MAX_GROUPS,
            "maxServerMeta": 128,
            "maxTotalCores": quota["cores"]["limit"],
            "maxTotalFloatingIps": 0,
            "maxTotalInstances": quota["instances"]["limit"],
            "maxTotalKeypairs": 100,
            "maxTotalRAMSize": quota["ram_mib"]["limit"],
            "maxServerGroups": 10,
            "maxServerGroupMembers": 10,
            "totalCoresUsed": quota["cores"]["in_use"],
            "totalFloatingIpsUsed": 0,
            "totalInstancesUsed": quota["instances"]["in_use"],
            "totalRAMUsed": quota["ram_mib"]["in_use"],
            "totalSecurityGroupsUsed": in_use["security_groups"],
            "totalServerGroupsUsed": len(groups),
        }
        version = compute_version(request)
        absolute = {k: v for k, v in absolute.items() if version < LIMITS_GONE.get(k, (9, 9))}
        return {"limits": {"absolute": absolute, "rate": []}}

    return run(request, work)


@router.get(V21 + "/os-availability-zone", **declares("AvailabilityZones"))
def availability_zones(request: Request) -> Any:
    app = app_of(request)

    def work(session: Any, caller: Any) -> dict[str, Any]:
        zones = app.catalog.all_zones(session)
        return {
            "availabilityZoneInfo": [
                {"zoneName": z.code, "zoneState": {"available": True}, "hosts": None}
                for z in sorted(zones, key=lambda z: z.code)
            ]
        }

    return run(request, work)
