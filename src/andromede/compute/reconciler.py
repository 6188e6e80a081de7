"""Drives observed server state toward the desired state through the region's driver.

Each server is handled in its own transaction, under a row lock that other workers skip
(PostgreSQL), so several workers share the work. Driver verbs are idempotent and keyed by
server id: a crash between the driver call and the commit repeats the call, not the VM.
"""

from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy.orm import Session

from andromede.audit import service as audit
from andromede.catalog import store as catalog_store
from andromede.compute import store
from andromede.compute.drivers.base import Driver, DriverError, DriverUnavailable, VmSpec
from andromede.compute.lifecycle import DriverState, Status, Step, next_step
from andromede.compute.store import Server
from andromede.db import UnitOfWork
from andromede.kernel.clock import Clock
from andromede.kernel.tenants import TenantRef

__all__ = ["Reconciler"]

ACTOR = "system:reconciler"


@dataclass
class Reconciler:
    uow: UnitOfWork
    clock: Clock
    driver_for: Callable[[str], Driver]
    batch: int = 200

    def run_once(self) -> int:
        """One pass over pending servers; returns how many changed state."""
        with self.uow(readonly=True) as session:
            ids = store.pending_server_ids(session, self.batch)
        changed = 0
        for server_id in ids:
            with self.uow() as session:
                changed += self.reconcile(session, server_id)
        return changed

    def reconcile(self, session: Session, server_id: str) -> int:
        server = store.lock_server(session, server_id)
        if server is None:
            return 0
        status, desired = Status(server.status), Status(server.desired)
        step = next_step(status, desired)
        if step is Step.NONE or (status is Status.ERROR and desired is not Status.DELETED):
            return 0
        driver = self.driver_for(server.region_code)
        try:
            new_status, fault = self._perform(session, driver, server, step)
        except DriverError as exc:
            new_status, fault = Status.ERROR, str(exc)
        except DriverUnavailable:
            return 0  # unreachable for now: nothing changed, a later pass retries
        if new_status is status:
            return 0
        self._transition(session, server, new_status, fault)
        return 1

    def _perform(
        self, session: Session, driver: Driver, server: Server, step: Step
    ) -> tuple[Status, str | None]:
        if step is Step.CREATE:
            driver.create(
                VmSpec(
                    server.id,
                    server.name,
                    server.host_id or "",
                    server.vcpus,
                    server.ram_mib,
                    server.disk_gib,
                    server.image_id,
                    flavor=catalog_store.name_of(session, catalog_store.Flavor, server.flavor_id),
                    image=catalog_store.name_of(session, catalog_store.Image, server.image_id),
                )
            )
            state = driver.get_state(server.id)
            if state.state is DriverState.ERROR:
                return Status.ERROR, state.fault or "build failed"
            if state.state is DriverState.RUNNING:
                return Status.ACTIVE, None
            return Status.BUILD, None
        if step is Step.START:
            driver.start(server.id)
            return Status.ACTIVE, None
        if step is Step.STOP:
            driver.stop(server.id)
            return Status.SHUTOFF, None
        if step is Step.REBOOT:
            driver.reboot(server.id, hard=server.reboot_type == "HARD")
            return Status.ACTIVE, None
        driver.delete(server.id)
        store.release_ports(session, server.id)
        if server.host_id:
            catalog_store.release(
                session, server.host_id, server.vcpus, server.ram_mib, server.disk_gib
            )
        return Status.DELETED, None

    def _transition(self, session: Session, server: Server, new: Status, fault: str | None) -> None:
        now = self.clock.now()
        before = server.status
        server.status = new.value
        server.fault = fault
        server.updated_at = now
        server.reboot_type = None
        if new is Status.DELETED:
            server.deleted_at = now
        store.record_event(session, server, before, now)
        audit.record(
            session,
            at=now,
            actor=ACTOR,
            actor_id=None,
            action=f"server.observed.{new.value}",
            target_type="server",
            target_id=server.id,
            ref=TenantRef(server.partner_id, server.customer_id, server.project_id),
            outcome="success" if new is not Status.ERROR else f"error: {fault}",
        )
