"""Use case of maintenance notices: the operator announces a window on a region or a zone;
every customer with servers or stored data there, and each of their partners, gets one
notice in its feed (``/v1/notifications``); anyone signed in reads the schedule."""

from dataclasses import asdict

from sqlalchemy import select
from sqlalchemy.orm import Session

from andromede.audit.actions import AuditAction
from andromede.catalog.service import CatalogService
from andromede.compute.maintenance import Window, notices, window_errors
from andromede.compute.maintenance_store import Maintenance
from andromede.compute.store import Server
from andromede.db import scoped_page
from andromede.kernel.clock import Clock
from andromede.kernel.errors import FieldError, Forbidden, NotFound, ValidationFailed
from andromede.kernel.ids import new_id
from andromede.kernel.tenants import TenantRef
from andromede.storage.volume_service import VolumeService
from andromede.tenancy.scope import Caller, Permission, allowed
from andromede.tenancy.service import TenancyService

__all__ = ["Maintenance", "MaintenanceService", "Window"]


class MaintenanceService:
    def __init__(
        self, clock: Clock, tenancy: TenancyService, catalog: CatalogService, volumes: VolumeService
    ) -> None:
        self.clock = clock
        self.tenancy = tenancy
        self.catalog = catalog
        self.volumes = volumes

    def announce(self, session: Session, caller: Caller, window: Window) -> Maintenance:
        if not allowed(caller.actor, Permission.MANAGE_CATALOG):
            raise Forbidden("only operator administrators announce maintenance")
        region = self.catalog.region(session, window.region)
        window = Window(**{**asdict(window), "region": region.code})
        errors = window_errors(window, self.clock.now())
        zone = self.catalog.find_zone(session, window.zone) if window.zone else None
        if window.zone and (zone is None or zone.region_code != region.code):
            errors.append(FieldError("zone", f"{window.zone} is not a zone of {region.code}"))
        if errors:
            raise ValidationFailed(errors)
        window = Window(**{**asdict(window), "zone": zone.code if zone else None})
        sent = notices(window, self._affected(session, window))
        for partner, customer, message in sent:
            self.tenancy.notify(session, TenantRef(partner, customer), "maintenance", message)
        row = Maintenance(
            id=new_id(),
            region_code=window.region,
            zone_code=window.zone,
            starts_at=window.starts_at,
            ends_at=window.ends_at,
            nature=window.nature,
            impact=window.impact,
            contact=window.contact,
            notified_customers=sum(c is not None for _, c, _ in sent),
            notified_partners=sum(c is None for _, c, _ in sent),
            created_at=self.clock.now(),
            created_by=caller.actor.username,
        )
        session.add(row)
        self.tenancy.audit(
            session, caller, AuditAction.MAINTENANCE_ANNOUNCE, "maintenance", row.id, TenantRef()
        )
        return row

    def _affected(self, session: Session, window: Window) -> set[tuple[str, str]]:
        query = select(Server.partner_id, Server.customer_id).distinct()
        query = query.where(Server.region_code == window.region, Server.deleted_at.is_(None))
        if window.zone:
            query = query.where(Server.zone_code == window.zone)
        servers = {(p, c) for p, c in session.execute(query)}
        return servers | self.volumes.tenants_in(session, window.region, window.zone)

    def list_maintenances(
        self, session: Session, *, limit: int, marker: str | None
    ) -> list[Maintenance]:
        """The schedule of the sites is no tenant's secret: anyone signed in reads it."""
        return scoped_page(session, Maintenance, None, limit=limit, marker=marker)

    def get(self, session: Session, maintenance_id: str) -> Maintenance:
        found = session.get(Maintenance, maintenance_id)
        if found is None:
            raise NotFound("maintenance", maintenance_id)
        return found
