"""/v1 maintenance windows: the operator announces one on a region or a zone; each
customer with resources there and each of their partners is notified once."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from fastapi import Request
from pydantic import Field

from andromede.api.resource_routes import create, listing, one
from andromede.api.v1.responses import MaintenanceOut, Page, answers
from andromede.api.v1.router import v1_router
from andromede.api.v1.schemas import Body, Instant, Limit
from andromede.audit.actions import AuditAction
from andromede.compute.maintenance import Window

if TYPE_CHECKING:
    from andromede.compute.maintenance_store import Maintenance

router = v1_router(tags=["maintenance"])


class MaintenanceBody(Body):
    region: str = Field(max_length=100)
    zone: str | None = Field(None, max_length=100)
    starts_at: Instant
    ends_at: Instant
    nature: str = Field(max_length=2000)
    impact: str = Field(max_length=100)
    contact: str = Field(max_length=2000)


def maintenance_view(m: Maintenance) -> dict[str, Any]:
    return {
        "id": m.id,
        "region": m.region_code,
        "zone": m.zone_code,
        "starts_at": m.starts_at.isoformat(),
        "ends_at": m.ends_at.isoformat(),
        "nature": m.nature,
        "impact": m.impact,
        "contact": m.contact,
        "notified_customers": m.notified_customers,
        "notified_partners": m.notified_partners,
        "created_at": m.created_at.isoformat(),
    }


@router.post("/maintenances", status_code=201, **answers(MaintenanceOut))
def announce(body: MaintenanceBody, request: Request) -> Any:
    """Announce a window (operator admin): the affected customers and their partners hear
    of it in ``/v1/notifications``, once each."""
    window = Window(**body.model_dump())
    return create(
        request,
        lambda a, s, c: a.maintenances.announce(s, c, window),
        maintenance_view,
        AuditAction.MAINTENANCE_ANNOUNCE,
    )


@router.get("/maintenances", **answers(Page[MaintenanceOut]))
def list_maintenances(request: Request, limit: int = Limit, marker: str | None = None) -> Any:
    return listing(
        request,
        lambda a, s, c: a.maintenances.list_maintenances(s, limit=limit, marker=marker),
        maintenance_view,
        limit,
    )


@router.get("/maintenances/{maintenance_id}", **answers(MaintenanceOut))
def get_maintenance(maintenance_id: str, request: Request) -> Any:
    return one(request, lambda a, s, c: a.maintenances.get(s, maintenance_id), maintenance_view)
