"""Networks and ports: the region's shared provider network and each project's own network
per region, made on first use with the next free subnet; a port per server and network
with the first free address, under the network's row lock. The networks customers make
through Neutron, with their own subnets, are ``virtual_networks``'s; addresses on any
network are handed out here."""

import ipaddress
import secrets
from typing import Any

from sqlalchemy.orm import Session

from andromede.catalog.service import CatalogService
from andromede.compute import store, subnet_store
from andromede.compute.addressing import (
    FIRST_HOST,
    first_free,
    nth_host,
    project_subnet,
    provider_subnet,
)
from andromede.compute.floating_ip_store import floating_in_use, floating_of_servers
from andromede.compute.router_store import Router
from andromede.compute.store import Network, Port, Server
from andromede.compute.subnet_store import Subnet, SubnetPool
from andromede.compute.subnets import free_address
from andromede.db import insert_unique
from andromede.kernel.clock import Clock
from andromede.kernel.errors import Conflict, ValidationFailed
from andromede.kernel.ids import new_id
from andromede.tenancy.resources import ProjectResources
from andromede.tenancy.scope import Caller
from andromede.tenancy.service import Project, TenancyService

__all__ = ["Network", "NetworkService", "implicit_subnet_id"]

Addresses = dict[str, dict[str, list[tuple[str, str, str]]]]


PORT = "port:"  # a server's ``networks`` entry naming a port rather than a network


def implicit_subnet_id(network_id: str) -> str:
    """The one subnet of a network the cloud made has an id derived from the network's."""
    return network_id[:-4] + "5b5b"


def random_mac() -> str:
    return "fa:16:3e:" + ":".join(f"{b:02x}" for b in secrets.token_bytes(3))


class NetworkService(ProjectResources):
    def __init__(self, clock: Clock, tenancy: TenancyService, catalog: CatalogService) -> None:
        super().__init__(clock, tenancy)
        self.catalog = catalog

    def for_server(
        self, session: Session, project: Project, region: str, wanted: tuple[str, ...] | None
    ) -> list[Network]:
        """``auto`` (or nothing said): the project's own network in the region, which no
        other tenant is on (SecNumCloud 9.7: segmented by default); ``none``: none; else
        the networks named, each shared (the region's provider network, when the customer
        chooses it) or the project's own, in the region."""
        if wanted is None or wanted == ("auto",):
            return [self.network(session, region, project)]
        if wanted == ("none",) or not wanted:
            return []
        networks = []
        for ref in wanted:
            if ref.startswith(PORT):
                continue  # a port of its own: see ``ports_for_server``
            network = session.get(Network, ref)
            mine = network is not None and (network.shared or network.project_id == project.id)
            if network is None or not mine or network.region_code != region:
                raise ValidationFailed.one("networks", f"no network {ref!r} in region {region}")
            networks.append(network)
        return networks

    def regions_of(
        self, session: Session, project: Project, wanted: tuple[str, ...] | None
    ) -> set[str]:
        """The regions of the networks and ports named for a server that the project may
        use (the others are refused later, by ``for_server`` and ``ports_for_server``)."""
        regions = set()
        for ref in wanted or ():
            port = session.get(Port, ref.removeprefix(PORT)) if ref.startswith(PORT) else None
            network = session.get(Network, port.network_id if port is not None else ref)
            if network is not None and (network.shared or network.project_id == project.id):
                regions.add(network.region_code)
        return regions

    def ports_for_server(
        self, session: Session, project: Project, region: str, wanted: tuple[str, ...] | None
    ) -> list[Port]:
        """The ports the customer made that the new server is booted on (``port:<id>`` in
        its networks): the project's, bound to nothing, with an address, in the region."""
        found = []
        for ref in wanted or ():
            if not ref.startswith(PORT):
                continue
            port_id = ref.removeprefix(PORT)
            port = session.get(Port, port_id)
            if port is None or port.project_id != project.id:
                raise ValidationFailed.one("networks", f"no port {port_id!r}")
            network = session.get(Network, port.network_id)
            if port.device_owner or port.server_id or port.address is None:
                raise Conflict(f"Port {port_id} is still in use or has no fixed IP")
            if network is None or network.region_code != region:
                raise ValidationFailed.one("networks", f"port {port_id!r} is not in {region}")
            found.append(port)
        return found

    def bind(self, session: Session, server: Server, ports: list[Port]) -> None:
        for port in ports:
            port.server_id, port.device_id = server.id, server.id
            port.device_owner, port.preserve_on_delete = "compute:nova", True

    def network(self, session: Session, region: str, project: Project | None) -> Network:
        """The region's provider network, or the project's own network in the region;
        made on first use, with the next free subnet."""
        key = store.network_key(project.id if project else None, region)
        existing = store.network_by_key(session, key)
        if existing is not None:
            return existing
        shared = project is None
        if shared:
            ordinal = self.catalog.region_ordinal(session, region)
            cidr = provider_subnet(ordinal, store.provider_cidrs(session))
        else:
            cidr = project_subnet(store.count_networks(session, shared))
        network = Network(
            id=new_id(),
            key=key,
            name=f"provider-{region}" if project is None else f"{project.name}-{region}",
            region_code=region,
            cidr=cidr,
            shared=shared,
            external=shared,  # the region's uplink: routers take their gateway from it
            next_host=0,
            created_at=self.clock.now(),
            partner_id=project.partner_id if project else None,
            customer_id=project.customer_id if project else None,
            project_id=project.id if project else None,
        )
        try:
            insert_unique(session, network, "network exists")
        except Conflict:  # made meanwhile by a concurrent create
            found = store.network_by_key(session, key)
            assert found is not None
            return found
        session.add(self._implicit_subnet(network))
        return network

    def _implicit_subnet(self, network: Network) -> Subnet:
        block = ipaddress.ip_network(network.cidr)
        first, last = block.network_address + FIRST_HOST, block.broadcast_address - 1
        return Subnet(
            id=implicit_subnet_id(network.id),
            network_id=network.id,
            name=f"{network.name}-v4",
            description="",
            ip_version=4,
            cidr=network.cidr,
            gateway_ip=str(block.network_address + 1),
            enable_dhcp=True,
            pools=[[str(first), str(last)]],
            dns_nameservers=[],
            host_routes=[],
            subnetpool_id=None,
            created_at=network.created_at,
            updated_at=network.created_at,
            partner_id=network.partner_id,
            customer_id=network.customer_id,
            project_id=network.project_id,
        )

    def reserve(self, session: Session, networks: list[Network]) -> dict[str, list[int]]:
        """Takes each network's allocation counter (its row lock, on PostgreSQL) before any
        host is claimed: every create locks its networks first and its hosts after, so
        creates that claim several hosts in one transaction (a cluster's nodes) never wait
        on each other in a cycle. Network id → a count per port asked on it, for ``attach``."""
        counts: dict[str, list[int]] = {}
        for network_id in sorted(n.id for n in networks):
            counts.setdefault(network_id, []).append(store.count_allocation(session, network_id))
        return counts

    def attach(self, session: Session, server: Server, network: Network, count: int) -> None:
        """A server's port on the network, with the next address (see ``allocate``)."""
        subnet_id, address = self.allocate(session, network, count)
        session.add(
            Port(
                id=new_id(),
                network_id=network.id,
                server_id=server.id,
                subnet_id=subnet_id,
                address=address,
                mac="fa:16:3e:"
                + ":".join(server.id.replace("-", "")[i : i + 2] for i in (0, 2, 4)),
                partner_id=server.partner_id,
                customer_id=server.customer_id,
                project_id=server.project_id,
                device_owner="compute:nova",
                device_id=server.id,
                created_at=self.clock.now(),
            )
        )

    def allocate(
        self,
        session: Session,
        network: Network,
        count: int,
        subnet_id: str | None = None,
        wanted: str | None = None,
    ) -> tuple[str | None, str | None]:
        """(subnet, address) for a new port, ``count`` being the network's allocation
        counter taken by ``reserve`` (its row lock). On a network the cloud made: the next
        address of the counter, above every address ever handed out, so free without
        looking; once past the end, the lowest freed one. On a customer's network: the
        address asked for, or the lowest free one of the subnet's pools (the first IPv4
        subnet unless one is named); no subnet, no address."""
        if network.key is not None and wanted is None:
            address = nth_host(network.cidr, count - 1)
            if address is None:
                try:
                    address = first_free(network.cidr, store.addresses_in_use(session, network.id))
                except ValueError:
                    raise Conflict(f"network {network.name} has no free address left") from None
            return implicit_subnet_id(network.id), address
        subnets = subnet_store.subnets_of(session, [network.id])
        if subnet_id is not None:
            subnets = [s for s in subnets if s.id == subnet_id]
            if not subnets:
                raise ValidationFailed.one("fixed_ips", f"no subnet {subnet_id} on the network")
        if not subnets:
            return None, None
        subnet = sorted(subnets, key=lambda s: s.ip_version)[0]
        in_use = subnet_store.addresses_on(session, subnet.id)
        if wanted is not None:
            return subnet.id, _asked(subnet, wanted, in_use)
        address = free_address([tuple(p) for p in subnet.pools], in_use)
        if address is None:
            raise Conflict(f"No more IP addresses available on network {network.id}")
        return subnet.id, address

    def addresses(self, session: Session, server_ids: list[str]) -> Addresses:
        """server id → network name → [(address, mac, "fixed" or "floating")]: a floating
        IP shows beside the fixed address of the port it forwards to, as Nova shows it."""
        found: Addresses = {}
        for server_id, network, address, mac in store.ports_of(session, server_ids):
            if address is not None:
                found.setdefault(server_id, {}).setdefault(network, []).append(
                    (address, mac, "fixed")
                )
        if found:
            for server_id, network, address, mac in floating_of_servers(session, server_ids):
                found[server_id].setdefault(network, []).append((address, mac, "floating"))
        return found

    def usage(self, session: Session, caller: Caller, project_id: str) -> dict[str, int]:
        """What the project holds against Neutron's quotas: its networks (those the cloud
        made for it included), subnets, ports, routers, subnet pools and floating IPs."""
        project = self.visible_project(session, caller, project_id)
        counted = (
            ("network", Network),
            ("subnet", Subnet),
            ("port", Port),
            ("router", Router),
            ("subnetpool", SubnetPool),
        )
        used = {kind: store.count_in_project(session, model, project.id) for kind, model in counted}
        return {**used, "floatingip": floating_in_use(session, project.id)}

    def customer_networking(self, session: Session, customer_id: str) -> dict[str, list[Any]]:
        """A customer's networks with their subnets, its routers, subnet pools and the ports
        no server holds, as plain data (its export)."""
        subnets = subnet_store.of_customer(session, Subnet, customer_id)
        routers = subnet_store.of_customer(session, Router, customer_id)
        ports = subnet_store.of_customer(session, Port, customer_id)
        return {
            "networks": [
                {
                    "id": n.id,
                    "project_id": n.project_id,
                    "name": n.name,
                    "region": n.region_code,
                    "made_by_cloud": n.key is not None,  # made again on first use
                    "subnets": [_subnet_data(s) for s in subnets if s.network_id == n.id],
                }
                for n in subnet_store.of_customer(session, Network, customer_id)
            ],
            "routers": [
                {
                    "id": r.id,
                    "project_id": r.project_id,
                    "name": r.name,
                    "region": r.region_code,
                    "external_network_id": r.external_network_id,
                    "routes": [list(x) for x in r.routes],
                }
                for r in routers
            ],
            "ports": [
                {
                    "id": p.id,
                    "network_id": p.network_id,
                    "address": p.address,
                    "mac": p.mac,
                    "device_owner": p.device_owner,
                    "device_id": p.device_id,
                }
                for p in ports
                if p.server_id is None
            ],
            "subnet_pools": [
                {"id": p.id, "project_id": p.project_id, "name": p.name, "prefixes": p.prefixes}
                for p in subnet_store.of_customer(session, SubnetPool, customer_id)
            ],
        }

    def erase_customer(self, session: Session, customer_id: str) -> list[str]:
        """Offboarding's erasure of the customer's networking (see ``subnet_store``)."""
        routers = [r.id for r in subnet_store.of_customer(session, Router, customer_id)]
        return subnet_store.erase_customer(session, customer_id, routers)

    def list_networks(
        self, session: Session, caller: Caller, project_id: str | None
    ) -> list[Network]:
        """The shared provider networks (names, not servers: every tenant sees them) and,
        with a project, the project's own network in each region (made on first look)."""
        project = self.visible_project(session, caller, project_id) if project_id else None
        for region in self.catalog.all_regions(session):
            self.network(session, region.code, None)
            if project is not None:
                self.network(session, region.code, project)
        return store.networks_for(session, project.id if project else None)


def _subnet_data(s: Subnet) -> dict[str, Any]:
    return {
        "id": s.id,
        "cidr": s.cidr,
        "ip_version": s.ip_version,
        "gateway_ip": s.gateway_ip,
        "allocation_pools": [list(p) for p in s.pools],
    }


def _asked(subnet: Subnet, wanted: str, in_use: set[str]) -> str:
    try:
        address = ipaddress.ip_address(wanted)
    except ValueError:
        raise ValidationFailed.one("fixed_ips", f"'{wanted}' is not a valid IP address") from None
    if address not in ipaddress.ip_network(subnet.cidr):
        raise ValidationFailed.one(
            "fixed_ips", f"IP address {wanted} is not a valid IP for the subnet"
        )
    if str(address) in in_use:
        raise Conflict(f"IP address {wanted} already allocated in subnet {subnet.id}")
    return str(address)
