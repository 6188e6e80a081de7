"""Use cases of the networks customers make themselves (Neutron's networks and subnets):
create, change and delete a network in the project's region, its IPv4 and IPv6 subnets
with their pools, gateway, DHCP flag, DNS servers and host routes, and the subnet pools a
subnet may be carved from. The checks of a subnet are ``subnets``'s; addresses are handed
out by ``network_service``. The networks the cloud makes (the region's provider network,
each project's network per region) are listed beside these and keep their one subnet."""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from andromede.audit.actions import AuditAction
from andromede.compute import store, subnet_store
from andromede.compute.field_checks import flag, text
from andromede.compute.network_service import NetworkService
from andromede.compute.store import Network
from andromede.compute.subnet_store import Subnet, SubnetPool
from andromede.compute.subnets import (
    UNSET,
    SubnetRefused,
    carve_prefix,
    default_pools,
    overlapping,
    parse_pool_prefixes,
    parse_subnet,
)
from andromede.kernel.clock import Clock
from andromede.kernel.errors import Conflict, Forbidden, NotFound, QuotaExceeded, ValidationFailed
from andromede.kernel.ids import new_id
from andromede.sovereignty.attestation import Held
from andromede.tenancy.resources import ProjectResources, ref_of
from andromede.tenancy.scope import Caller
from andromede.tenancy.service import Project, TenancyService

__all__ = ["MAX_NETWORKS", "MAX_SUBNETS", "Places", "SubnetInput", "VirtualNetworkService"]

MAX_NETWORKS = 100  # per project, Neutron's default quotas
MAX_SUBNETS = 100
MAX_SUBNET_POOLS = 20
RegionFor = Callable[[Session, Caller, str], str]
RegionCheck = Callable[[Session, Caller, str, str], None]


@dataclass(frozen=True)
class Places:
    """Where a project's networks and routers go: ``default`` names the first region its
    residency policy allows; ``check`` refuses a region asked for that it does not."""

    default: RegionFor
    check: RegionCheck

    def region(self, session: Session, caller: Caller, project_id: str, hints: object) -> str:
        """The region of ``availability_zone_hints`` (one region code), else the default."""
        if hints is None or hints == []:
            return self.default(session, caller, project_id)
        if not isinstance(hints, list) or len(hints) != 1 or not isinstance(hints[0], str):
            raise ValidationFailed.one("availability_zone_hints", "one region, as a list")
        self.check(session, caller, project_id, hints[0])
        return hints[0]


SubnetInput = dict[str, Any]  # the subnet's fields as a client sent them


def _refused(refused: SubnetRefused) -> ValidationFailed:
    return ValidationFailed.one(refused.field, refused.message)


class VirtualNetworkService(ProjectResources):
    def __init__(
        self, clock: Clock, tenancy: TenancyService, networks: NetworkService, places: Places
    ) -> None:
        super().__init__(clock, tenancy)
        self.networks = networks
        self.places = places

    # -- networks --------------------------------------------------------------
    def create_network(
        self, session: Session, caller: Caller, project_id: str, fields: dict[str, Any]
    ) -> Network:
        project = self.project_for_write(session, caller, project_id)
        _within(session, Network, project, "network", MAX_NETWORKS)
        now = self.clock.now()
        network = Network(
            id=new_id(),
            key=None,
            name=text("name", fields.get("name")),
            description=text("description", fields.get("description")),
            admin_state_up=flag("admin_state_up", fields.get("admin_state_up", True)),
            external=False,
            region_code=self.places.region(
                session, caller, project.id, fields.get("availability_zone_hints")
            ),
            cidr="",
            shared=False,
            next_host=0,
            created_at=now,
            updated_at=now,
            partner_id=project.partner_id,
            customer_id=project.customer_id,
            project_id=project.id,
        )
        session.add(network)
        session.flush()
        self._audit(session, caller, AuditAction.NETWORK_CREATE, "network", network)
        return network

    def list_networks(
        self, session: Session, caller: Caller, project_id: str | None
    ) -> list[Network]:
        """The shared networks and the project's own (those the cloud makes, made on first
        look); without a project, the shared ones and every network the caller sees."""
        if project_id is not None:
            return self.networks.list_networks(session, caller, project_id)
        shared = self.networks.list_networks(session, caller, None)
        own = self.page(session, caller, Network, limit=100_000, marker=None)
        return shared + [n for n in own if not n.shared]

    def get_network(
        self, session: Session, caller: Caller, network_id: str, *, write: bool = False
    ) -> Network:
        """A shared network is seen by every tenant and changed by none; a project's
        network is another tenant's 404."""
        found = session.get(Network, network_id)
        if found is None:
            raise NotFound("network", network_id)
        if found.project_id is None:
            if write:
                raise Forbidden(f"network {network_id} is the cloud's, shared by all")
            return found
        return self.visible_row(session, caller, Network, "network", network_id, write=write)

    def update_network(
        self, session: Session, caller: Caller, network_id: str, fields: dict[str, Any]
    ) -> Network:
        network = self.get_network(session, caller, network_id, write=True)
        if "name" in fields:
            network.name = text("name", fields["name"])
        if "description" in fields:
            network.description = text("description", fields["description"])
        if "admin_state_up" in fields:
            network.admin_state_up = flag("admin_state_up", fields["admin_state_up"])
        network.updated_at = self.clock.now()
        self._audit(session, caller, AuditAction.NETWORK_UPDATE, "network", network)
        return network

    def delete_network(self, session: Session, caller: Caller, network_id: str) -> None:
        """Refused while any port is on it (Neutron's NetworkInUse); its subnets go with it."""
        network = self.get_network(session, caller, network_id, write=True)
        ports = subnet_store.ports_on_network(session, network.id)
        if ports:
            raise Conflict(
                f"Unable to complete operation on network {network.id}. "
                f"There are one or more ports still in use on the network ({len(ports)})."
            )
        subnet_store.drop_subnets(session, network.id)
        session.delete(network)
        self._audit(session, caller, AuditAction.NETWORK_DELETE, "network", network)

    # -- subnets ---------------------------------------------------------------
    def held_networks(self, session: Session, customer_id: str) -> list[Held]:
        """The customer's own networks, for the data-location report: each in its region
        (a shared provider network is the operator's, not the customer's)."""
        query = select(Network).where(Network.customer_id == customer_id)
        return [
            Held("network", n.id, n.name, n.project_id or "", "ACTIVE", n.region_code, None,
                 n.created_at, None)
            for n in session.scalars(query.order_by(Network.created_at))
        ]  # fmt: skip

    def create_subnet(
        self, session: Session, caller: Caller, network_id: str, wanted: SubnetInput
    ) -> Subnet:
        network = self.get_network(session, caller, network_id, write=True)
        project = self.visible_project(session, caller, network.project_id or "")
        _within(session, Subnet, project, "subnet", MAX_SUBNETS)
        cidr, pool = self._cidr(session, caller, wanted)
        try:
            spec = parse_subnet(
                cidr=cidr,
                ip_version=wanted.get("ip_version", 4 if pool is None else pool.ip_version),
                gateway_ip=wanted.get("gateway_ip", UNSET),
                allocation_pools=wanted.get("allocation_pools"),
                dns_nameservers=wanted.get("dns_nameservers"),
                host_routes=wanted.get("host_routes"),
            )
        except SubnetRefused as refused:
            raise _refused(refused) from None
        siblings = subnet_store.subnets_of(session, [network.id])
        clash = overlapping(spec.cidr, [s.cidr for s in siblings])
        if clash is not None:
            raise ValidationFailed.one(
                "cidr",
                f"Invalid input for operation: Requested subnet with cidr: {spec.cidr} for "
                f"network: {network.id} overlaps with another subnet.",
            )
        now = self.clock.now()
        subnet = Subnet(
            id=new_id(),
            network_id=network.id,
            name=text("name", wanted.get("name")),
            description=text("description", wanted.get("description")),
            ip_version=spec.ip_version,
            cidr=spec.cidr,
            gateway_ip=spec.gateway_ip,
            enable_dhcp=flag("enable_dhcp", wanted.get("enable_dhcp", True)),
            pools=[list(p) for p in spec.pools],
            dns_nameservers=list(spec.dns_nameservers),
            host_routes=[list(r) for r in spec.host_routes],
            subnetpool_id=None if pool is None else pool.id,
            created_at=now,
            updated_at=now,
            partner_id=project.partner_id,
            customer_id=project.customer_id,
            project_id=project.id,
        )
        session.add(subnet)
        session.flush()
        self._audit(session, caller, AuditAction.SUBNET_CREATE, "subnet", subnet)
        return subnet

    def _cidr(
        self, session: Session, caller: Caller, wanted: SubnetInput
    ) -> tuple[object, SubnetPool | None]:
        """The CIDR asked for, or the next free block of the subnet pool named
        (``prefixlen`` or the pool's default length)."""
        pool_id = wanted.get("subnetpool_id")
        if pool_id is None:
            if "cidr" not in wanted:
                raise ValidationFailed.one("cidr", "a cidr or a subnetpool_id is required")
            return wanted["cidr"], None
        pool = self.get_pool(session, caller, str(pool_id))
        if "cidr" in wanted:
            raise ValidationFailed.one("cidr", "give a cidr or a subnetpool_id, not both")
        prefixlen = wanted.get("prefixlen", pool.default_prefixlen)
        if (
            not isinstance(prefixlen, int)
            or not pool.min_prefixlen <= prefixlen <= pool.max_prefixlen
        ):
            raise ValidationFailed.one(
                "prefixlen",
                f"prefixlen must be between {pool.min_prefixlen} and {pool.max_prefixlen}",
            )
        carved = carve_prefix(pool.prefixes, subnet_store.carved_from(session, pool.id), prefixlen)
        if carved is None:
            raise Conflict(f"Subnet pool {pool.id} has no /{prefixlen} prefix left")
        return carved, pool

    def get_subnet(
        self, session: Session, caller: Caller, subnet_id: str, *, write: bool = False
    ) -> Subnet:
        subnet = session.get(Subnet, subnet_id)
        if subnet is None:
            raise NotFound("subnet", subnet_id)
        self.get_network(session, caller, subnet.network_id, write=write)
        return subnet

    def update_subnet(
        self, session: Session, caller: Caller, subnet_id: str, wanted: SubnetInput
    ) -> Subnet:
        """Name, description, gateway, pools, DNS servers, host routes and the DHCP flag
        change; the CIDR and the IP version do not (Neutron's read-only fields)."""
        subnet = self.get_subnet(session, caller, subnet_id, write=True)
        for fixed in ("cidr", "ip_version", "network_id", "subnetpool_id", "prefixlen"):
            if fixed in wanted:
                raise ValidationFailed.one(fixed, f"Cannot update read-only attribute {fixed}")
        pools = wanted.get("allocation_pools")
        kept = [tuple(p) for p in subnet.pools]
        if pools is None and kept != list(default_pools(subnet.cidr, subnet.gateway_ip)):
            pools = [{"start": s, "end": e} for s, e in kept]  # pools set by hand stay
        try:
            spec = parse_subnet(
                cidr=subnet.cidr,
                ip_version=subnet.ip_version,
                gateway_ip=wanted.get("gateway_ip", subnet.gateway_ip),
                allocation_pools=pools,
                dns_nameservers=wanted.get("dns_nameservers", subnet.dns_nameservers),
                host_routes=wanted.get(
                    "host_routes",
                    [{"destination": d, "nexthop": n} for d, n in subnet.host_routes],
                ),
            )
        except SubnetRefused as refused:
            raise _refused(refused) from None
        subnet.gateway_ip = spec.gateway_ip
        subnet.pools = [list(p) for p in spec.pools]
        subnet.dns_nameservers = list(spec.dns_nameservers)
        subnet.host_routes = [list(r) for r in spec.host_routes]
        if "name" in wanted:
            subnet.name = text("name", wanted["name"])
        if "description" in wanted:
            subnet.description = text("description", wanted["description"])
        if "enable_dhcp" in wanted:
            subnet.enable_dhcp = flag("enable_dhcp", wanted["enable_dhcp"])
        subnet.updated_at = self.clock.now()
        self._audit(session, caller, AuditAction.SUBNET_UPDATE, "subnet", subnet)
        return subnet

    def delete_subnet(self, session: Session, caller: Caller, subnet_id: str) -> None:
        subnet = self.get_subnet(session, caller, subnet_id, write=True)
        used = subnet_store.ports_on_subnet(session, subnet.id)
        if used:
            raise Conflict(
                f"Unable to complete operation on subnet {subnet.id}: "
                f"one or more ports have an IP allocation from this subnet ({len(used)})."
            )
        session.delete(subnet)
        self._audit(session, caller, AuditAction.SUBNET_DELETE, "subnet", subnet)

    def subnets_of(self, session: Session, network_ids: list[str]) -> list[Subnet]:
        """The subnets of networks the caller was given (their views list them)."""
        return subnet_store.subnets_of(session, network_ids)

    def list_subnets(
        self, session: Session, caller: Caller, project_id: str | None
    ) -> list[Subnet]:
        if project_id is not None:
            self.networks.list_networks(session, caller, project_id)  # made on first look
        return subnet_store.subnets_visible(session, project_id)

    # -- subnet pools ----------------------------------------------------------
    def create_pool(
        self, session: Session, caller: Caller, project_id: str, fields: dict[str, Any]
    ) -> SubnetPool:
        project = self.project_for_write(session, caller, project_id)
        _within(session, SubnetPool, project, "subnetpool", MAX_SUBNET_POOLS)
        try:
            version, prefixes = parse_pool_prefixes(fields.get("prefixes"))
        except SubnetRefused as refused:
            raise _refused(refused) from None
        width = 32 if version == 4 else 128
        low = _length(fields, "min_prefixlen", 8 if version == 4 else 64, 0, width)
        high = _length(fields, "max_prefixlen", width, low, width)
        default = _length(fields, "default_prefixlen", low, low, high)
        now = self.clock.now()
        pool = SubnetPool(
            id=new_id(),
            name=text("name", fields.get("name")),
            description=text("description", fields.get("description")),
            ip_version=version,
            prefixes=list(prefixes),
            default_prefixlen=default,
            min_prefixlen=low,
            max_prefixlen=high,
            created_at=now,
            updated_at=now,
            partner_id=project.partner_id,
            customer_id=project.customer_id,
            project_id=project.id,
        )
        session.add(pool)
        session.flush()
        self._audit(session, caller, AuditAction.SUBNET_POOL_CREATE, "subnetpool", pool)
        return pool

    def get_pool(
        self, session: Session, caller: Caller, pool_id: str, *, write: bool = False
    ) -> SubnetPool:
        return self.visible_row(session, caller, SubnetPool, "subnetpool", pool_id, write=write)

    def list_pools(
        self, session: Session, caller: Caller, project_id: str | None
    ) -> list[SubnetPool]:
        filters = {} if project_id is None else {"project_id": project_id}
        return self.page(session, caller, SubnetPool, limit=10_000, marker=None, **filters)

    def update_pool(
        self, session: Session, caller: Caller, pool_id: str, fields: dict[str, Any]
    ) -> SubnetPool:
        pool = self.get_pool(session, caller, pool_id, write=True)
        if "name" in fields:
            pool.name = text("name", fields["name"])
        if "description" in fields:
            pool.description = text("description", fields["description"])
        if "default_prefixlen" in fields:
            pool.default_prefixlen = _length(
                fields,
                "default_prefixlen",
                pool.min_prefixlen,
                pool.min_prefixlen,
                pool.max_prefixlen,
            )
        pool.updated_at = self.clock.now()
        self._audit(session, caller, AuditAction.SUBNET_POOL_UPDATE, "subnetpool", pool)
        return pool

    def delete_pool(self, session: Session, caller: Caller, pool_id: str) -> None:
        pool = self.get_pool(session, caller, pool_id, write=True)
        if subnet_store.carved_from(session, pool.id):
            raise Conflict(f"Subnet pool {pool.id} is in use by subnets")
        session.delete(pool)
        self._audit(session, caller, AuditAction.SUBNET_POOL_DELETE, "subnetpool", pool)

    # -- shared ----------------------------------------------------------------
    def _audit(
        self, session: Session, caller: Caller, action: AuditAction, kind: str, row: Any
    ) -> None:
        self.tenancy.audit(session, caller, action, kind, row.id, ref_of(row))


def _length(fields: dict[str, Any], key: str, default: int, low: int, high: int) -> int:
    value = fields.get(key, default)
    if isinstance(value, str) and value.isdigit():
        value = int(value)  # Neutron takes prefix lengths as text too
    if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
        raise ValidationFailed.one(key, f"{key} must be between {low} and {high}")
    return value


def _within(session: Session, model: Any, project: Project, quota: str, limit: int) -> None:
    used = store.count_in_project(session, model, project.id)
    if used + 1 > limit:
        raise QuotaExceeded(quota, limit, used, 1)
