"""Use cases of ports as Neutron offers them: a customer makes a port on a network it sees
(its own or a shared one), with the address it asks for or the next free one, and with
security groups; changes its name, state and groups; deletes it. Ports that belong to a
server or a router are shown here too, and are removed through their owner."""

from typing import Any

from sqlalchemy.orm import Session

from andromede.audit.actions import AuditAction
from andromede.compute import floating_ip_store, store
from andromede.compute.field_checks import flag, text
from andromede.compute.network_service import NetworkService, random_mac
from andromede.compute.security_group_service import SecurityGroupService
from andromede.compute.store import Network, Port
from andromede.compute.virtual_networks import VirtualNetworkService
from andromede.kernel.clock import Clock
from andromede.kernel.errors import Conflict, QuotaExceeded, ValidationFailed
from andromede.kernel.ids import new_id
from andromede.tenancy.resources import ProjectResources, ref_of
from andromede.tenancy.scope import Caller
from andromede.tenancy.service import Project, TenancyService

__all__ = ["MAX_PORTS", "PortService"]

MAX_PORTS = 500  # per project, Neutron's default quota


def _fixed_ip(value: object) -> tuple[str | None, str | None]:
    """(subnet, address) of the one fixed IP asked for: a port here has one address."""
    if value is None or value == []:
        return None, None
    if not isinstance(value, list) or len(value) != 1 or not isinstance(value[0], dict):
        raise ValidationFailed.one("fixed_ips", "one fixed IP per port: [{subnet_id, ip_address}]")
    wanted = value[0]
    if set(wanted) - {"subnet_id", "ip_address"}:
        raise ValidationFailed.one("fixed_ips", "a fixed IP names a subnet_id and an ip_address")
    subnet, address = wanted.get("subnet_id"), wanted.get("ip_address")
    for field, given in (("subnet_id", subnet), ("ip_address", address)):
        if given is not None and not isinstance(given, str):
            raise ValidationFailed.one("fixed_ips", f"{field} must be a string")
    return subnet, address


class PortService(ProjectResources):
    def __init__(
        self,
        clock: Clock,
        tenancy: TenancyService,
        networks: NetworkService,
        vnets: VirtualNetworkService,
        groups: SecurityGroupService,
    ) -> None:
        super().__init__(clock, tenancy)
        self.networks = networks
        self.vnets = vnets
        self.groups = groups

    def create_port(
        self, session: Session, caller: Caller, project_id: str, fields: dict[str, Any]
    ) -> Port:
        for owned in ("device_id", "device_owner", "binding:host_id"):
            if fields.get(owned):
                raise ValidationFailed.one(owned, "set by the cloud when a server or router binds")
        project = self.project_for_write(session, caller, project_id)
        network = self.vnets.get_network(session, caller, str(fields.get("network_id") or ""))
        used = store.count_in_project(session, Port, project.id)
        if used + 1 > MAX_PORTS:
            raise QuotaExceeded("port", MAX_PORTS, used, 1)
        port = self.new_port(session, project, network, fields.get("fixed_ips"))
        port.name = text("name", fields.get("name"))
        port.description = text("description", fields.get("description"))
        port.admin_state_up = flag("admin_state_up", fields.get("admin_state_up", True))
        session.add(port)
        session.flush()
        self._set_groups(session, project, port, fields.get("security_groups"))
        self._audit(session, caller, AuditAction.PORT_CREATE, port)
        return port

    def new_port(
        self, session: Session, project: Project, network: Network, fixed_ips: object = None
    ) -> Port:
        """A port of the project on the network, its address taken under the network's
        allocation lock (not added to the session: the caller sets its owner)."""
        subnet_id, wanted = _fixed_ip(fixed_ips)
        count = store.count_allocation(session, network.id)
        subnet_id, address = self.networks.allocate(session, network, count, subnet_id, wanted)
        return Port(
            id=new_id(),
            network_id=network.id,
            server_id=None,
            subnet_id=subnet_id,
            address=address,
            mac=random_mac(),
            partner_id=project.partner_id,
            customer_id=project.customer_id,
            project_id=project.id,
            device_owner="",
            device_id=None,
            admin_state_up=True,
            created_at=self.clock.now(),
        )

    def _set_groups(self, session: Session, project: Project, port: Port, refs: object) -> None:
        if refs is not None and (
            not isinstance(refs, list) or not all(isinstance(r, str) for r in refs)
        ):
            raise ValidationFailed.one("security_groups", "a list of security group ids")
        groups = self.groups.for_server(session, project, refs) if refs != [] else []
        self.groups.join_port(session, port.id, groups)

    def get_port(
        self, session: Session, caller: Caller, port_id: str, *, write: bool = False
    ) -> Port:
        return self.visible_row(session, caller, Port, "port", port_id, write=write)

    def list_ports(self, session: Session, caller: Caller, project_id: str | None) -> list[Port]:
        filters = {} if project_id is None else {"project_id": project_id}
        return self.page(session, caller, Port, limit=100_000, marker=None, **filters)

    def update_port(
        self, session: Session, caller: Caller, port_id: str, fields: dict[str, Any]
    ) -> Port:
        port = self.get_port(session, caller, port_id, write=True)
        for fixed in ("network_id", "fixed_ips", "device_id", "device_owner", "mac_address"):
            if fixed in fields:
                raise ValidationFailed.one(fixed, f"the port's {fixed} cannot be changed here")
        if "name" in fields:
            port.name = text("name", fields["name"])
        if "description" in fields:
            port.description = text("description", fields["description"])
        if "admin_state_up" in fields:
            port.admin_state_up = flag("admin_state_up", fields["admin_state_up"])
        if "security_groups" in fields:
            if port.server_id is not None:
                raise Conflict("a server's ports follow its groups: use addSecurityGroup")
            project = self.visible_project(session, caller, port.project_id or "")
            self._set_groups(session, project, port, fields["security_groups"] or [])
        self._audit(session, caller, AuditAction.PORT_UPDATE, port)
        return port

    def delete_port(self, session: Session, caller: Caller, port_id: str) -> None:
        port = self.get_port(session, caller, port_id, write=True)
        if port.device_owner:
            raise Conflict(
                f"Port {port.id} cannot be deleted directly via the port API: "
                f"has device owner {port.device_owner}."
            )
        self.groups.leave_port(session, port.id)
        floating_ip_store.unbind(session, [port.id])  # as Neutron: the address stays held
        session.delete(port)
        self._audit(session, caller, AuditAction.PORT_DELETE, port)

    def security_groups(self, session: Session, ports: list[Port]) -> dict[str, list[str]]:
        """port id → its groups' ids: a server's port shows the server's groups."""
        own = self.groups.groups_of_ports(session, [p.id for p in ports])
        servers = [p.server_id for p in ports if p.server_id is not None]
        of_server = self.groups.group_ids_of_servers(session, servers) if servers else {}
        return {
            p.id: of_server.get(p.server_id, []) if p.server_id else own.get(p.id, [])
            for p in ports
        }

    def _audit(self, session: Session, caller: Caller, action: AuditAction, port: Port) -> None:
        self.tenancy.audit(session, caller, action, "port", port.id, ref_of(port))
