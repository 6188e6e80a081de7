"""Drives observed server state toward the desired state through the region's driver.

Each step is two short transactions with the driver call between them, never inside one:
a hypervisor that answers slowly (the OpenStack driver retries for seconds) must not hold
the database's writer lock (SQLite) or a row lock (PostgreSQL) while it does.

1. Lock the server (rows another worker is reading are skipped), read what the step needs
   into a plain ``Intent``, commit.
2. Call the driver, outside any transaction.
3. Lock the server again and record what the driver reported, only if the server is still
   in the state the intent was read from; otherwise a user acted meanwhile and the next
   pass starts over from the new state.

Driver verbs are idempotent and keyed by server id, so a crash between 2 and 3, or two
workers reading the same server, repeats a call, never the VM.
"""

import logging
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy.orm import Session

from andromede.audit import service as audit
from andromede.audit.actions import AuditAction
from andromede.catalog.image_bytes import TooLarge
from andromede.catalog.image_service import ImageService
from andromede.catalog.service import CatalogService
from andromede.compute import (
    firewall_push_store,
    floating_ip_store,
    host_store,
    nic_store,
    security_group_store,
    store,
    usage_store,
)
from andromede.compute.drivers.base import (
    Driver,
    DriverError,
    DriverUnavailable,
    OwnImage,
    VmSpec,
)
from andromede.compute.firewall_push_store import Push
from andromede.compute.lifecycle import DriverState, Status, Step, next_step
from andromede.compute.store import Server
from andromede.db import UnitOfWork
from andromede.kernel.clock import Clock
from andromede.kernel.tenants import TenantRef

__all__ = ["Intent", "Reconciler"]

log = logging.getLogger(__name__)

ACTOR = "system:reconciler"
SETTLED = ("ACTIVE", "SHUTOFF")  # a VM exists and holds still


@dataclass(frozen=True)
class Intent:
    """What transaction 1 read: enough to call the driver, and the state transaction 2
    checks is unchanged before it records anything."""

    server_id: str
    region_code: str
    step: Step
    status: Status
    desired: Status
    hard_reboot: bool
    spec: VmSpec | None  # what to build, for a create or a rebuild


@dataclass(frozen=True)
class Outcome:
    status: Status
    fault: str | None = None


@dataclass
class Reconciler:
    uow: UnitOfWork
    clock: Clock
    driver_for: Callable[[str], Driver]
    catalog: CatalogService
    images: ImageService | None = None
    batch: int = 200

    def run_once(self) -> int:
        """One pass over pending servers, then over firewalls to send again and snapshots
        waiting for their bytes; returns how many servers changed state, firewalls were
        sent and snapshots ended."""
        with self.uow(readonly=True) as session:
            ids = store.pending_server_ids(session, self.batch)
            # nothing to build: the rest is read in the same transaction (a pass follows
            # each create under load, and the one after it mostly finds nothing)
            later = None if ids else self._waiting(session)
        changed = sum(self.reconcile(server_id) for server_id in ids)
        if later is None:  # read once the servers are reconciled: their states as now
            with self.uow(readonly=True) as session:
                later = self._waiting(session)
        pushes, snapshots = later
        return changed + self.push_firewalls(pushes) + self.save_snapshots(snapshots)

    def _waiting(self, session: Session) -> tuple[list[Push], list[tuple[str, str, str]]]:
        """The firewalls to send again and the snapshots waiting for their bytes."""
        snapshots = self.images.pending_snapshots(session, self.batch) if self.images else []
        return firewall_push_store.pending(session, self.batch), snapshots

    def push_firewalls(self, waiting: list[Push]) -> int:
        """Each changed firewall, with the server's floating IPs and flavor, sent to the
        hypervisor of a settled server, outside any transaction. A server being built or
        rebuilt gets them with its spec (its push waits for it to settle); a deleted or
        failed one has no VM to give them to."""
        done = 0
        for server_id, serial, region, status, desired, flavor_id in waiting:
            if status != desired and status not in ("DELETED", "ERROR"):
                continue  # being built, stopped, started, ...: later
            if status in SETTLED:
                with self.uow(readonly=True) as session:
                    firewall = security_group_store.firewall_of(session, server_id)
                    public = nic_store.public_addresses_of(session, server_id)
                    flavor = self.catalog.flavor_spec(session, flavor_id)
                driver = self.driver_for(region)
                try:
                    driver.set_firewall(server_id, firewall)
                    driver.set_public_addresses(server_id, public)
                    driver.set_flavor(server_id, flavor.name if flavor else "")
                except DriverUnavailable:
                    continue
                except DriverError as refused:  # the VM is gone (its next build takes the
                    # groups it has then), or the region refused: said, not retried forever
                    log.warning("server %s: push refused: %s", server_id, refused)
            with self.uow() as session:
                firewall_push_store.crossed_off(session, server_id, serial)
            done += 1
        return done

    def save_snapshots(self, pending: list[tuple[str, str, str]]) -> int:
        """The region's driver reads each waiting snapshot's disk, outside any
        transaction, into the image store; then the image is active, or killed when the
        region failed. A region out of reach is tried again on a later pass."""
        return sum(self._save(*each) for each in pending)

    def _save(self, image_id: str, region: str, server_id: str) -> int:
        assert self.images is not None
        sink = self.images.bytes.upload(region, image_id, self.images.quota_bytes)
        stored = None
        try:
            for chunk in self.driver_for(region).snapshot(server_id, image_id):
                sink.add(chunk)
            stored = sink.finish()
        except DriverUnavailable:
            sink.abort()
            return 0
        except (DriverError, TooLarge):
            sink.abort()  # TooLarge has closed it already: aborting twice is harmless
        with self.uow() as session:
            kept = self.images.finish_snapshot(session, image_id, stored)
        if stored is not None and not kept:
            self.images.drop_bytes((region, image_id))
        return 1

    def reconcile(self, server_id: str) -> int:
        with self.uow() as session:
            intent = self.read(session, server_id)
        if intent is None:
            return 0
        outcome = self.perform(intent)
        if outcome is None or outcome.status is intent.status:
            return 0
        with self.uow() as session:
            return self.record(session, intent, outcome)

    def read(self, session: Session, server_id: str) -> Intent | None:
        server = store.lock_server(session, server_id)
        if server is None:
            return None
        status, desired = Status(server.status), Status(server.desired)
        step = next_step(status, desired)
        if step is Step.NONE or (status is Status.ERROR and desired is not Status.DELETED):
            return None
        return Intent(
            server.id,
            server.region_code,
            step,
            status,
            desired,
            server.reboot_type == "HARD",
            self._spec(session, server) if step in (Step.CREATE, Step.REBUILD) else None,
        )

    def _spec(self, session: Session, server: Server) -> VmSpec:
        flavor = self.catalog.flavor_spec(session, server.flavor_id)
        image = self.catalog.image_record(session, server.image_id)
        own = None
        if image is not None and image.owner_project_id is not None:
            own = OwnImage(
                image.id, image.region_code or "", image.disk_format, image.container_format
            )
        nics, public = nic_store.links_of(session, server.id)
        return VmSpec(
            server.id,
            server.name,
            server.host_id or "",
            server.vcpus,
            server.ram_mib,
            server.disk_gib,
            server.image_id,
            flavor=flavor.name if flavor else "",
            image=image.name if image is not None else "",
            user_data=server.user_data or "",
            firewall=security_group_store.firewall_of(session, server.id),
            generation=server.generation,
            own_image=own,
            nics=nics,
            public_addresses=public,
        )

    def perform(self, intent: Intent) -> Outcome | None:
        """The driver call; None when the hypervisor cannot be reached (a later pass
        retries, nothing is recorded)."""
        driver = self.driver_for(intent.region_code)
        try:
            return _call(driver, intent)
        except DriverError as exc:
            return Outcome(Status.ERROR, str(exc))
        except DriverUnavailable:
            return None

    def record(self, session: Session, intent: Intent, outcome: Outcome) -> int:
        server = store.lock_server(session, intent.server_id)
        if server is None or (Status(server.status), Status(server.desired)) != (
            intent.status,
            intent.desired,
        ):
            return 0
        if outcome.status is Status.DELETED:
            floating_ip_store.unbind_server(session, server.id)
            store.release_ports(session, server.id)
            security_group_store.unlink(session, server.id)
            storage = server.disk_gib + (server.root_volume_gib or 0)
            usage_store.add(
                session, server.project_id, (-1, -server.vcpus, -server.ram_mib, -storage)
            )
            if server.host_id:
                host_store.release(
                    session, server.host_id, server.vcpus, server.ram_mib, server.disk_gib
                )
        self._transition(session, server, outcome)
        return 1

    def _transition(self, session: Session, server: Server, outcome: Outcome) -> None:
        now = self.clock.now()
        before = server.status
        server.status = outcome.status.value
        server.fault = outcome.fault
        server.updated_at = now
        server.reboot_type = None
        if outcome.status is Status.DELETED:
            server.deleted_at = now
        store.record_event(session, server, before, now)
        audit.record(
            session,
            at=now,
            actor=ACTOR,
            actor_id=None,
            action=AuditAction(f"server.observed.{outcome.status.value}"),
            target_type="server",
            target_id=server.id,
            ref=TenantRef(server.partner_id, server.customer_id, server.project_id),
            outcome="success" if outcome.status is not Status.ERROR else f"error: {outcome.fault}",
            realm="system",
        )


def _call(driver: Driver, intent: Intent) -> Outcome:
    server_id = intent.server_id
    if intent.spec is not None:
        building = intent.step is Step.REBUILD
        (driver.rebuild if building else driver.create)(intent.spec)
        state = driver.get_state(server_id)
        if state.state is DriverState.ERROR:
            return Outcome(Status.ERROR, state.fault or "build failed")
        if state.state is DriverState.RUNNING:
            return Outcome(Status.ACTIVE)  # a stopped server rebuilt is stopped next pass
        return Outcome(Status.REBUILD if building else Status.BUILD)
    if intent.step is Step.START:
        driver.start(server_id)
        return Outcome(Status.ACTIVE)
    if intent.step is Step.STOP:
        driver.stop(server_id)
        return Outcome(Status.SHUTOFF)
    if intent.step is Step.REBOOT:
        driver.reboot(server_id, hard=intent.hard_reboot)
        return Outcome(Status.ACTIVE)
    driver.delete(server_id)
    if driver.get_state(server_id).state is not DriverState.ABSENT:
        return Outcome(intent.status)  # a remote cloud deletes in its own time: next pass
    # gone, maybe between the two calls: once more, for what the driver tidies only once
    # the VM is gone (a remote cloud keeps the ports it was given)
    driver.delete(server_id)
    return Outcome(Status.DELETED)
