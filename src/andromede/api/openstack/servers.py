"""Nova v2.1 servers at /compute/v2.1/servers: create, list (brief and detail, with
filters), show, rename (PUT), delete, and the start/stop/reboot actions. The region is
the one of the availability zone asked for, or else the first region the project's
residency policy allows; placement, quotas, policy and audit are the /v1 ones."""

import base64
import binascii
import re
import secrets
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

from fastapi import APIRouter, Body, Request, Response
from fastapi.responses import JSONResponse

from andromede.api.context import app_of, run
from andromede.api.long_json import LongJSON
from andromede.api.openstack.compute import PAGE_MAX, integer, project_of
from andromede.api.openstack.envelopes import declares
from andromede.api.openstack.identity import base_url
from andromede.api.openstack.microversion import compute_version
from andromede.api.openstack.nova_views import (
    DetailCache,
    ListContext,
    links,
    server_brief,
    server_detail,
)
from andromede.audit.actions import AuditAction
from andromede.compute.network_service import PORT
from andromede.compute.server_service import ServerRequest
from andromede.kernel.bounds import bounded_int
from andromede.kernel.errors import NotFound, NoValidHost, QuotaExceeded, ValidationFailed

router = APIRouter(prefix="/compute/v2.1", tags=["openstack compute"])
DETAILS = DetailCache()  # the encoded views of this process's recent lists
ACTIONS = {"os-start": "start", "os-stop": "stop", "reboot": "reboot"}
GROUP_ACTIONS = {"addSecurityGroup": True, "removeSecurityGroup": False}
OWN_ACTIONS = (  # with bodies of their own
    "rebuild",
    "lock",
    "unlock",
    "createImage",
    "resize",
    "confirmResize",
    "revertResize",
)
COMMON = {  # what Nova's update and rebuild answers hold
    "id",
    "name",
    "status",
    "image",
    "flavor",
    "fault",
    "user_id",
    "tenant_id",
    "created",
    "updated",
    "progress",
    "metadata",
    "links",
    "addresses",
    "hostId",
    "OS-DCF:diskConfig",
    "accessIPv4",
    "accessIPv6",
    "locked",  # from 2.9
}
REBUILD_FIELDS = {  # Nova's at 2.1; the password, disk and file injection are not kept
    "imageRef",
    "name",
    "metadata",
    "adminPass",
    "accessIPv4",
    "accessIPv6",
    "preserve_ephemeral",
    "OS-DCF:diskConfig",
    "personality",
}
STATUS_FILTER = {"HARD_REBOOT": "REBOOT"}
MAX_COUNT = 100  # servers per multiple create
RESERVATION = "abcdefghijklmnopqrstuvwxyz0123456789"


def _ref(value: Any, field: str) -> str:
    """An id, or an href whose last segment is the id."""
    if not isinstance(value, str) or not value:
        raise ValidationFailed.one(field, "is required")
    return value.rstrip("/").rsplit("/", 1)[-1]


def _networks(value: Any) -> tuple[str, ...] | None:
    if value is None or value in ("auto", []):  # Nova before 2.37: the default
        return None
    if value == "none":
        return ("none",)
    if not isinstance(value, list):
        raise ValidationFailed.one("networks", 'a list, "auto" or "none"')
    refs = []
    for item in value:
        if not isinstance(item, dict) or not (item.get("uuid") or item.get("port")):
            raise ValidationFailed.one("networks", "each item needs a uuid or a port")
        refs.append(f"{PORT}{item['port']}" if item.get("port") else str(item["uuid"]))
    return tuple(refs)


def _image(data: dict[str, Any]) -> tuple[str, int | None]:
    """imageRef, or a block_device_mapping_v2 booting from an image (onto a volume when
    its destination is a volume)."""
    bdm = data.get("block_device_mapping_v2") or []
    boot = next((b for b in bdm if isinstance(b, dict) and str(b.get("boot_index")) == "0"), None)
    if boot and boot.get("source_type") == "image" and boot.get("destination_type") == "volume":
        size = boot.get("volume_size")
        volume = bounded_int("volume_size", size, low=1) if size is not None else None
        return _ref(boot.get("uuid"), "block_device_mapping_v2.uuid"), volume
    if data.get("imageRef"):
        return _ref(data["imageRef"], "imageRef"), None
    if boot and boot.get("source_type") == "image":
        return _ref(boot.get("uuid"), "block_device_mapping_v2.uuid"), None
    raise ValidationFailed.one("imageRef", "is required (or a bootable block_device_mapping_v2)")


def _create_request(body: dict[str, Any], project_id: str) -> tuple[ServerRequest, str | None]:
    data = body.get("server")
    if not isinstance(data, dict):
        raise ValidationFailed.one("server", "is required")
    metadata = data.get("metadata") or {}
    if not isinstance(metadata, dict):
        raise ValidationFailed.one("metadata", "must be an object")
    image, volume = _image(data)
    hints = body.get("os:scheduler_hints") or {}
    request = ServerRequest(
        project_id=project_id,
        name=_name(data.get("name")),
        flavor=_ref(data.get("flavorRef"), "flavorRef"),
        image=image,
        region="",  # decided below, from the zone or the policy
        zone=data.get("availability_zone") or None,
        server_group=hints.get("group") if isinstance(hints, dict) else None,
        key_name=data.get("key_name") or None,
        root_volume_gib=volume,
        networks=_networks(data.get("networks")),
        metadata=tuple((str(k), str(v)) for k, v in metadata.items()),
        access_ipv4=data.get("accessIPv4") or None,
        access_ipv6=data.get("accessIPv6") or None,
        user_data=_user_data(data.get("user_data")),
        security_groups=_security_groups(data.get("security_groups")),
    )
    return request, data.get("adminPass")


def _security_groups(value: Any) -> tuple[str, ...]:
    """``[{"name": ...}]``, each a group's name or id in the project; none: the default."""
    if value is None:
        return ()
    if not isinstance(value, list) or not all(
        isinstance(item, dict) and isinstance(item.get("name"), str) and item["name"]
        for item in value
    ):
        raise ValidationFailed.one("security_groups", 'a list of {"name": ...}')
    return tuple(item["name"] for item in value)


def _since(value: str | None) -> datetime | None:
    """Nova's ``changes-since``: an ISO 8601 instant (UTC when it names no offset)."""
    if value is None:
        return None
    try:
        at = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise ValidationFailed.one("changes-since", "an ISO 8601 date and time") from None
    return at if at.tzinfo else at.replace(tzinfo=UTC)


def _name(value: Any) -> str:
    """Nova's: text, not a number (a numeric name is a 400)."""
    if not isinstance(value, str):
        raise ValidationFailed.one("name", "must be a string")
    return value


def _user_data(value: Any) -> str | None:
    """Nova takes cloud-init base64-encoded; it is kept as text for the hypervisor."""
    if value is None:
        return None
    try:
        return base64.b64decode(str(value), validate=True).decode()
    except (binascii.Error, UnicodeDecodeError):
        raise ValidationFailed.one("user_data", "must be base64-encoded text") from None


def _counts(data: dict[str, Any]) -> tuple[int, int]:
    """(min_count, max_count): Nova makes as many as it can up to max, at least min."""
    low = bounded_int("min_count", data.get("min_count", 1), low=1)
    high = bounded_int("max_count", data.get("max_count", low), low=1)
    if low > high:
        raise ValidationFailed.one("min_count", "must not exceed max_count")
    if high > MAX_COUNT:
        raise ValidationFailed.one("max_count", f"at most {MAX_COUNT} servers per request")
    return low, high


def _create_many(app: Any, session: Any, caller: Any, wanted: Any, low: int, high: int) -> Any:
    """Each server in a savepoint: past ``low`` made, one that cannot be (quota, no
    host) ends the run; before, it fails the whole request. Names as Nova's: ``name-N``."""
    made = []
    for n in range(1, high + 1):
        named = replace(wanted, name=f"{wanted.name}-{n}") if high > 1 else wanted
        try:
            with session.begin_nested():
                made.append(app.servers.create_server(session, caller, named))
        except (QuotaExceeded, NoValidHost):
            if len(made) < low:
                raise
            break
    return made


@router.post("/servers", status_code=202, **declares("Server", 202))
def create_server(request: Request, body: dict[str, Any] = Body(...)) -> Any:
    app = app_of(request)

    def work(session: Any, caller: Any) -> JSONResponse:
        wanted, admin_pass = _create_request(body, project_of(caller))
        low, high = _counts(body["server"])
        region = app.servers.region_for(session, caller, wanted.project_id, wanted.zone)
        reservation = "r-" + "".join(secrets.choice(RESERVATION) for _ in range(8))
        wanted = replace(wanted, region=region, reservation_id=reservation)
        server = _create_many(app, session, caller, wanted, low, high)[0]
        if body["server"].get("return_reservation_id") is True:
            return JSONResponse({"reservation_id": reservation}, status_code=202)
        base = base_url(request)
        view = {
            "id": server.id,
            "links": links(base, "servers", server.id),
            "OS-DCF:diskConfig": "MANUAL",
            "security_groups": [{"name": n} for n in wanted.security_groups or ("default",)],
            "adminPass": admin_pass or secrets.token_urlsafe(12),
        }
        location = f"{base}/compute/v2.1/servers/{server.id}"
        return JSONResponse({"server": view}, status_code=202, headers={"Location": location})

    return run(request, work, write=True, action=AuditAction.SERVER_CREATE, target_type="server")


def _list(request: Request, detail: bool) -> Any:
    app = app_of(request)
    params = request.query_params
    limit = integer(params, "limit", PAGE_MAX, PAGE_MAX)
    if len(params.get("name") or "") > 255:
        raise ValidationFailed.one("name", "at most 255 characters")
    try:
        name = re.compile(params["name"]) if params.get("name") else None
    except re.error:
        raise ValidationFailed.one("name", "not a valid regular expression") from None
    status = params.get("status")
    since = _since(params.get("changes-since"))
    version = compute_version(request)
    by_address = _address_filters(params, version)

    def work(session: Any, caller: Any) -> LongJSON:
        rows = app.servers.list_servers(
            session,
            caller,
            limit=100_000 if name or by_address else limit,
            marker=params.get("marker"),
            project_id=project_of(caller),
            status=STATUS_FILTER.get(status.upper(), status.upper()) if status else None,
        )
        if status is None:
            rows = [s for s in rows if s.status != "DELETED"]
        for key, column in (
            ("flavor", "flavor_id"),
            ("image", "image_id"),
            ("reservation_id", "reservation_id"),
        ):
            if params.get(key):
                rows = [s for s in rows if getattr(s, column) == params[key]]
        if since is not None:
            rows = [s for s in rows if s.updated_at >= since]
        if name:
            rows = [s for s in rows if name.search(s.name)]
        if by_address:  # the addresses of every candidate, to filter on them
            ports = app.networks.addresses(session, [s.id for s in rows])
            rows = [s for s in rows if _matches(by_address, ports.get(s.id, {}))]
        rows = rows[:limit]
        base = base_url(request)
        if not detail:
            return LongJSON({"servers": [server_brief(base, s) for s in rows]})
        if not by_address:  # only the page's
            ports = app.networks.addresses(session, [s.id for s in rows])
        groups = app.security_groups.groups_of(session, [s.id for s in rows])
        shared = ListContext(base)
        fragments = DETAILS.fragments(base, rows, ports, shared, groups, version)
        return LongJSON({"servers": fragments})

    return run(request, work)


def _address_filters(params: Any, version: tuple[int, int]) -> list[tuple[int, re.Pattern[str]]]:
    """Nova's ``ip`` (IPv4) and, from 2.5, ``ip6`` filters: regular expressions an address
    of the server must match."""
    found = []
    for key, ip_version in (("ip", 4), ("ip6", 6)):
        given = params.get(key)
        if not given or (key == "ip6" and version < (2, 5)):
            continue
        try:
            found.append((ip_version, re.compile(given)))
        except re.error:
            raise ValidationFailed.one(key, "not a valid regular expression") from None
    return found


def _matches(wanted: list[tuple[int, re.Pattern[str]]], ports: dict[str, Any]) -> bool:
    addresses = [a for found in ports.values() for a, *_ in found]
    return all(any(p.search(a) and (":" in a) == (v == 6) for a in addresses) for v, p in wanted)


@router.get("/servers", **declares("Servers"))
def list_servers(request: Request) -> Any:
    return _list(request, detail=False)


@router.get("/servers/detail", **declares("Servers"))
def list_servers_detail(request: Request) -> Any:
    return _list(request, detail=True)


def own_server(app: Any, session: Any, caller: Any, server_id: str) -> Any:
    server = app.servers.get_server(session, caller, server_id)
    if server.project_id != project_of(caller):
        raise NotFound("server", server_id)
    return server


def _show(app: Any, request: Request, session: Any, server: Any) -> dict[str, Any]:
    ports = app.networks.addresses(session, [server.id]).get(server.id, {})
    version = compute_version(request)
    groups = app.security_groups.groups_of(session, [server.id]).get(server.id, [])
    view = server_detail(base_url(request), server, ports, groups=groups, version=version)
    return {"server": view}


@router.get("/servers/{server_id}", **declares("Server"))
def show_server(server_id: str, request: Request) -> Any:
    app = app_of(request)
    return run(request, lambda s, c: _show(app, request, s, own_server(app, s, c, server_id)))


@router.put("/servers/{server_id}", **declares("Server"))
def update_server(server_id: str, request: Request, body: dict[str, Any] = Body(...)) -> Any:
    app = app_of(request)
    data = body.get("server")
    allowed = {"name", "accessIPv4", "accessIPv6"}
    if not isinstance(data, dict) or not data or set(data) - allowed:
        raise ValidationFailed.one("server", f"only {', '.join(sorted(allowed))} can be changed")

    def work(session: Any, caller: Any) -> dict[str, Any]:
        server = own_server(app, session, caller, server_id)
        server = app.servers.update_server(
            session,
            caller,
            server.id,
            name=data.get("name"),
            access_ipv4=data.get("accessIPv4"),
            access_ipv6=data.get("accessIPv6"),
        )
        return _common(_show(app, request, session, server))

    return update_of(request, server_id, work)


def _common(view: dict[str, Any]) -> dict[str, Any]:
    """The server as Nova answers an update or a rebuild: the common fields only, and
    addresses without their extensions."""
    server = {k: v for k, v in view["server"].items() if k in COMMON}
    server["addresses"] = {
        network: [{"version": a["version"], "addr": a["addr"]} for a in addresses]
        for network, addresses in server["addresses"].items()
    }
    return {"server": server}


def update_of(request: Request, server_id: str, work: Any) -> Any:
    """A change to one server, in one transaction, audited (refusals too)."""
    return run(
        request,
        work,
        write=True,
        action=AuditAction.SERVER_UPDATE,
        target_type="server",
        target_id=server_id,
    )


@router.delete("/servers/{server_id}", status_code=204)
def delete_server(server_id: str, request: Request) -> Response:
    app = app_of(request)

    def work(session: Any, caller: Any) -> None:
        app.servers.act(session, caller, own_server(app, session, caller, server_id).id, "delete")

    run(
        request,
        work,
        write=True,
        action=AuditAction.SERVER_DELETE,
        target_type="server",
        target_id=server_id,
    )
    return Response(status_code=204)


@router.post("/servers/{server_id}/action", status_code=202, response_class=Response)
def server_action(server_id: str, request: Request, body: dict[str, Any] = Body(...)) -> Any:
    app = app_of(request)
    if len(body) != 1 or next(iter(body)) not in (*ACTIONS, *GROUP_ACTIONS, *OWN_ACTIONS):
        supported = ", ".join((*ACTIONS, *GROUP_ACTIONS, *OWN_ACTIONS))
        raise ValidationFailed.one("action", f"supported actions: {supported}")
    key = next(iter(body))
    if key in GROUP_ACTIONS:
        return _security_group_action(app, request, server_id, key, body[key])
    if key == "rebuild":
        return _rebuild(app, request, server_id, body[key])
    if key in ("lock", "unlock"):
        return _lock(app, request, server_id, key, body[key])
    if key == "createImage":
        return _create_image(app, request, server_id, body[key])
    if key in ("resize", "confirmResize", "revertResize"):
        return _resize(app, request, server_id, key, body[key])
    reboot_type = "SOFT"
    if key == "reboot":
        reboot_type = str((body["reboot"] or {}).get("type", "SOFT")).upper()

    def work(session: Any, caller: Any) -> None:
        server = own_server(app, session, caller, server_id)
        app.servers.act(session, caller, server.id, ACTIONS[key], reboot_type)

    run(
        request,
        work,
        write=True,
        action=AuditAction(f"server.{ACTIONS[key]}"),
        target_type="server",
        target_id=server_id,
    )
    return Response(status_code=202)


def _security_group_action(
    app: Any, request: Request, server_id: str, key: str, value: Any
) -> Response:
    name = value.get("name") if isinstance(value, dict) else None
    if not isinstance(name, str) or not name:
        raise ValidationFailed.one(f"{key}.name", "the security group's name is required")

    def work(session: Any, caller: Any) -> None:
        server = own_server(app, session, caller, server_id)
        app.servers.change_security_group(session, caller, server.id, name, add=GROUP_ACTIONS[key])

    run(
        request,
        work,
        write=True,
        action=AuditAction.SERVER_SECURITY_GROUPS,
        target_type="server",
        target_id=server_id,
    )
    return Response(status_code=202)


def _rebuild(app: Any, request: Request, server_id: str, data: Any) -> JSONResponse:
    if not isinstance(data, dict):
        raise ValidationFailed.one("rebuild", "must be an object")
    unknown = sorted(set(data) - REBUILD_FIELDS)
    if unknown:
        raise ValidationFailed.one(f"rebuild.{unknown[0]}", "not a field of a rebuild")
    metadata = data.get("metadata")
    if metadata is not None and not isinstance(metadata, dict):
        raise ValidationFailed.one("metadata", "must be an object")
    items = None if metadata is None else tuple((str(k), str(v)) for k, v in metadata.items())
    name = data.get("name")
    if name is not None and not isinstance(name, str):
        raise ValidationFailed.one("name", "must be a string")

    def work(session: Any, caller: Any) -> JSONResponse:
        server = own_server(app, session, caller, server_id)
        rebuilt = app.servers.rebuild(
            session,
            caller,
            server.id,
            _ref(data.get("imageRef"), "imageRef"),
            name=name,
            metadata=items,
        )
        view = _common(_show(app, request, session, rebuilt))
        view["server"]["adminPass"] = data.get("adminPass") or secrets.token_urlsafe(12)
        return JSONResponse(view, status_code=202)

    return run(
        request,
        work,
        write=True,
        action=AuditAction.SERVER_REBUILD,
        target_type="server",
        target_id=server_id,
    )


def _resize(app: Any, request: Request, server_id: str, key: str, value: Any) -> Response:
    """Nova's resize, then confirmResize or revertResize; a resize is cold here (the server
    stopped first) and waits in VERIFY_RESIZE for one of the two."""
    if key == "resize":
        if not isinstance(value, dict) or not value.get("flavorRef"):
            raise ValidationFailed.one("resize.flavorRef", "the new flavor is required")
        flavor = str(value["flavorRef"])
    elif value is not None:
        raise ValidationFailed.one(key, "must be null")

    def work(session: Any, caller: Any) -> None:
        server = own_server(app, session, caller, server_id)
        if key == "resize":
            app.servers.resize(session, caller, server.id, flavor, to_confirm=True)
        elif key == "confirmResize":
            app.servers.confirm_resize(session, caller, server.id)
        else:
            app.servers.revert_resize(session, caller, server.id)

    action = {
        "resize": AuditAction.SERVER_RESIZE,
        "confirmResize": AuditAction.SERVER_RESIZE_CONFIRM,
        "revertResize": AuditAction.SERVER_RESIZE_REVERT,
    }[key]
    run(request, work, write=True, action=action, target_type="server", target_id=server_id)
    return Response(status_code=202 if key != "confirmResize" else 204)


def _create_image(app: Any, request: Request, server_id: str, value: Any) -> Response:
    """A snapshot: 202 with the image's address (Nova before 2.45); it is saving until
    the region has copied the disk."""
    if not isinstance(value, dict):
        raise ValidationFailed.one("createImage", "must be an object")

    def work(session: Any, caller: Any) -> str:
        server = own_server(app, session, caller, server_id)
        image = app.servers.create_image(
            session, caller, server.id, value.get("name"), value.get("metadata")
        )
        return str(image.id)

    image_id = run(
        request,
        work,
        write=True,
        action=AuditAction.SERVER_SNAPSHOT,
        target_type="server",
        target_id=server_id,
    )
    location = f"{base_url(request)}/image/v2/images/{image_id}"
    return Response(status_code=202, headers={"Location": location})


def _lock(app: Any, request: Request, server_id: str, key: str, value: Any) -> Response:
    """``{"lock": null}`` or ``{"lock": {"locked_reason": …}}`` (2.73), ``{"unlock": null}``."""
    if value is not None and not isinstance(value, dict):
        raise ValidationFailed.one(key, "must be null or an object")
    reason = (value or {}).get("locked_reason") if key == "lock" else None

    def work(session: Any, caller: Any) -> None:
        server = own_server(app, session, caller, server_id)
        app.servers.set_lock(session, caller, server.id, locked=key == "lock", reason=reason)

    action = AuditAction.SERVER_LOCK if key == "lock" else AuditAction.SERVER_UNLOCK
    run(request, work, write=True, action=action, target_type="server", target_id=server_id)
    return Response(status_code=202)
