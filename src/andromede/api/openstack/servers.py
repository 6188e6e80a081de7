"""Nova v2.1 servers at /compute/v2.1/servers: create, list (brief and detail, with
filters), show, update (PUT), delete; the actions are in server_actions.py. The region is
the one of the availability zone asked for, or else the first region the project's
residency policy allows; placement, quotas, policy and audit are the /v1 ones. What each
microversion changes is read in server_requests.py and server_filters.py and shown by
nova_views.py; the update answers the whole server from 2.75, as a show does."""

import secrets
from dataclasses import replace
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
from andromede.api.openstack.server_filters import ServerFilters, parse_filters
from andromede.api.openstack.server_requests import counts, create_request
from andromede.audit.actions import AuditAction
from andromede.compute.server_fields import UNSET
from andromede.kernel.errors import NotFound, NoValidHost, QuotaExceeded, ValidationFailed

router = APIRouter(prefix="/compute/v2.1", tags=["openstack compute"])
DETAILS = DetailCache()  # the encoded views of this process's recent lists
COMMON = {  # what Nova's update and rebuild answers hold before 2.75
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
    "description",  # from 2.19
    "trusted_image_certificates",  # from 2.63
    "server_groups",  # from 2.71
    "locked_reason",  # from 2.73
}
RESERVATION = "abcdefghijklmnopqrstuvwxyz0123456789"


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
        wanted, admin_pass = create_request(body, project_of(caller), compute_version(request))
        low, high = counts(body["server"])
        region = app.servers.region_for(
            session, caller, wanted.project_id, wanted.zone, wanted.networks
        )
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


def _rows(app: Any, session: Any, caller: Any, wanted: ServerFilters, params: Any) -> Any:
    """The servers the filters keep, up to the page's limit, with the tags of each."""
    limit = integer(params, "limit", PAGE_MAX, PAGE_MAX)
    rows = app.servers.list_servers(
        session,
        caller,
        limit=100_000 if wanted.whole else limit,
        marker=params.get("marker"),
        project_id=project_of(caller),
        status=wanted.status,
    )
    if wanted.status is None:
        rows = [s for s in rows if s.status != "DELETED"]
    tags = app.tags.of_servers(session, [s.id for s in rows]) if wanted.by_tags else {}
    rows = [s for s in rows if wanted.keeps(s, tags.get(s.id, []))]
    ports = None
    if wanted.addresses:  # the addresses of every candidate, to filter on them
        ports = app.networks.addresses(session, [s.id for s in rows])
        rows = [s for s in rows if _matches(wanted.addresses, ports.get(s.id, {}))]
    return rows[:limit], ports


def _list(request: Request, detail: bool) -> Any:
    app = app_of(request)
    version = compute_version(request)
    wanted = parse_filters(request.query_params, version)

    def work(session: Any, caller: Any) -> LongJSON:
        rows, ports = _rows(app, session, caller, wanted, request.query_params)
        base = base_url(request)
        if not detail:
            return LongJSON({"servers": [server_brief(base, s) for s in rows]})
        ids = [s.id for s in rows]
        if ports is None:  # only the page's
            ports = app.networks.addresses(session, ids)
        groups = app.security_groups.groups_of(session, ids)
        tags = app.tags.of_servers(session, ids) if version >= (2, 26) else {}
        flavors = {f.id: f for f in app.catalog.all_flavors(session)} if version >= (2, 47) else {}
        shared = ListContext(base, flavors)
        volumes = app.volumes.attached_by_server(session, ids)
        fragments = DETAILS.fragments(base, rows, ports, shared, groups, version, tags, volumes)
        return LongJSON({"servers": fragments})

    return run(request, work)


def _matches(wanted: list[tuple[int, Any]], ports: dict[str, Any]) -> bool:
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


def show_view(app: Any, request: Request, session: Any, server: Any) -> dict[str, Any]:
    """``{"server": ...}`` as a show answers it at the request's microversion (and, from
    2.75, an update and a rebuild too); 2.71 adds the server's group."""
    ports = app.networks.addresses(session, [server.id]).get(server.id, {})
    version = compute_version(request)
    groups = app.security_groups.groups_of(session, [server.id]).get(server.id, [])
    tags = (
        app.tags.of_servers(session, [server.id]).get(server.id, []) if version >= (2, 26) else []
    )
    flavors = {}
    if version >= (2, 47):  # embedded
        flavors[server.flavor_id] = app.catalog.flavor(session, server.flavor_id)
    shared = ListContext(base_url(request), flavors)
    attached = app.volumes.attached_by_server(session, [server.id]).get(server.id, [])
    view = server_detail(shared.base, server, ports, shared, groups, version, tags, attached)
    if version >= (2, 71):
        view["server_groups"] = [server.server_group_id] if server.server_group_id else []
    return {"server": view}


@router.get("/servers/{server_id}", **declares("Server"))
def show_server(server_id: str, request: Request) -> Any:
    app = app_of(request)
    return run(request, lambda s, c: show_view(app, request, s, own_server(app, s, c, server_id)))


@router.put("/servers/{server_id}", **declares("Server"))
def update_server(server_id: str, request: Request, body: dict[str, Any] = Body(...)) -> Any:
    app = app_of(request)
    data = body.get("server")
    allowed = {"name", "accessIPv4", "accessIPv6"}
    if compute_version(request) >= (2, 19):
        allowed.add("description")
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
            description=data.get("description", UNSET),
        )
        return changed_view(app, request, session, server)

    return update_of(request, server_id, work)


def changed_view(app: Any, request: Request, session: Any, server: Any) -> dict[str, Any]:
    """The server as Nova answers an update or a rebuild: before 2.75 the common fields
    only, and addresses without their extensions; from 2.75 all of a show."""
    view = show_view(app, request, session, server)
    if compute_version(request) >= (2, 75):
        return view
    found = {k: v for k, v in view["server"].items() if k in COMMON}
    found["addresses"] = {
        network: [{"version": a["version"], "addr": a["addr"]} for a in addresses]
        for network, addresses in found["addresses"].items()
    }
    return {"server": found}


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


def _ips(request: Request, server_id: str) -> dict[str, list[dict[str, Any]]]:
    app = app_of(request)

    def work(session: Any, caller: Any) -> Any:
        server = own_server(app, session, caller, server_id)
        return app.networks.addresses(session, [server.id]).get(server.id, {})

    ports = run(request, work)
    return {
        network: [{"version": 6 if ":" in addr else 4, "addr": addr} for addr, _, _ in found]
        for network, found in ports.items()
    }


@router.get("/servers/{server_id}/ips", **declares("Addresses"))
def server_ips(server_id: str, request: Request) -> dict[str, Any]:
    """The server's addresses by network, as Nova lists them."""
    return {"addresses": _ips(request, server_id)}


@router.get("/servers/{server_id}/ips/{network}", **declares("Addresses"))
def server_ips_on(server_id: str, network: str, request: Request) -> dict[str, Any]:
    found = _ips(request, server_id)
    if network not in found:
        raise NotFound("network", network)
    return {network: found[network]}
