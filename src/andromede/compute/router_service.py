"""Use cases of routers: a project's router in its region joins its subnets (an interface
per subnet, at the subnet's gateway address or on a port the customer made), takes its
gateway on the region's external network, and carries extra routes whose next hops sit on
its subnets. A router without interfaces moves to its gateway's region, where the
project's residency policy allows. As in Neutron, a router with interfaces cannot be
deleted, two interfaces may not overlap, and an interface a route goes through cannot be
removed."""

from typing import Any

from sqlalchemy.orm import Session

from andromede.audit.actions import AuditAction
from andromede.compute import floating_ip_store, router_store, store
from andromede.compute.field_checks import flag, text
from andromede.compute.port_service import PortService
from andromede.compute.router_store import GATEWAY, INTERFACE, Router
from andromede.compute.store import Network, Port
from andromede.compute.subnet_store import Subnet
from andromede.compute.subnets import SubnetRefused, check_routes, overlapping
from andromede.compute.virtual_networks import Places, VirtualNetworkService
from andromede.kernel.clock import Clock
from andromede.kernel.errors import Conflict, NotFound, QuotaExceeded, ValidationFailed
from andromede.kernel.ids import new_id
from andromede.tenancy.resources import ProjectResources, ref_of
from andromede.tenancy.scope import Caller
from andromede.tenancy.service import TenancyService

__all__ = ["MAX_ROUTERS", "RouterService"]

MAX_ROUTERS = 10  # per project, Neutron's default quota


class RouterService(ProjectResources):
    def __init__(
        self,
        clock: Clock,
        tenancy: TenancyService,
        vnets: VirtualNetworkService,
        ports: PortService,
        places: Places,
    ) -> None:
        super().__init__(clock, tenancy)
        self.vnets = vnets
        self.ports = ports
        self.places = places

    def create_router(
        self, session: Session, caller: Caller, project_id: str, fields: dict[str, Any]
    ) -> Router:
        project = self.project_for_write(session, caller, project_id)
        used = store.count_in_project(session, Router, project.id)
        if used + 1 > MAX_ROUTERS:
            raise QuotaExceeded("router", MAX_ROUTERS, used, 1)
        now = self.clock.now()
        router = Router(
            id=new_id(),
            name=text("name", fields.get("name")),
            description=text("description", fields.get("description")),
            admin_state_up=flag("admin_state_up", fields.get("admin_state_up", True)),
            region_code=self.places.region(
                session, caller, project.id, fields.get("availability_zone_hints")
            ),
            external_network_id=None,
            enable_snat=True,
            routes=[],
            created_at=now,
            updated_at=now,
            partner_id=project.partner_id,
            customer_id=project.customer_id,
            project_id=project.id,
        )
        session.add(router)
        session.flush()
        self._gateway(session, caller, router, fields.get("external_gateway_info"))
        self._audit(session, caller, AuditAction.ROUTER_CREATE, router)
        return router

    def get_router(
        self, session: Session, caller: Caller, router_id: str, *, write: bool = False
    ) -> Router:
        return self.visible_row(session, caller, Router, "router", router_id, write=write)

    def list_routers(
        self, session: Session, caller: Caller, project_id: str | None
    ) -> list[Router]:
        filters = {} if project_id is None else {"project_id": project_id}
        return self.page(session, caller, Router, limit=10_000, marker=None, **filters)

    def update_router(
        self, session: Session, caller: Caller, router_id: str, fields: dict[str, Any]
    ) -> Router:
        router = self.get_router(session, caller, router_id, write=True)
        if "name" in fields:
            router.name = text("name", fields["name"])
        if "description" in fields:
            router.description = text("description", fields["description"])
        if "admin_state_up" in fields:
            router.admin_state_up = flag("admin_state_up", fields["admin_state_up"])
        if "external_gateway_info" in fields:
            self._gateway(session, caller, router, fields["external_gateway_info"])
        if "routes" in fields:
            cidrs = [s.cidr for s in self._subnets(session, router)]
            try:
                routes = check_routes(fields["routes"] or [], cidrs)
            except SubnetRefused as refused:
                raise ValidationFailed.one(refused.field, refused.message) from None
            router.routes = [list(r) for r in routes]
        router.updated_at = self.clock.now()
        self._audit(session, caller, AuditAction.ROUTER_UPDATE, router)
        return router

    def _gateway(self, session: Session, caller: Caller, router: Router, info: object) -> None:
        """Sets, changes or clears (``{}`` or null) the router's external gateway: an
        address on an external network of the router's region."""
        if info is not None and not isinstance(info, dict):
            raise ValidationFailed.one("external_gateway_info", "must be an object")
        network_id = (info or {}).get("network_id")
        if network_id == router.external_network_id:
            return
        if floating_ip_store.serving(session, router.id):
            raise Conflict(
                f"Gateway cannot be updated for router {router.id}, since a gateway to "
                "external network is required by one or more floating IPs."
            )
        for port in router_store.ports_of(session, router.id, GATEWAY):
            session.delete(port)
        router.external_network_id = None
        if not network_id:
            return
        network = self.vnets.get_network(session, caller, str(network_id))
        if not network.external:
            raise ValidationFailed.one(
                "external_gateway_info",
                f"Bad router request: Network {network.id} is not an external network",
            )
        if network.region_code != router.region_code:
            if router_store.ports_of(session, router.id, INTERFACE):
                raise ValidationFailed.one(
                    "external_gateway_info",
                    f"Bad router request: network {network.id} is not in region "
                    f"{router.region_code}, where the router's subnets are",
                )
            self.places.check(session, caller, router.project_id, network.region_code)
            router.region_code = network.region_code  # a router alone follows its gateway
        project = self.visible_project(session, caller, router.project_id)
        port = self.ports.new_port(session, project, network)
        port.partner_id = port.customer_id = port.project_id = None  # the cloud's, not listed
        port.device_owner, port.device_id = GATEWAY, router.id
        session.add(port)
        router.external_network_id = network.id

    def gateway_ips(self, session: Session, router: Router) -> list[dict[str, str]]:
        return [
            {"subnet_id": p.subnet_id or "", "ip_address": p.address or ""}
            for p in router_store.ports_of(session, router.id, GATEWAY)
        ]

    def interfaces(self, session: Session, router: Router) -> list[Port]:
        return router_store.ports_of(session, router.id, INTERFACE)

    def delete_router(self, session: Session, caller: Caller, router_id: str) -> None:
        router = self.get_router(session, caller, router_id, write=True)
        interfaces = router_store.ports_of(session, router.id, INTERFACE)
        if interfaces:
            raise Conflict(
                f"Router {router.id} still has ports ({len(interfaces)} interfaces); "
                "remove them first"
            )
        for port in router_store.ports_of(session, router.id, GATEWAY):
            session.delete(port)
        session.delete(router)
        self._audit(session, caller, AuditAction.ROUTER_DELETE, router)

    # -- interfaces --------------------------------------------------------------
    def add_interface(
        self, session: Session, caller: Caller, router_id: str, body: dict[str, Any]
    ) -> tuple[Router, Port]:
        router = self.get_router(session, caller, router_id, write=True)
        port = self._interface_port(session, caller, router, body)
        subnet = session.get(Subnet, port.subnet_id or "")
        if subnet is None:
            raise ValidationFailed.one("port_id", f"Bad router request: port {port.id} has no IP")
        network = session.get(Network, subnet.network_id)
        if network is None or network.region_code != router.region_code:
            raise ValidationFailed.one("subnet_id", f"the subnet is not in {router.region_code}")
        clash = overlapping(subnet.cidr, [s.cidr for s in self._subnets(session, router)])
        if clash is not None:
            raise ValidationFailed.one(
                "subnet_id",
                f"Bad router request: Cidr {subnet.cidr} of subnet {subnet.id} overlaps "
                f"with cidr {clash} of a subnet of router {router.id}.",
            )
        port.device_owner, port.device_id = INTERFACE, router.id
        session.add(port)
        session.flush()
        self._audit(session, caller, AuditAction.ROUTER_INTERFACE_ADD, router)
        return router, port

    def _interface_port(
        self, session: Session, caller: Caller, router: Router, body: dict[str, Any]
    ) -> Port:
        """The customer's unbound port, or a new one at the subnet's gateway address."""
        if ("port_id" in body) == ("subnet_id" in body):
            raise ValidationFailed.one("subnet_id", "give a subnet_id or a port_id, not both")
        if "port_id" in body:
            port = self.ports.get_port(session, caller, str(body["port_id"]), write=True)
            if port.device_owner or port.server_id:
                raise Conflict(f"Port {port.id} is in use by {port.device_owner or 'a server'}")
            return port
        subnet = self.vnets.get_subnet(session, caller, str(body["subnet_id"]))
        if subnet.gateway_ip is None:
            raise ValidationFailed.one(
                "subnet_id", f"Bad router request: Subnet {subnet.id} does not have a gateway IP"
            )
        network = self.vnets.get_network(session, caller, subnet.network_id)
        project = self.visible_project(session, caller, router.project_id)
        fixed = [{"subnet_id": subnet.id, "ip_address": subnet.gateway_ip}]
        return self.ports.new_port(session, project, network, fixed)

    def remove_interface(
        self, session: Session, caller: Caller, router_id: str, body: dict[str, Any]
    ) -> tuple[Router, Port]:
        router = self.get_router(session, caller, router_id, write=True)
        interfaces = router_store.ports_of(session, router.id, INTERFACE)
        key = "port_id" if "port_id" in body else "subnet_id"
        found = [
            p for p in interfaces if getattr(p, "id" if key == "port_id" else key) == body.get(key)
        ]
        if not found:
            raise NotFound(f"interface of router {router.id} on {key}", str(body.get(key)))
        port = found[0]
        carried = [
            f
            for f in floating_ip_store.serving(session, router.id)
            if (p := session.get(Port, f.port_id or "")) is not None
            and p.subnet_id == port.subnet_id
        ]
        if carried:
            raise Conflict(
                f"Router interface for subnet {port.subnet_id} on router {router.id} cannot be "
                "deleted, as it is required by one or more floating IPs."
            )
        subnet = session.get(Subnet, port.subnet_id or "")
        kept = [
            s.cidr for s in self._subnets(session, router) if subnet is None or s.id != subnet.id
        ]
        try:
            check_routes([{"destination": d, "nexthop": n} for d, n in router.routes], kept)
        except SubnetRefused:
            raise Conflict(
                f"Router interface for subnet {port.subnet_id} on router {router.id} cannot be "
                "deleted, as it is required by one or more routes."
            ) from None
        self.ports.groups.leave_port(session, port.id)
        session.delete(port)
        self._audit(session, caller, AuditAction.ROUTER_INTERFACE_REMOVE, router)
        return router, port

    def _subnets(self, session: Session, router: Router) -> list[Subnet]:
        ids = [p.subnet_id for p in router_store.ports_of(session, router.id, INTERFACE)]
        return [s for s in (session.get(Subnet, i) for i in ids if i) if s is not None]

    def _audit(self, session: Session, caller: Caller, action: AuditAction, router: Router) -> None:
        self.tenancy.audit(session, caller, action, "router", router.id, ref_of(router))
