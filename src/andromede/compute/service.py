"""Use cases of compute: servers, keypairs, server groups, quotas.

Create runs in one transaction: quota check under the project's row lock, placement over a
fresh snapshot, a guarded claim on the chosen host, the server row in BUILD with desired
ACTIVE, its first state event and the audit entry. Any error leaves nothing written.
"""

import ipaddress
import re
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from andromede.catalog import store as catalog_store
from andromede.catalog.service import CatalogService, FlavorSpec, ImageSpec
from andromede.compute import store
from andromede.compute.addressing import first_free, project_subnet, region_subnet
from andromede.compute.keys import fingerprint, parse_public_key
from andromede.compute.lifecycle import Action, Status, apply_action
from andromede.compute.placement import HostState, NoFit, Placement, PlacementRequest, place
from andromede.compute.store import Keypair, Network, Port, Server, ServerGroup
from andromede.db import insert_unique, scoped_get, scoped_page, visible_one
from andromede.kernel.clock import Clock
from andromede.kernel.errors import (
    Conflict,
    FieldError,
    Forbidden,
    NotFound,
    NoValidHost,
    PolicyViolation,
    QuotaExceeded,
    ValidationFailed,
)
from andromede.kernel.ids import new_id
from andromede.kernel.names import display_name
from andromede.kernel.tenants import TenantRef
from andromede.sovereignty.service import SovereigntyService
from andromede.tenancy.scope import (
    Caller,
    may_change_resources,
    note_read,
    resource_scope,
    visible,
)
from andromede.tenancy.service import TenancyService
from andromede.tenancy.store import Project

__all__ = ["ComputeService", "QuotaDefaults", "ServerRequest"]

CLAIM_RETRIES = 5
SPREAD_SUBSET = 4  # concurrent creates spread over the 4 best hosts (see placement.place)
CANDIDATES = 16  # best-ranked hosts read per create; see catalog.store.best_host_rows
GROUP_POLICIES = ("affinity", "anti-affinity")
QUOTAS = ("instances", "cores", "ram_mib", "storage_gib")
KEYPAIR_NAME = re.compile(r"[A-Za-z0-9 _.@-]+")


@dataclass(frozen=True)
class QuotaDefaults:
    """Project quotas where a project has none of its own, and the largest root volume
    anyone may ask for (a volume is billed per GiB: a typo must not cost a fortune)."""

    instances: int = 20
    cores: int = 40
    ram_mib: int = 102400
    storage_gib: int = 2048
    max_volume_gib: int = 16384


@dataclass(frozen=True)
class ServerRequest:
    project_id: str
    name: str
    flavor: str
    image: str
    region: str
    zone: str | None = None
    server_group: str | None = None
    key_name: str | None = None
    root_volume_gib: int | None = None
    required_traits: tuple[str, ...] = ()
    weigher: str = "spread"
    networks: tuple[str, ...] | None = None  # None or ("auto",): the region's; (): none
    metadata: tuple[tuple[str, str], ...] = ()
    access_ipv4: str | None = None
    access_ipv6: str | None = None


def ref_of(row: Any) -> TenantRef:
    return TenantRef(row.partner_id, row.customer_id, row.project_id)


def _require_change(caller: Caller, ref: TenantRef) -> None:
    if not may_change_resources(caller.actor, ref):
        if caller.actor.grants:
            raise Forbidden("the customer's grant allows reading only")
        raise Forbidden(f"role {caller.actor.role} may not change resources")


def snapshot(rows: list[Any]) -> list[HostState]:
    return [
        HostState(
            id=r.id,
            name=r.name,
            region=r.region_code,
            zone=r.zone_code,
            vcpus=r.vcpus,
            ram_mib=r.ram_mib,
            disk_gib=r.disk_gib,
            cpu_ratio=r.cpu_ratio,
            ram_ratio=r.ram_ratio,
            disk_ratio=r.disk_ratio,
            traits=frozenset(r.traits or ()),
            enabled=r.enabled and not r.maintenance,
            used_vcpus=r.used_vcpus,
            used_ram_mib=r.used_ram_mib,
            used_disk_gib=r.used_disk_gib,
        )
        for r in rows
    ]


class ComputeService:
    def __init__(
        self,
        clock: Clock,
        tenancy: TenancyService,
        catalog: CatalogService,
        sovereignty: SovereigntyService,
        quotas: QuotaDefaults,
    ) -> None:
        self.clock = clock
        self.tenancy = tenancy
        self.catalog = catalog
        self.sovereignty = sovereignty
        self.quotas = quotas

    # -- helpers ---------------------------------------------------------------
    def _project_for_write(
        self, session: Session, caller: Caller, project_id: str, *, lock: bool = False
    ) -> Project:
        project = self._visible_project(session, caller, project_id, lock=lock)
        _require_change(caller, TenantRef(project.partner_id, project.customer_id, project.id))
        self.tenancy.require_active(session, project.customer_id)
        return project

    def _visible_project(
        self, session: Session, caller: Caller, project_id: str, *, lock: bool = False
    ) -> Project:
        scope = resource_scope(caller.actor)
        if scope.nothing:
            raise NotFound("project", project_id)
        project = self.tenancy.get_project(session, caller, project_id, lock=lock)
        if not visible(scope, TenantRef(project.partner_id, project.customer_id)):
            raise NotFound("project", project_id)  # staff: a customer without a grant
        return project

    def _get(
        self,
        session: Session,
        caller: Caller,
        model: Any,
        kind: str,
        obj_id: str,
        write: bool = False,
    ) -> Any:
        found = visible_one(session, model, obj_id, resource_scope(caller.actor), kind)
        note_read(caller, ref_of(found))
        if write:
            _require_change(caller, ref_of(found))
        return found

    def _page(
        self,
        session: Session,
        caller: Caller,
        model: Any,
        *,
        limit: int,
        marker: str | None,
        **filters: Any,
    ) -> list[Any]:
        live = (model.status != "DELETED",) if filters.pop("exclude_deleted", False) else ()
        rows = scoped_page(
            session,
            model,
            resource_scope(caller.actor),
            limit=limit,
            marker=marker,
            filters=filters,
            where=live,
        )
        for row in rows:
            note_read(caller, ref_of(row))
        return rows

    # -- servers ---------------------------------------------------------------
    def create_server(self, session: Session, caller: Caller, req: ServerRequest) -> Server:
        project = self._project_for_write(session, caller, req.project_id, lock=True)
        flavor, image, disk, root_volume = self._resolve_boot(session, req)
        region = self.catalog.region_code(session, req.region)
        zone = self._zone_in(session, req.zone, region)
        allowed, decision = self.sovereignty.allowed_zones(session, project, region, zone)
        group = self._group(session, caller, project, req.server_group)
        self._check_key(session, project, req.key_name)
        networks = self._networks(session, project, region, req.networks)
        wanted = (1, flavor.vcpus, flavor.ram_mib, disk + (root_volume or 0))
        self._check_quota(session, project, wanted)
        server_id = new_id()
        placement = self._place(
            session, req, server_id, flavor, disk, (region, zone, allowed), group
        )
        now = self.clock.now()
        server = Server(
            id=server_id,
            name=_resource_name(req.name),
            status=Status.BUILD.value,
            desired=Status.ACTIVE.value,
            flavor_id=flavor.id,
            image_id=image.id,
            region_code=placement.region,
            zone_code=placement.zone,
            host_id=placement.host_id,
            server_group_id=group.id if group else None,
            key_name=req.key_name,
            vcpus=flavor.vcpus,
            ram_mib=flavor.ram_mib,
            disk_gib=disk,
            root_volume_gib=root_volume,
            created_by=caller.actor.user_id,
            created_at=now,
            updated_at=now,
            partner_id=project.partner_id,
            customer_id=project.customer_id,
            project_id=project.id,
            metadata_=_metadata(req.metadata),
            access_ipv4=req.access_ipv4,
            access_ipv6=req.access_ipv6,
        )
        session.add(server)
        session.flush()
        for network in networks:
            self._attach(session, server, network)
        store.record_event(session, server, None, now)
        self.sovereignty.record_decision(session, "server.create", server.id, decision)
        self.tenancy.audit(session, caller, "server.create", "server", server.id, ref_of(server))
        return server

    def _resolve_boot(
        self, session: Session, req: ServerRequest
    ) -> tuple[FlavorSpec, ImageSpec, int, int | None]:
        errors: list[FieldError] = []
        flavor = self.catalog.flavor_spec(session, req.flavor or "")
        image = self.catalog.image_spec(session, req.image or "")
        if flavor is None:
            errors.append(FieldError("flavor", f"unknown flavor {req.flavor!r}"))
        if image is None:
            errors.append(FieldError("image", f"unknown image {req.image!r}"))
        if flavor is None or image is None:
            raise ValidationFailed(errors)
        if flavor.disk_gib:
            if flavor.disk_gib < image.min_disk_gib:
                raise ValidationFailed.one(
                    "flavor", f"disk {flavor.disk_gib} GiB < image min_disk {image.min_disk_gib}"
                )
            return flavor, image, flavor.disk_gib, None
        volume = req.root_volume_gib or image.min_disk_gib
        if volume > self.quotas.max_volume_gib:
            raise ValidationFailed.one(
                "root_volume_gib", f"at most {self.quotas.max_volume_gib} GiB per volume"
            )
        if volume < image.min_disk_gib:
            raise ValidationFailed.one(
                "root_volume_gib", f"must be at least the image's {image.min_disk_gib} GiB"
            )
        return flavor, image, 0, volume

    def _zone_in(self, session: Session, ref: str | None, region_code: str) -> str | None:
        if ref is None:
            return None
        zone = catalog_store.by_id_or_name(session, catalog_store.Zone, ref, "code")
        if zone is None or zone.region_code != region_code:
            raise ValidationFailed.one("zone", f"no zone {ref!r} in region {region_code}")
        return str(zone.code)

    def _group(
        self, session: Session, caller: Caller, project: Project, ref: str | None
    ) -> ServerGroup | None:
        if ref is None:
            return None
        group = scoped_get(session, ServerGroup, ref, resource_scope(caller.actor))
        if group is None:
            group = store.find_by_name(session, ServerGroup, project.id, ref)
        if group is None or group.project_id != project.id:
            raise ValidationFailed.one("server_group", f"no server group {ref!r} in project")
        store.lock_group(session, group.id)
        return group  # type: ignore[no-any-return]

    def _check_key(self, session: Session, project: Project, key_name: str | None) -> None:
        if key_name and store.find_by_name(session, Keypair, project.id, key_name) is None:
            raise ValidationFailed.one("key_name", f"no keypair {key_name!r} in project")

    # -- networks --------------------------------------------------------------
    def _networks(
        self, session: Session, project: Project, region: str, wanted: tuple[str, ...] | None
    ) -> list[Network]:
        """``auto`` (or nothing said): the region's provider network; ``none``: none;
        else the networks named, each shared or the project's own, in the region."""
        if wanted is None or wanted == ("auto",):
            return [self._network(session, region, None)]
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

    def _network(self, session: Session, region: str, project: Project | None) -> Network:
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
            name=f"provider-{region}" if shared else f"{project.name}-{region}",  # type: ignore[union-attr]
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

    def _attach(self, session: Session, server: Server, network: Network) -> None:
        store.lock_network(session, network.id)
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

    def addresses(
        self, session: Session, server_ids: list[str]
    ) -> dict[str, dict[str, list[tuple[str, str]]]]:
        """server id → network name → [(address, mac)]."""
        found: dict[str, dict[str, list[tuple[str, str]]]] = {}
        for server_id, network, address, mac in store.ports_of(session, server_ids):
            found.setdefault(server_id, {}).setdefault(network, []).append((address, mac))
        return found

    def list_networks(
        self, session: Session, caller: Caller, project_id: str | None
    ) -> list[Network]:
        """The shared provider networks (names, not servers: every tenant sees them) and,
        with a project, the project's own network in each region (made on first look)."""
        project = self._visible_project(session, caller, project_id) if project_id else None
        for region in self.catalog.all_regions(session):
            self._network(session, region.code, None)
            if project is not None:
                self._network(session, region.code, project)
        return store.networks_for(session, project.id if project else None)

    def _check_quota(
        self, session: Session, project: Project, wanted: tuple[int, int, int, int]
    ) -> None:
        """``wanted``: (instances, cores, RAM MiB, storage GiB) more. The project row is
        locked by the caller, so two creates cannot both pass."""
        used = store.project_usage(session, project.id)
        limits = self.quota_limits(project)
        for name, in_use, more in zip(QUOTAS, used, wanted, strict=True):
            if more > 0 and in_use + more > limits[name]:
                raise QuotaExceeded(name, limits[name], in_use, more)

    def quota_limits(self, project: Project) -> dict[str, int]:
        return {
            "instances": _or(project.quota_instances, self.quotas.instances),
            "cores": _or(project.quota_cores, self.quotas.cores),
            "ram_mib": _or(project.quota_ram_mib, self.quotas.ram_mib),
            "storage_gib": _or(project.quota_storage_gib, self.quotas.storage_gib),
        }

    def _place(
        self,
        session: Session,
        req: ServerRequest,
        server_id: str,
        flavor: FlavorSpec,
        disk: int,
        where: tuple[str, str | None, frozenset[str]],
        group: ServerGroup | None,
    ) -> Placement:
        """``where``: the region, the zone asked for, the zones residency allows."""
        region, zone, allowed = where
        if req.weigher not in ("spread", "pack"):
            raise ValidationFailed.one("weigher", "must be spread or pack")
        request = PlacementRequest(
            vcpus=flavor.vcpus,
            ram_mib=flavor.ram_mib,
            disk_gib=disk,
            region=region,
            zone=zone,
            zones=allowed,
            required_traits=frozenset(req.required_traits),
            group_policy=group.policy if group else None,  # type: ignore[arg-type]
            group_hosts=store.group_hosts(session, group.id) if group else frozenset(),
            weigher=req.weigher,  # type: ignore[arg-type]
            subset_size=SPREAD_SUBSET if req.weigher == "spread" else 1,
            seed=int(server_id[:8], 16),
        )
        lost: set[str] = set()
        need = (flavor.vcpus, flavor.ram_mib, disk)
        for _ in range(CLAIM_RETRIES):
            best = catalog_store.best_host_rows(
                session, region, zone, need, spread=req.weigher == "spread", limit=CANDIDATES
            )
            result = place(snapshot(best), request)
            if isinstance(result, NoFit):  # the full snapshot: exact answer and its reasons
                result = place(snapshot(catalog_store.host_rows(session, region, zone)), request)
            if isinstance(result, NoFit):
                raise NoValidHost(result.reasons)
            if catalog_store.claim(session, result.host_id, flavor.vcpus, flavor.ram_mib, disk):
                return result
            lost.add(result.host_id)
            request = replace(request, exclude_hosts=frozenset(lost))
        raise NoValidHost({"retry": f"lost {CLAIM_RETRIES} concurrent claims"})

    def get_server(self, session: Session, caller: Caller, server_id: str) -> Server:
        server: Server = self._get(session, caller, Server, "server", server_id)
        if server.status == Status.DELETED:
            raise NotFound("server", server_id)
        return server

    def list_servers(
        self,
        session: Session,
        caller: Caller,
        *,
        limit: int,
        marker: str | None,
        project_id: str | None = None,
        status: str | None = None,
        name: str | None = None,
    ) -> list[Server]:
        return self._page(
            session,
            caller,
            Server,
            limit=limit,
            marker=marker,
            project_id=project_id,
            status=status,
            name=name,
            exclude_deleted=status is None,
        )

    def act(
        self,
        session: Session,
        caller: Caller,
        server_id: str,
        action: str,
        reboot_type: str = "SOFT",
    ) -> Server:
        server = self.get_server(session, caller, server_id)
        _require_change(caller, ref_of(server))
        try:
            verb = Action(action)
        except ValueError:
            raise ValidationFailed.one("action", "must be start, stop, reboot or delete") from None
        if reboot_type not in ("SOFT", "HARD"):
            raise ValidationFailed.one("type", "must be SOFT or HARD")
        intent = apply_action(verb, Status(server.status), Status(server.desired))
        before = server.status
        server.desired = intent.desired.value
        server.status = intent.status.value
        server.reboot_type = reboot_type if verb is Action.REBOOT else None
        server.updated_at = self.clock.now()
        if server.status != before:
            store.record_event(session, server, before, server.updated_at)
        self.tenancy.audit(
            session, caller, f"server.{verb.value}", "server", server.id, ref_of(server)
        )
        return server

    def resize(self, session: Session, caller: Caller, server_id: str, flavor_ref: str) -> Server:
        """A cold resize: the server is stopped, stays on its host if the host has room,
        and keeps its root disk (so the new flavor has the same disk size). Usage is
        metered at the new flavor from this instant."""
        server = self.get_server(session, caller, server_id)
        _require_change(caller, ref_of(server))
        flavor = self.catalog.flavor_spec(session, flavor_ref or "")
        if flavor is None:
            raise ValidationFailed.one("flavor", f"unknown flavor {flavor_ref!r}")
        if server.status != Status.SHUTOFF.value or server.desired != Status.SHUTOFF.value:
            raise Conflict("stop the server before resizing it")
        if flavor.id == server.flavor_id:
            raise ValidationFailed.one("flavor", "the server already has this flavor")
        if flavor.disk_gib != server.disk_gib:
            raise ValidationFailed.one(
                "flavor",
                f"a resize keeps the root disk: choose a flavor with {server.disk_gib} GiB",
            )
        project = self._project_for_write(session, caller, server.project_id, lock=True)
        delta = (flavor.vcpus - server.vcpus, flavor.ram_mib - server.ram_mib)
        self._check_quota(session, project, (0, *delta, 0))
        if server.host_id and not catalog_store.adjust(session, server.host_id, *delta):
            raise Conflict("the server's host has no room for this flavor")
        server.flavor_id, server.vcpus, server.ram_mib = flavor.id, flavor.vcpus, flavor.ram_mib
        server.updated_at = self.clock.now()
        store.record_event(session, server, server.status, server.updated_at)
        self.tenancy.audit(session, caller, "server.resize", "server", server.id, ref_of(server))
        return server

    def update_server(
        self,
        session: Session,
        caller: Caller,
        server_id: str,
        *,
        name: str | None = None,
        access_ipv4: str | None = None,
        access_ipv6: str | None = None,
    ) -> Server:
        """Rename, or set the addresses a user publishes for the server (Nova's access IPs)."""
        server = self.get_server(session, caller, server_id)
        _require_change(caller, ref_of(server))
        if name is not None:
            server.name = _resource_name(name)
        for field_name, value, version in (
            ("access_ipv4", access_ipv4, 4),
            ("access_ipv6", access_ipv6, 6),
        ):
            if value is not None:
                setattr(server, field_name, _ip(value, version, field_name))
        server.updated_at = self.clock.now()
        self.tenancy.audit(session, caller, "server.update", "server", server.id, ref_of(server))
        return server

    def region_for(
        self, session: Session, caller: Caller, project_id: str, zone: str | None
    ) -> str:
        """The region of the zone asked for; without one, the first region (by code)
        where the project's residency policy allows a zone. When none does, the refusal
        of the first region explains why."""
        if zone:
            found = catalog_store.by_id_or_name(session, catalog_store.Zone, zone, "code")
            if found is None:
                raise ValidationFailed.one("availability_zone", f"no zone {zone!r}")
            return str(found.region_code)
        project = self._visible_project(session, caller, project_id)
        refusals = []
        for region in sorted(r.code for r in self.catalog.all_regions(session)):
            try:
                self.sovereignty.allowed_zones(session, project, region, None)
            except PolicyViolation as refused:
                refusals.append(refused)
                continue
            return region
        if refusals:
            raise refusals[0]
        raise ValidationFailed.one("availability_zone", "no region is open yet")

    def project_quota(self, session: Session, caller: Caller, project_id: str) -> dict[str, Any]:
        project = self.tenancy.get_project(session, caller, project_id)
        used = store.project_usage(session, project.id)
        limits = self.quota_limits(project)
        return {name: {"limit": limits[name], "in_use": used[i]} for i, name in enumerate(QUOTAS)}

    def state_history(
        self, session: Session, since: datetime, until: datetime, customer_id: str | None = None
    ) -> list[Any]:
        """State changes as plain rows: metering reads them without compute knowing it."""
        return store.state_history(session, since, until, customer_id)

    def live_servers(self, session: Session, ref: TenantRef) -> list[Server]:
        """Servers not deleted under a tenant path (everything for the operator's path)."""
        return store.live_servers(session, ref.partner_id, ref.customer_id, ref.project_id)

    def customer_inventory(
        self, session: Session, customer_id: str
    ) -> tuple[list[Server], list[Keypair], list[ServerGroup]]:
        """Live servers, keypairs and server groups of a customer (export, erasure)."""
        return (
            store.live_servers(session, None, customer_id, None),
            store.of_customer(session, Keypair, customer_id),
            store.of_customer(session, ServerGroup, customer_id),
        )

    def servers_since(self, session: Session, customer_id: str, since: datetime) -> list[Server]:
        return store.servers_of_customer(session, customer_id, since)

    def count_servers(self, session: Session, customer_id: str) -> int:
        """A count, not the servers: what operator support may know of a tenant."""
        return store.count_live_servers(session, customer_id)

    def count_resources(self, session: Session, project_id: str) -> int:
        return store.count_resources(session, project_id)

    # -- keypairs --------------------------------------------------------------
    def create_keypair(
        self, session: Session, caller: Caller, *, project_id: str, name: str, public_key: str
    ) -> Keypair:
        project = self._project_for_write(session, caller, project_id)
        try:
            key_type, blob = parse_public_key(public_key or "")
        except ValueError as exc:
            raise ValidationFailed.one("public_key", str(exc)) from None
        keypair = Keypair(
            id=new_id(),
            name=_keypair_name(name),
            key_type=key_type,
            public_key=public_key.strip(),
            fingerprint=fingerprint(blob),
            created_at=self.clock.now(),
            partner_id=project.partner_id,
            customer_id=project.customer_id,
            project_id=project.id,
        )
        insert_unique(session, keypair, f"keypair {keypair.name!r} already exists")
        self.tenancy.audit(
            session, caller, "keypair.create", "keypair", keypair.id, ref_of(keypair)
        )
        return keypair

    def get_keypair(self, session: Session, caller: Caller, keypair_id: str) -> Keypair:
        return self._get(session, caller, Keypair, "keypair", keypair_id)  # type: ignore[no-any-return]

    def list_keypairs(
        self,
        session: Session,
        caller: Caller,
        *,
        limit: int,
        marker: str | None,
        project_id: str | None = None,
    ) -> list[Keypair]:
        return self._page(
            session, caller, Keypair, limit=limit, marker=marker, project_id=project_id
        )

    def delete_keypair(self, session: Session, caller: Caller, keypair_id: str) -> None:
        keypair = self._get(session, caller, Keypair, "keypair", keypair_id, write=True)
        session.delete(keypair)
        self.tenancy.audit(
            session, caller, "keypair.delete", "keypair", keypair.id, ref_of(keypair)
        )

    # -- server groups ---------------------------------------------------------
    def create_group(
        self, session: Session, caller: Caller, *, project_id: str, name: str, policy: str
    ) -> ServerGroup:
        project = self._project_for_write(session, caller, project_id)
        if policy not in GROUP_POLICIES:
            raise ValidationFailed.one("policy", "must be affinity or anti-affinity")
        group = ServerGroup(
            id=new_id(),
            name=_resource_name(name),
            policy=policy,
            created_at=self.clock.now(),
            partner_id=project.partner_id,
            customer_id=project.customer_id,
            project_id=project.id,
        )
        insert_unique(session, group, f"server group {group.name!r} already exists")
        self.tenancy.audit(
            session, caller, "server_group.create", "server_group", group.id, ref_of(group)
        )
        return group

    def get_group(self, session: Session, caller: Caller, group_id: str) -> ServerGroup:
        return self._get(session, caller, ServerGroup, "server group", group_id)  # type: ignore[no-any-return]

    def group_members(self, session: Session, group_id: str) -> list[str]:
        return store.group_members(session, group_id)

    def list_groups(
        self,
        session: Session,
        caller: Caller,
        *,
        limit: int,
        marker: str | None,
        project_id: str | None = None,
    ) -> list[ServerGroup]:
        return self._page(
            session, caller, ServerGroup, limit=limit, marker=marker, project_id=project_id
        )

    def delete_group(self, session: Session, caller: Caller, group_id: str) -> None:
        group = self._get(session, caller, ServerGroup, "server group", group_id, write=True)
        store.detach_group(session, group.id)
        session.delete(group)
        self.tenancy.audit(
            session, caller, "server_group.delete", "server_group", group.id, ref_of(group)
        )


def _ip(value: str, version: int, field_name: str) -> str | None:
    if value == "":
        return None
    try:
        address = ipaddress.ip_address(value)
    except ValueError:
        raise ValidationFailed.one(field_name, f"not an IPv{version} address") from None
    if address.version != version:
        raise ValidationFailed.one(field_name, f"not an IPv{version} address")
    return str(address)


def _metadata(pairs: tuple[tuple[str, str], ...]) -> dict[str, str]:
    """Nova's limits: at most 128 items, keys and values of 1–255 and 0–255 characters."""
    if len(pairs) > 128:
        raise ValidationFailed.one("metadata", "at most 128 items")
    for key, value in pairs:
        if not 1 <= len(key) <= 255 or len(value) > 255:
            raise ValidationFailed.one("metadata", "keys of 1 to 255, values up to 255 characters")
    return dict(pairs)


def _or(value: int | None, default: int) -> int:
    return default if value is None else value


def _keypair_name(name: str) -> str:
    """Nova addresses a keypair by name in the URL path: letters, digits, spaces and
    ``_ - . @`` only (what Nova itself allows), so every name can be fetched and deleted."""
    name = _resource_name(name)
    if not KEYPAIR_NAME.fullmatch(name):
        raise ValidationFailed.one("name", "letters, digits, spaces and _ - . @ only")
    return name


def _resource_name(name: str) -> str:
    return display_name("name", name or "", 255)
