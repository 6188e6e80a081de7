"""Use cases of the hosts: the operator declares them, disables them or puts them in
maintenance; operator staff read them with their usage. Claims change their usage."""

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.orm import Session

from andromede.audit.actions import AuditAction
from andromede.catalog.service import CatalogService
from andromede.compute import host_store
from andromede.compute.host_store import Host
from andromede.db import insert_unique, scoped_page
from andromede.kernel.bounds import positive
from andromede.kernel.clock import Clock
from andromede.kernel.errors import FieldError, NotFound, ValidationFailed
from andromede.kernel.ids import new_id
from andromede.tenancy.scope import Caller, Permission, allowed

__all__ = ["Host", "HostInput", "HostService"]


@dataclass(frozen=True)
class HostInput:
    name: str
    zone: str
    vcpus: int
    ram_mib: int
    disk_gib: int
    cpu_ratio: float = 4.0
    ram_ratio: float = 1.0
    disk_ratio: float = 1.0
    traits: list[str] = field(default_factory=list)


class HostService:
    def __init__(self, clock: Clock, catalog: CatalogService) -> None:
        self.clock = clock
        self.catalog = catalog

    def create_host(self, session: Session, caller: Caller, data: HostInput) -> Host:
        errors: list[FieldError] = []
        positive(
            errors,
            vcpus=data.vcpus,
            ram_mib=data.ram_mib,
            disk_gib=data.disk_gib,
            cpu_ratio=data.cpu_ratio,
            ram_ratio=data.ram_ratio,
            disk_ratio=data.disk_ratio,
        )
        if errors:
            raise ValidationFailed(errors)
        zone = self.catalog.zone(session, data.zone)
        host = Host(
            id=new_id(),
            name=data.name,
            region_code=zone.region_code,
            zone_code=zone.code,
            vcpus=data.vcpus,
            ram_mib=data.ram_mib,
            disk_gib=data.disk_gib,
            cpu_ratio=data.cpu_ratio,
            ram_ratio=data.ram_ratio,
            disk_ratio=data.disk_ratio,
            traits=sorted(set(data.traits)),
            enabled=True,
            maintenance=False,
            used_vcpus=0,
            used_ram_mib=0,
            used_disk_gib=0,
            instances=0,
            created_at=self.clock.now(),
        )
        self.catalog.manage(session, caller, AuditAction.HOST_CREATE, "host", host.id)
        insert_unique(session, host, "a host with this name exists")
        return host

    def host(self, session: Session, caller: Caller, ref: str) -> Host:
        if not allowed(caller.actor, Permission.READ_HOSTS):
            raise NotFound("host", ref)
        found = host_store.host_by_ref(session, ref)
        if found is None:
            raise NotFound("host", ref)
        return found

    def list_hosts(
        self,
        session: Session,
        caller: Caller,
        *,
        limit: int,
        marker: str | None,
        region: str | None = None,
        zone: str | None = None,
    ) -> list[Host]:
        if not allowed(caller.actor, Permission.READ_HOSTS):
            return []
        return scoped_page(
            session,
            Host,
            None,
            limit=limit,
            marker=marker,
            filters={"region_code": region, "zone_code": zone},
        )

    def update_host(
        self, session: Session, caller: Caller, ref: str, changes: dict[str, Any]
    ) -> Host:
        host = self.host(session, caller, ref)
        for flag in ("enabled", "maintenance"):
            if flag in changes:
                if not isinstance(changes[flag], bool):
                    raise ValidationFailed.one(flag, "must be true or false")
                setattr(host, flag, changes[flag])
        self.catalog.manage(session, caller, AuditAction.HOST_UPDATE, "host", host.id)
        return host
