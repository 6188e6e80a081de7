"""The operator's regions, zones and hosts (a host taken out for maintenance and put back),
flavors and images: read-mostly, on the catalog and host services."""

from collections.abc import Mapping
from typing import Any

from fastapi import Form, Request
from fastapi.responses import Response
from sqlalchemy.orm import Session

from andromede.api.context import app_of
from andromede.audit.actions import AuditAction
from andromede.console.areas import staff_only
from andromede.console.forms import submit
from andromede.console.web import area_router, go, page
from andromede.tenancy.scope import Caller

router = area_router()

MOST = 10_000


def _infrastructure(app: Any, session: Session, caller: Caller) -> Mapping[str, Any]:
    staff_only(caller)
    return {
        "regions": app.catalog.all_regions(session),
        "zones": app.catalog.all_zones(session),
        "hosts": app.hosts.list_hosts(session, caller, limit=MOST, marker=None),
        "flavors": app.catalog.all_flavors(session),
        "images": app.catalog.all_images(session),
    }


@router.get("/operator/infrastructure")
def infrastructure(request: Request) -> Response:
    app = app_of(request)
    return page(request, "operator_infrastructure.html", lambda s, c: _infrastructure(app, s, c))


@router.post("/operator/hosts/{host_id}")
def host_maintenance(
    request: Request, host_id: str, csrf: str = Form(""), maintenance: str = Form("")
) -> Response:
    """``maintenance`` on: no new server lands on the host; off: it takes servers again."""
    app = app_of(request)
    return submit(
        request,
        csrf,
        lambda s, c: app.hosts.update_host(s, c, host_id, {"maintenance": maintenance == "on"}),
        lambda _: go("/operator/infrastructure"),
        action=AuditAction.HOST_UPDATE,
        target_id=host_id,
    )
