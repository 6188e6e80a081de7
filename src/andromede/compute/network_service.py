"""Networks and ports: the region's shared provider network and each project's own network
per region, made on first use with the next free subnet; a port per server and network
with the first free address, under the network's row lock."""

from sqlalchemy.orm import Session

from andromede.catalog.service import CatalogService
from andromede.compute import store
from andromede.compute.addressing import first_free, nth_host, project_subnet, region_subnet
from andromede.compute.resource_access import ProjectResources
from andromede.compute.store import Network, Port, Server
from andromede.db import insert_unique
from andromede.kernel.clock import Clock
from andromede.kernel.errors import Conflict, ValidationFailed
from andromede.kernel.ids import new_id
from andromede.tenancy.scope import Caller
from andromede.tenancy.service import Project, TenancyService

__all__ = ["Network", "NetworkService"]

Addresses = dict[str, dict[str, list[tuple[str, str]]]]


class NetworkService(ProjectResources):
    def __init__(self, clock: Clock, tenancy: TenancyService, catalog: CatalogService) -> None:
        super().__init__(clock, tenancy)
        self.catalog = catalog

    def for_server(
        self, session: Session, project: Project, region: str, wanted: tuple[str, ...] | None
    ) -> list[Network]:
        """``auto`` (or nothing said): the region's provider network; ``none``: none;
        else the networks named, each shared or the project's own, in the region."""
        if wanted is None or wanted == ("auto",):
            return [self.network(session, region, None)]
        if wanted == ("none",) or not wanted:
            return []
        networks = []
        for ref in wanted:
            network = session.get(Network, ref)
            mine = network is not None and (network.shared or network.project_id == project.id)
            if network is None or not mine or network.region_code != region:
                raise ValidationFailed.one("networks", f"no network {ref!r} in region {region}")
            networks.append(network)
        return networks

    def network(self, session: Session, region: str, project: Project | None) -> Network:
        """The region's provider network, or the project's own network in the region;
        made on first use, with the next free subnet."""
        key = f"{project.id if project else 'provider'}:{region}"
        existing = store.network_by_key(session, key)
        if existing is not None:
            return existing
        shared = project is None
        index = store.count_networks(session, shared)
        network = Network(
            id=new_id(),
            key=key,
            name=f"provider-{region}" if project is None else f"{project.name}-{region}",
            region_code=region,
            cidr=region_subnet(index) if shared else project_subnet(index),
            shared=shared,
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
        return network

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
        """The next address of the network's counter: above every address ever handed out
        (those were the counter's, or, before it, the lowest free ones), so free without
        looking. A network whose counter went past its end reuses the lowest freed one."""
        address = nth_host(network.cidr, count - 1)
        if address is None:
            try:
                address = first_free(network.cidr, store.addresses_in_use(session, network.id))
            except ValueError:
                raise Conflict(f"network {network.name} has no free address left") from None
        session.add(
            Port(
                id=new_id(),
                network_id=network.id,
                server_id=server.id,
                address=address,
                mac="fa:16:3e:"
                + ":".join(server.id.replace("-", "")[i : i + 2] for i in (0, 2, 4)),
            )
        )

    def addresses(self, session: Session, server_ids: list[str]) -> Addresses:
        """server id → network name → [(address, mac)]."""
        found: Addresses = {}
        for server_id, network, address, mac in store.ports_of(session, server_ids):
            found.setdefault(server_id, {}).setdefault(network, []).append((address, mac))
        return found

    def usage(self, session: Session, caller: Caller, project_id: str) -> dict[str, int]:
        """What the project's networks count against Neutron's quotas: its own network and
        subnet per region, and its servers' ports."""
        project = self.visible_project(session, caller, project_id)
        networks, ports = store.network_usage(session, project.id)
        return {"network": networks, "subnet": networks, "port": ports}

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
