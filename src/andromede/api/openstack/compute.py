"""Nova v2.1 at /compute: versions, flavors, limits, availability zones, keypairs and
server groups (servers are in servers.py). Keypairs and server groups belong to the
token's project (Nova keeps keypairs per user; a project is what our tenants share)."""

import base64
import hashlib
from datetime import datetime, timedelta
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.x509.oid import NameOID
from fastapi import APIRouter, Body, Request, Response
from fastapi.responses import JSONResponse

from andromede.api.context import app_of, run
from andromede.api.openstack.envelopes import declares
from andromede.api.openstack.identity import base_url
from andromede.api.openstack.microversion import MAX_VERSION, MIN_VERSION, compute_version
from andromede.api.openstack.nova_views import flavor_brief, flavor_detail, iso
from andromede.audit.actions import AuditAction
from andromede.compute.security_group_service import MAX_GROUPS, MAX_RULES
from andromede.kernel.bounds import bounded_int
from andromede.kernel.errors import Forbidden, NotFound, ValidationFailed
from andromede.tenancy.scope import Caller

router = APIRouter(prefix="/compute", tags=["openstack compute"])
V21 = "/v2.1"
UPDATED = "2013-07-23T11:33:21Z"
PAGE_MAX = 1000


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
        view = flavor_detail if detail else flavor_brief
        return {"flavors": [view(base_url(request), f) for f in rows[:limit]]}

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
        lambda s, c: {"flavor": flavor_detail(base_url(request), _flavor(app, s, flavor_id))},
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
    """Absolute limits at 2.1, from the project's quotas and what it uses."""
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


# -- keypairs ------------------------------------------------------------------------
def _keypair_int_id(keypair_id: str) -> int:
    return int(keypair_id.replace("-", "")[:7], 16)


def _nova_fingerprint(public_key: str) -> str:
    """Nova shows the MD5 of the key blob, colon-separated."""
    blob = base64.b64decode(public_key.split()[1])
    digest = hashlib.md5(blob, usedforsecurity=False).hexdigest()
    return ":".join(digest[i : i + 2] for i in range(0, 32, 2))


def keypair_view(
    k: Any, user_id: str, full: bool = False, version: tuple[int, int] = (2, 1)
) -> dict[str, Any]:
    x509 = k.key_type == "x509"
    view: dict[str, Any] = {
        "name": k.name,
        "public_key": k.public_key,
        "fingerprint": k.fingerprint if x509 else _nova_fingerprint(k.public_key),
    }
    if version >= (2, 2):
        view["type"] = "x509" if x509 else "ssh"
    if full:
        view |= {
            "user_id": user_id,
            "id": _keypair_int_id(k.id),
            "created_at": iso(k.created_at),
            "updated_at": None,
            "deleted": False,
            "deleted_at": None,
        }
    return view


def _own_user(request: Request, caller: Caller, given: object) -> None:
    """2.10: ``user_id`` names whose keypairs; only an administrator names another's."""
    if given is not None and compute_version(request) >= (2, 10) and given != caller.actor.user_id:
        raise Forbidden("only an administrator manages another user's keypairs")


def _generated_certificate(now: datetime) -> tuple[str, str]:
    """An x509 keypair made here: (private key, self-signed certificate), both PEM."""
    key = Ed25519PrivateKey.generate()
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "andromede keypair")])
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now)
        .not_valid_after(now + timedelta(days=3650))
        .sign(key, None)
    )
    private = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()
    return private, certificate.public_bytes(serialization.Encoding.PEM).decode()


def _generated_key() -> tuple[str, str]:
    key = Ed25519PrivateKey.generate()
    private = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.OpenSSH,
        serialization.NoEncryption(),
    ).decode()
    public = key.public_key().public_bytes(
        serialization.Encoding.OpenSSH, serialization.PublicFormat.OpenSSH
    )
    return private, public.decode() + " generated-by-andromede"


@router.post(V21 + "/os-keypairs", **declares("Keypair"))
def create_keypair(request: Request, body: dict[str, Any] = Body(...)) -> Any:
    """2.2: a ``type`` (ssh or x509) and 201; before, ssh only and 200."""
    app = app_of(request)
    version = compute_version(request)
    data = body.get("keypair")
    if not isinstance(data, dict) or not data.get("name"):
        raise ValidationFailed.one("keypair", "keypair.name is required")
    if "type" in data and version < (2, 2):
        raise ValidationFailed.one("keypair.type", "a keypair's type needs microversion 2.2")
    kind = str(data.get("type") or "ssh")

    def work(session: Any, caller: Any) -> JSONResponse:
        _own_user(request, caller, data.get("user_id"))
        private = None
        public = data.get("public_key")
        if not public:
            made = app.clock.now()
            private, public = _generated_certificate(made) if kind == "x509" else _generated_key()
        row = app.keypairs.create_keypair(
            session,
            caller,
            project_id=project_of(caller),
            name=str(data["name"]),
            public_key=public,
            kind=kind,
        )
        view = keypair_view(row, caller.actor.user_id, version=version)
        view["user_id"] = caller.actor.user_id
        if private:
            view["private_key"] = private
        status = 201 if version >= (2, 2) else 200
        return JSONResponse({"keypair": view}, status_code=status)

    return run(request, work, write=True, action=AuditAction.KEYPAIR_CREATE, target_type="keypair")


def _keypair_by_name(app: Any, session: Any, caller: Caller, name: str) -> Any:
    for row in app.keypairs.list_keypairs(
        session, caller, limit=PAGE_MAX, marker=None, project_id=project_of(caller)
    ):
        if row.name == name:
            return row
    raise NotFound("keypair", name)


@router.get(V21 + "/os-keypairs", **declares("Keypairs"))
def list_keypairs(request: Request) -> Any:
    app = app_of(request)

    version = compute_version(request)

    def work(session: Any, caller: Any) -> dict[str, Any]:
        _own_user(request, caller, request.query_params.get("user_id"))
        rows = app.keypairs.list_keypairs(
            session, caller, limit=PAGE_MAX, marker=None, project_id=project_of(caller)
        )
        user = caller.actor.user_id
        return {"keypairs": [{"keypair": keypair_view(k, user, version=version)} for k in rows]}

    return run(request, work)


@router.get(V21 + "/os-keypairs/{name}", **declares("Keypair"))
def show_keypair(name: str, request: Request) -> Any:
    app = app_of(request)
    version = compute_version(request)

    def work(session: Any, caller: Any) -> dict[str, Any]:
        _own_user(request, caller, request.query_params.get("user_id"))
        found = _keypair_by_name(app, session, caller, name)
        return {"keypair": keypair_view(found, caller.actor.user_id, True, version)}

    return run(request, work)


@router.delete(V21 + "/os-keypairs/{name}", status_code=202, response_class=Response)
def delete_keypair(name: str, request: Request) -> Response:
    app = app_of(request)

    def work(session: Any, caller: Any) -> None:
        _own_user(request, caller, request.query_params.get("user_id"))
        app.keypairs.delete_keypair(
            session, caller, _keypair_by_name(app, session, caller, name).id
        )

    run(request, work, write=True, action=AuditAction.KEYPAIR_DELETE, target_type="keypair")
    return Response(status_code=204 if compute_version(request) >= (2, 2) else 202)


# -- server groups -------------------------------------------------------------------
def group_view(app: Any, session: Any, g: Any, version: tuple[int, int] = (2, 1)) -> Any:
    view = {
        "id": g.id,
        "name": g.name,
        "policies": [g.policy],
        "members": app.keypairs.group_members(session, g.id),
        "metadata": {},
    }
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


@router.post(V21 + "/os-server-groups", **declares("ServerGroup"))
def create_group(request: Request, body: dict[str, Any] = Body(...)) -> Any:
    app = app_of(request)
    data = body.get("server_group")
    policies = data.get("policies") if isinstance(data, dict) else None
    if not isinstance(data, dict) or not isinstance(policies, list) or len(policies) != 1:
        raise ValidationFailed.one("server_group", "name and exactly one policy are required")

    if str(policies[0]).startswith("soft-") and compute_version(request) < (2, 15):
        raise ValidationFailed.one("server_group.policies", "soft policies need 2.15")

    def work(session: Any, caller: Any) -> dict[str, Any]:
        row = app.keypairs.create_group(
            session,
            caller,
            project_id=project_of(caller),
            name=str(data.get("name") or ""),
            policy=str(policies[0]),
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
