"""Customers' servers: the table users know from Horizon and Skyline, the create form
limited to what the residency policy allows, the actions, a detail page whose status
follows the server live."""

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from fastapi import Form, Request
from fastapi.responses import JSONResponse, Response
from sqlalchemy.orm import Session

from andromede.api.context import app_of
from andromede.audit.actions import AuditAction
from andromede.bootstrap import App
from andromede.catalog.pricing import compute_sku
from andromede.compute.server_service import Server, ServerRequest
from andromede.console.forms import submit
from andromede.console.web import act, area_router, formats, go, page
from andromede.kernel.tenants import TenantRef
from andromede.tenancy.scope import Caller

router = area_router()

PAGE = 25
MOST = 1000  # choices in a form: projects, key pairs
SORTS = ("created", "name", "status", "flavor")


def settled(server: Server) -> bool:
    """Nothing more will happen without a new action: the page stops following it."""
    return server.status in ("ERROR", server.desired)


def _names(app: App, session: Session, caller: Caller) -> dict[str, dict[str, str]]:
    return {
        "flavors": {f.id: f.name for f in app.catalog.all_flavors(session)},
        "images": {i.id: i.name for i in app.catalog.all_images(session)},
        "projects": {
            p.id: p.name
            for p in app.tenancy.list_projects(session, caller, limit=MOST, marker=None)
        },
    }


def _addresses(app: App, session: Session, servers: list[Server]) -> dict[str, list[str]]:
    found = app.networks.addresses(session, [s.id for s in servers])
    return {
        server_id: [address for ports in nets.values() for address, *_ in ports]
        for server_id, nets in found.items()
    }


@router.get("/servers")
def servers(
    request: Request,
    name: str = "",
    status: str = "",
    project: str = "",
    sort: str = "created",
    page_no: int = 1,
) -> Response:
    app = app_of(request)
    order = sort if sort in SORTS else "created"

    def fetch(session: Session, caller: Caller) -> Mapping[str, Any]:
        number = max(page_no, 1)
        shown, count = app.servers.browse(
            session,
            caller,
            sort=order,
            offset=(number - 1) * PAGE,
            limit=PAGE,
            project_id=project or None,
            status=status or None,
            name=name or None,
        )
        return {
            "servers": shown,
            "names": _names(app, session, caller),
            "addresses": _addresses(app, session, shown),
            "count": count,
            "page_no": number,
            "pages": max(1, -(-count // PAGE)),
            "filters": {"name": name, "status": status, "project": project, "sort": order},
        }

    return page(request, "servers.html", fetch)


def _offers(app: App, session: Session, caller: Caller) -> Mapping[str, Any]:
    """What the create form offers: the caller's projects, flavors by family with their
    price per hour to this customer, images, places the policy allows, key pairs."""
    names = _names(app, session, caller)
    projects = app.tenancy.list_projects(session, caller, limit=MOST, marker=None)
    book = app.prices.price_book(session)
    now = app.clock.now()
    places: dict[str, list[str]] = {}
    owner = projects[0] if projects else None
    if owner is not None:
        ref = TenantRef(owner.partner_id, owner.customer_id, owner.id)
        for place in app.sovereignty.allowed_places(session, ref):
            places.setdefault(place.region, []).append(place.zone)
    region = next(iter(places), "")
    families: dict[str, list[tuple[Any, Decimal | None]]] = {}
    for flavor in sorted(app.catalog.all_flavors(session), key=lambda f: (f.vcpus, f.ram_mib)):
        price = None
        if owner is not None and region:
            sku = compute_sku(flavor.name, region)
            try:
                price = book.resale_price(sku, owner.partner_id, owner.customer_id, now)
            except KeyError:  # no list price for this flavor there: shown without one
                price = None
        families.setdefault(flavor.family, []).append((flavor, price))
    return {
        "projects": projects,
        "families": families,
        "images": app.catalog.all_images(session),
        "places": places,
        "keypairs": app.keypairs.list_keypairs(session, caller, limit=MOST, marker=None),
        "groups": app.keypairs.list_groups(session, caller, limit=MOST, marker=None),
        "names": names,
    }


@router.get("/servers/new")
def new_server(request: Request) -> Response:
    app = app_of(request)
    return page(request, "server_new.html", lambda s, c: {**_offers(app, s, c), "values": {}})


@router.post("/servers")
def create_server(
    request: Request,
    csrf: str = Form(""),
    project_id: str = Form(""),
    name: str = Form(""),
    flavor: str = Form(""),
    image: str = Form(""),
    place: str = Form(""),
    key_name: str = Form(""),
    server_group: str = Form(""),
) -> Response:
    app = app_of(request)
    region, _, zone = place.partition("/")
    req = ServerRequest(
        project_id=project_id,
        name=name,
        flavor=flavor,
        image=image,
        region=region,
        zone=zone or None,
        key_name=key_name or None,
        server_group=server_group or None,
    )
    return submit(
        request,
        csrf,
        lambda s, c: app.servers.create_server(s, c, req).id,
        lambda server_id: go(f"/servers/{server_id}"),
        action=AuditAction.SERVER_CREATE,
        again=("server_new.html", lambda s, c: _offers(app, s, c)),
        values=dict(project_id=project_id, name=name, flavor=flavor, image=image, place=place),
    )


@router.get("/servers/{server_id}")
def server_detail(request: Request, server_id: str) -> Response:
    app = app_of(request)

    def fetch(session: Session, caller: Caller) -> Mapping[str, Any]:
        server = app.servers.get_server(session, caller, server_id)
        return {
            "server": server,
            "events": app.servers.events(session, caller, server_id),
            "names": _names(app, session, caller),
            "addresses": _addresses(app, session, [server]),
            "flavors": app.catalog.all_flavors(session),
            "steady": settled(server),
        }

    return page(request, "server.html", fetch)


@router.get("/servers/{server_id}/status")
def server_status(request: Request, server_id: str) -> JSONResponse:
    """What the detail page polls until the server settles."""
    app = app_of(request)
    label = formats(request).gettext

    def fetch(session: Session, caller: Caller) -> dict[str, Any]:
        server = app.servers.get_server(session, caller, server_id)
        status = server.status
        return {"status": status, "steady": settled(server), "label": label(status)}

    return JSONResponse(act(request, fetch), headers={"cache-control": "no-store"})


@router.post("/servers/{server_id}/action")
def server_action(
    request: Request,
    server_id: str,
    csrf: str = Form(""),
    action: str = Form(""),
    flavor: str = Form(""),
) -> Response:
    app = app_of(request)

    def change(session: Session, caller: Caller) -> Server:
        if action == "resize":
            return app.servers.resize(session, caller, server_id, flavor)
        return app.servers.act(session, caller, server_id, action)

    audited = AuditAction.named(f"server.{action}") or AuditAction.SERVER_ACTION
    after = "/servers" if action == "delete" else f"/servers/{server_id}"
    return submit(request, csrf, change, lambda _: go(after), action=audited, target_id=server_id)


@router.get("/servers/{server_id}/delete")
def confirm_delete(request: Request, server_id: str) -> Response:
    """Deleting asks first, on a page of its own: it works without JavaScript."""
    app = app_of(request)
    return page(
        request,
        "server_delete.html",
        lambda s, c: {"server": app.servers.get_server(s, c, server_id)},
    )
