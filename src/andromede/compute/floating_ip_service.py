"""Use cases of floating IPs: a project takes a public address from a region's external
network, forwards it to a port on one of its subnets that a router joins to that network
(Neutron's rule: the address must be reachable), moves it, lets it go. An address is held
(and billed by the hour, as its own SKU) from allocation to release; ``held_between``
gives those times to metering."""

from collections.abc import Collection
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from andromede.audit.actions import AuditAction
from andromede.compute import floating_ip_store, router_store, store
from andromede.compute.field_checks import text
from andromede.compute.firewall_push_store import want_push
from andromede.compute.floating_ip_store import FloatingIp
from andromede.compute.port_service import PortService
from andromede.compute.store import Network, Port
from andromede.compute.virtual_networks import VirtualNetworkService
from andromede.db import flush_unique
from andromede.kernel.clock import Clock
from andromede.kernel.errors import (
    AndromedeError,
    Conflict,
    NotFound,
    QuotaExceeded,
    ValidationFailed,
)
from andromede.kernel.ids import new_id
from andromede.tenancy.resources import ProjectResources, ref_of
from andromede.tenancy.scope import Caller
from andromede.tenancy.service import TenancyService

__all__ = ["MAX_FLOATING_IPS", "FloatingIp", "FloatingIpService"]

MAX_FLOATING_IPS = 50  # per project, Neutron's default quota
HOLDER = "network:floatingip"


class Unreachable(NotFound):
    """Neutron's 404 when no router of the project joins the port's subnet to the
    address's external network."""

    def __init__(self, message: str) -> None:
        AndromedeError.__init__(self, message)
        self.kind, self.ref = "route", ""


class FloatingIpService(ProjectResources):
    def __init__(
        self,
        clock: Clock,
        tenancy: TenancyService,
        vnets: VirtualNetworkService,
        ports: PortService,
    ) -> None:
        super().__init__(clock, tenancy)
        self.vnets = vnets
        self.ports = ports

    def allocate(
        self, session: Session, caller: Caller, project_id: str, fields: dict[str, Any]
    ) -> FloatingIp:
        project = self.project_for_write(session, caller, project_id)
        network_id = str(fields.get("floating_network_id") or "")
        network = self.vnets.get_network(session, caller, network_id)
        if not network.external:
            raise ValidationFailed.one(
                "floating_network_id", f"Network {network.id} is not a valid external network"
            )
        self.vnets.places.check(session, caller, project.id, network.region_code)
        held = floating_ip_store.floating_in_use(session, project.id)
        if held + 1 > MAX_FLOATING_IPS:
            raise QuotaExceeded("floatingip", MAX_FLOATING_IPS, held, 1)
        wanted = fields.get("floating_ip_address")
        fixed = None if wanted is None else [{"ip_address": wanted}]
        holder = self.ports.new_port(session, project, network, fixed)
        if holder.address is None:
            raise Conflict(f"No more IP addresses available on network {network.id}")
        now = self.clock.now()
        floating = FloatingIp(
            id=new_id(),
            network_id=network.id,
            holder_port_id=holder.id,
            address=holder.address,
            region_code=network.region_code,
            description=text("description", fields.get("description")),
            created_at=now,
            updated_at=now,
            partner_id=project.partner_id,
            customer_id=project.customer_id,
            project_id=project.id,
        )
        holder.partner_id = holder.customer_id = holder.project_id = None  # the cloud's
        holder.device_owner, holder.device_id = HOLDER, floating.id
        session.add_all([holder, floating])
        session.flush()
        if fields.get("port_id"):
            self._associate(session, caller, floating, fields)
            _push_to_servers(session, [floating.port_id])
        self._audit(session, caller, AuditAction.FLOATING_IP_CREATE, floating)
        return floating

    def get(
        self, session: Session, caller: Caller, floating_id: str, *, write: bool = False
    ) -> FloatingIp:
        found = self.visible_row(session, caller, FloatingIp, "floating IP", floating_id, write)
        if found.released_at is not None:
            raise NotFound("floating IP", floating_id)
        return found

    def list_held(
        self, session: Session, caller: Caller, project_id: str | None
    ) -> list[FloatingIp]:
        filters = {} if project_id is None else {"project_id": project_id}
        found = self.page(session, caller, FloatingIp, limit=100_000, marker=None, **filters)
        return [f for f in found if f.released_at is None]

    def update(
        self, session: Session, caller: Caller, floating_id: str, fields: dict[str, Any]
    ) -> FloatingIp:
        """``port_id``: a port to forward to (moved from another), or null to stop."""
        floating = self.get(session, caller, floating_id, write=True)
        if "description" in fields:
            floating.description = text("description", fields["description"])
        if "port_id" in fields:
            before = floating.port_id
            if fields["port_id"]:
                self._associate(session, caller, floating, fields)
            else:
                floating.port_id = floating.fixed_ip_address = floating.router_id = None
            _push_to_servers(session, [before, floating.port_id])
        floating.updated_at = self.clock.now()
        self._audit(session, caller, AuditAction.FLOATING_IP_UPDATE, floating)
        return floating

    def _associate(
        self, session: Session, caller: Caller, floating: FloatingIp, fields: dict[str, Any]
    ) -> None:
        port = self.ports.get_port(session, caller, str(fields["port_id"]), write=True)
        if port.project_id != floating.project_id:
            raise NotFound("port", port.id)
        fixed = fields.get("fixed_ip_address")
        if port.address is None or (fixed is not None and fixed != port.address):
            raise ValidationFailed.one(
                "fixed_ip_address", f"Port {port.id} does not have fixed ip {fixed or ''}".strip()
            )
        router = self._router_to(session, floating, port)
        floating.port_id, floating.fixed_ip_address = port.id, port.address
        floating.router_id = router
        flush_unique(
            session,
            f"Cannot associate floating IP {floating.address} ({floating.id}) with port "
            f"{port.id} using fixed IP {port.address}, as that fixed IP already has a "
            f"floating IP on external network {floating.network_id}.",
        )

    def _router_to(self, session: Session, floating: FloatingIp, port: Port) -> str | None:
        """The router that carries the address to the port; None on the network the cloud
        made for the project, which the cloud itself links to its region's uplink (as a
        server there gets no public address of its own, a floating IP is how it is reached)."""
        if port.network_id == floating.network_id:
            raise ValidationFailed.one("port_id", f"Port {port.id} is on the external network")
        if _uplinked(session, port, floating):
            return None
        router = router_store.routing(
            session, floating.project_id, floating.network_id, port.subnet_id or ""
        )
        if router is None:
            raise Unreachable(
                f"External network {floating.network_id} is not reachable from subnet "
                f"{port.subnet_id}. Therefore, cannot associate Port {port.id} with a "
                "Floating IP."
            )
        return router.id

    def release(self, session: Session, caller: Caller, floating_id: str) -> None:
        """The address goes back to the region; its row stays for the hours billed."""
        floating = self.get(session, caller, floating_id, write=True)
        holder = session.get(Port, floating.holder_port_id or "")
        if holder is not None:
            session.delete(holder)
        _push_to_servers(session, [floating.port_id])
        floating.port_id = floating.fixed_ip_address = floating.router_id = None
        floating.holder_port_id = None
        floating.released_at = floating.updated_at = self.clock.now()
        self._audit(session, caller, AuditAction.FLOATING_IP_DELETE, floating)

    def customer_addresses(self, session: Session, customer_id: str) -> list[dict[str, Any]]:
        """Every address the customer held, released ones included (its export)."""
        return [
            {
                "id": f.id,
                "project_id": f.project_id,
                "address": f.address,
                "region": f.region_code,
                "port_id": f.port_id,
                "allocated_at": f.created_at.isoformat(),
                "released_at": f.released_at.isoformat() if f.released_at else None,
            }
            for f in floating_ip_store.of_customer(session, customer_id)
        ]

    def erase_customer(self, session: Session, customer_id: str) -> list[str]:
        """Offboarding: the customer's addresses go back to the regions (rows kept, their
        hours billed)."""
        now = self.clock.now()
        held = [
            f for f in floating_ip_store.of_customer(session, customer_id) if f.released_at is None
        ]
        for floating in held:
            holder = session.get(Port, floating.holder_port_id or "")
            if holder is not None:
                session.delete(holder)
            floating.port_id = floating.fixed_ip_address = floating.router_id = None
            floating.holder_port_id = None
            floating.released_at = floating.updated_at = now
        return sorted(f.id for f in held)

    def held_between(
        self,
        session: Session,
        start: datetime,
        end: datetime,
        customer_id: str | None = None,
        partners: Collection[str] | None = None,
    ) -> list[FloatingIp]:
        return floating_ip_store.held_between(session, start, end, customer_id, partners)

    def _audit(
        self, session: Session, caller: Caller, action: AuditAction, row: FloatingIp
    ) -> None:
        self.tenancy.audit(session, caller, action, "floatingip", row.id, ref_of(row))


def _push_to_servers(session: Session, port_ids: list[str | None]) -> None:
    """The servers of these ports get their floating IPs again (the hypervisor's copy)."""
    wanted = [p for p in port_ids if p]
    if wanted:
        want_push(session, store.servers_of_ports(session, wanted))


def _uplinked(session: Session, port: Port, floating: FloatingIp) -> bool:
    """The port is on the project's own network that the cloud made, in the floating
    address's region."""
    network, external = (
        session.get(Network, port.network_id),
        session.get(Network, floating.network_id),
    )
    return (
        network is not None
        and external is not None
        and port.project_id is not None
        and network.key == store.network_key(port.project_id, network.region_code)
        and external.region_code == network.region_code
    )
