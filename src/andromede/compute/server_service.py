"""Use cases of servers: create, actions, resize, rename, and the reads other
capabilities need (metering's state history, offboarding's inventory).

Create runs in one transaction: quota check under the project's row lock, placement and a
guarded claim (``claim_service``), ports (``network_service``), the server row in BUILD
with desired ACTIVE, its first state event and the audit entry. Any error leaves nothing
written.
"""

from collections.abc import Callable, Collection, Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar

from sqlalchemy.orm import Session

from andromede.audit import service as audit_service
from andromede.audit.actions import AuditAction
from andromede.catalog.image_service import Image, ImageService, SnapshotSource
from andromede.catalog.service import CatalogService, FlavorSpec, ImageSpec
from andromede.compute import run_carry_store, store
from andromede.compute.claim_service import ClaimService, Need
from andromede.compute.firewall_push_store import want_push
from andromede.compute.instance_actions import InstanceAction, instance_actions
from andromede.compute.keypair_service import Keypair, KeypairService, ServerGroup
from andromede.compute.lifecycle import Action, Status, apply_action
from andromede.compute.network_service import NetworkService
from andromede.compute.quota_service import QuotaService
from andromede.compute.security_group_service import SecurityGroupService
from andromede.compute.server_fields import (
    UNSET,
    RebuildChanges,
    clean_tags,
    description_field,
    ip_field,
    metadata_field,
)
from andromede.compute.store import Server, ServerEvent
from andromede.db import time_reader
from andromede.kernel.clock import Clock
from andromede.kernel.errors import (
    Conflict,
    FieldError,
    NotFound,
    NoValidHost,
    PolicyViolation,
    ValidationFailed,
)
from andromede.kernel.ids import new_id
from andromede.kernel.tenants import TenantRef
from andromede.sovereignty.service import SovereigntyService
from andromede.storage.volume_service import RootPlan, RootVolume, VolumeService
from andromede.tenancy.resources import (
    ProjectResources,
    ref_of,
    require_change,
    resource_name,
)
from andromede.tenancy.scope import Caller
from andromede.tenancy.service import TenancyService

__all__ = [
    "Keypair",
    "Server",
    "ServerEvent",
    "ServerGroup",
    "ServerRequest",
    "ServerService",
]

T = TypeVar("T", bound=tuple[Any, ...])  # the reader's own tuple type for a state change


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
    root_volume_gib: int | None = None  # a root volume (0: the image's size)
    root_volume_type: str | None = None  # the region's default type when None
    root_delete_on_termination: bool = True
    required_traits: tuple[str, ...] = ()
    weigher: str = "spread"
    networks: tuple[str, ...] | None = None  # None or ("auto",): the region's; (): none
    metadata: tuple[tuple[str, str], ...] = ()
    access_ipv4: str | None = None
    access_ipv6: str | None = None
    user_data: str | None = None  # cloud-init, handed to the node at boot
    reservation_id: str | None = None  # Nova's, shared by the servers of one request
    security_groups: tuple[str, ...] = ()  # names or ids; none named: the project's default
    description: str | None = None  # Nova's, from 2.19
    tags: tuple[str, ...] = ()  # Nova's, from 2.52


MAX_USER_DATA = 65_535  # as Nova
RESIZABLE = (Status.ACTIVE.value, Status.SHUTOFF.value)
SORTS = {
    "created": (Server.created_at.desc(),),
    "name": (Server.name,),
    "status": (Server.status, Server.name),
    "flavor": (Server.flavor_id, Server.name),
}


class ServerService(ProjectResources):
    def __init__(
        self,
        clock: Clock,
        tenancy: TenancyService,
        catalog: CatalogService,
        sovereignty: SovereigntyService,
        quotas: QuotaService,
        images: ImageService,
        volumes: VolumeService,
    ) -> None:
        super().__init__(clock, tenancy)
        self.volumes = volumes
        self.catalog = catalog
        self.images = images
        self.sovereignty = sovereignty
        self.quotas = quotas
        self.claims = ClaimService()
        self.networks = NetworkService(clock, tenancy, catalog)
        self.keypairs = KeypairService(clock, tenancy)
        self.security_groups = SecurityGroupService(clock, tenancy)
        # what else lets go of a server deleted (its volumes), in the same transaction
        self.on_delete: list[Callable[[Session, str], object]] = []

    # -- servers ---------------------------------------------------------------
    def create_server(self, session: Session, caller: Caller, req: ServerRequest) -> Server:
        project = self.project_for_write(session, caller, req.project_id, lock=True)
        region = self.catalog.region_code(session, req.region)
        flavor, image, disk, root_volume = self._resolve_boot(session, req, region)
        zone = self._zone_in(session, req.zone, region)
        allowed, decision = self.sovereignty.allowed_zones(session, project, region, zone)
        root_plan = self._root_plan(session, req, region, root_volume, allowed)
        if root_plan is not None:
            allowed = root_plan.zones
        group = self.keypairs.group_for_server(session, caller, project, req.server_group)
        self.keypairs.check_key(session, project, req.key_name)
        networks = self.networks.for_server(session, project, region, req.networks)
        own_ports = self.networks.ports_for_server(session, project, region, req.networks)
        firewall = self.security_groups.for_server(session, project, req.security_groups)
        wanted = (1, flavor.vcpus, flavor.ram_mib, disk + (root_volume or 0))
        self.quotas.take(session, project, wanted)
        counts = self.networks.reserve(session, networks)  # networks locked before hosts
        server_id = new_id()
        need = Need(
            flavor.vcpus,
            flavor.ram_mib,
            disk,
            region,
            zone,
            allowed,
            req.required_traits,
            req.weigher,
            group.id if group else None,
            group.policy if group else None,
            (group.max_per_host or 1) if group else 1,
        )
        placement = self.claims.place_and_claim(session, need, server_id)
        now = self.clock.now()
        server = Server(
            id=server_id,
            name=resource_name(req.name),
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
            metadata_=metadata_field(req.metadata),
            access_ipv4=ip_field(req.access_ipv4 or "", 4, "accessIPv4"),
            access_ipv6=ip_field(req.access_ipv6 or "", 6, "accessIPv6"),
            user_data=_checked_user_data(req.user_data),
            reservation_id=req.reservation_id,
            description=description_field(req.description),
        )
        session.add(server)
        session.flush()
        if req.tags:
            store.replace_tags(session, server.id, clean_tags(list(req.tags)))
        self.security_groups.join(session, server.id, firewall)
        for network in networks:
            self.networks.attach(session, server, network, counts[network.id].pop(0))
        self.networks.bind(session, server, own_ports)
        store.record_event(session, server, None, now)
        self.sovereignty.record_decision(session, AuditAction.SERVER_CREATE, server.id, decision)
        if root_plan is not None:  # last: its pool's row is locked from here to the commit
            root = RootVolume(
                server.id, region, placement.zone, root_volume or 0, image.id,
                req.root_volume_type, req.root_delete_on_termination,
            )  # fmt: skip
            self.volumes.create_root(session, caller, project, root, root_plan)
        self.tenancy.audit(
            session, caller, AuditAction.SERVER_CREATE, "server", server.id, ref_of(server)
        )
        return server

    def _resolve_boot(
        self, session: Session, req: ServerRequest, region: str
    ) -> tuple[FlavorSpec, ImageSpec, int, int | None]:
        errors: list[FieldError] = []
        flavor = self.catalog.flavor_spec(session, req.flavor or "")
        image = self.image_for(session, req.project_id, req.image or "", region)
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
        volume = req.root_volume_gib or image.min_disk_gib  # 0 or None: the image's
        if volume > self.quotas.defaults.max_volume_gib:
            raise ValidationFailed.one(
                "root_volume_gib", f"at most {self.quotas.defaults.max_volume_gib} GiB per volume"
            )
        if volume < image.min_disk_gib:
            raise ValidationFailed.one(
                "root_volume_gib", f"must be at least the image's {image.min_disk_gib} GiB"
            )
        return flavor, image, 0, volume

    def _root_plan(
        self,
        session: Session,
        req: ServerRequest,
        region: str,
        size: int | None,
        allowed: frozenset[str],
    ) -> RootPlan | None:
        """A server with a root volume goes where its volume can be made too."""
        plan = (
            self.volumes.plan_root(session, region, req.root_volume_type, size, allowed)
            if size
            else None
        )
        if req.root_volume_type and plan is None:
            raise ValidationFailed.one(
                "block_device_mapping_v2", f"region {region} sells no volume types"
            )
        if plan is not None and not plan.zones:
            raise NoValidHost({"root volume": f"no storage pool with room for {size} GiB"})
        return plan

    def image_for(
        self, session: Session, project_id: str, ref: str, region: str
    ) -> ImageSpec | None:
        return self.images.spec_for(session, self.catalog.image_spec, project_id, ref, region)

    def set_user_data(self, session: Session, caller: Caller, server_id: str, text: str) -> None:
        """User data decided once the server exists (a cluster's nodes need each other's
        addresses): only before the server first boots, in the transaction that made it."""
        server = self.get_server(session, caller, server_id)
        require_change(caller, ref_of(server))
        if server.status != Status.BUILD.value or server.created_by != caller.actor.user_id:
            raise Conflict("user data is set before the server boots, by who makes it")
        server.user_data = _checked_user_data(text)

    def _zone_in(self, session: Session, ref: str | None, region_code: str) -> str | None:
        if ref is None:
            return None
        zone = self.catalog.find_zone(session, ref)
        if zone is None or zone.region_code != region_code:
            raise ValidationFailed.one("zone", f"no zone {ref!r} in region {region_code}")
        return str(zone.code)

    def states(self, session: Session, server_ids: list[str]) -> dict[str, tuple[str, str]]:
        """(status, desired) of these servers, for the capabilities above compute that made
        them (an environment's members); deleted ones are absent."""
        return store.states(session, server_ids)

    def customers_of(self, session: Session, server_ids: Collection[str]) -> set[str]:
        """Who owns these servers (deleted ones too): a close finds the customers whose
        usage it keeps piece by piece before it reads their servers' changes."""
        return store.customers_of(session, server_ids)

    def get_server(self, session: Session, caller: Caller, server_id: str) -> Server:
        server = self.visible_row(session, caller, Server, "server", server_id)
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
        return self.page(
            session,
            caller,
            Server,
            limit=limit,
            marker=marker,
            project_id=project_id,
            status=status,
            name=name,
            exclude_deleted=status is None,
            lean=True,  # shown, never changed: rows with the server's attribute names
        )

    def browse(
        self,
        session: Session,
        caller: Caller,
        *,
        sort: str,
        offset: int,
        limit: int,
        project_id: str | None = None,
        status: str | None = None,
        name: str | None = None,
    ) -> tuple[list[Server], int]:
        """A page of the caller's servers in a person's order (``created``: newest first,
        ``name``, ``status``, ``flavor``), and how many match in all."""
        order = SORTS.get(sort, SORTS["created"])
        filters = {"project_id": project_id, "status": status, "name": name}
        return self.window(
            session, caller, Server, order_by=order, offset=offset, limit=limit, **filters
        )

    def act(
        self,
        session: Session,
        caller: Caller,
        server_id: str,
        action: str,
        reboot_type: str = "SOFT",
    ) -> Server:
        server = self.unlocked(session, caller, server_id)
        try:
            verb = Action(action)
        except ValueError:
            raise ValidationFailed.one("action", "must be start, stop, reboot or delete") from None
        if verb is not Action.DELETE:
            _refuse_resized(server)
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
        if verb is Action.DELETE:
            for hook in self.on_delete:
                hook(session, server.id)
        self.tenancy.audit(
            session,
            caller,
            AuditAction(f"server.{verb.value}"),
            "server",
            server.id,
            ref_of(server),
        )
        return server

    def resize(
        self,
        session: Session,
        caller: Caller,
        server_id: str,
        flavor_ref: str,
        *,
        to_confirm: bool = False,
    ) -> Server:
        """A resize on the server's host (if the host has room) that keeps its root disk (so
        the new flavor has the same disk size). A stopped server stays stopped; a running
        one is restarted by its hypervisor at the new size, as Nova powers it off and on.
        Usage is metered at the new flavor from this instant. ``to_confirm`` (Nova's
        resize): the server then waits for ``confirm_resize`` or ``revert_resize``."""
        server = self._settled(session, caller, server_id)
        previous = server.flavor_id
        self._resize(session, caller, server, flavor_ref)
        if to_confirm:
            server.resized_from = previous
        return server

    def confirm_resize(self, session: Session, caller: Caller, server_id: str) -> Server:
        server = self._resized(session, caller, server_id)
        server.resized_from = None
        server.updated_at = self.clock.now()
        self.tenancy.audit(
            session, caller, AuditAction.SERVER_RESIZE_CONFIRM, "server", server.id, ref_of(server)
        )
        return server

    def revert_resize(self, session: Session, caller: Caller, server_id: str) -> Server:
        """Back to the flavor it came from, with the same checks as a resize."""
        server = self._resized(session, caller, server_id)
        previous = server.resized_from or ""
        server.resized_from = None
        self._resize(session, caller, server, previous)
        self.tenancy.audit(
            session, caller, AuditAction.SERVER_RESIZE_REVERT, "server", server.id, ref_of(server)
        )
        return server

    def _resized(self, session: Session, caller: Caller, server_id: str) -> Server:
        server = self.unlocked(session, caller, server_id)
        if server.resized_from is None:
            raise ValidationFailed.one("action", "Instance has not been resized.")
        if server.status not in RESIZABLE or server.desired != server.status:
            raise Conflict(f"server {server.id} is still restarting at its new size")
        return server

    def _settled(self, session: Session, caller: Caller, server_id: str) -> Server:
        """The server, unlocked and not waiting for a resize's confirmation (Nova refuses
        other actions on a server in VERIFY_RESIZE, its deletion aside)."""
        server = self.unlocked(session, caller, server_id)
        _refuse_resized(server)
        return server

    def _resize(self, session: Session, caller: Caller, server: Server, flavor_ref: str) -> None:
        flavor = self.catalog.flavor_spec(session, flavor_ref or "")
        if flavor is None:
            raise ValidationFailed.one("flavor", f"unknown flavor {flavor_ref!r}")
        if server.status not in RESIZABLE or server.desired != server.status:
            raise Conflict(
                f"Cannot 'resize' instance {server.id} while it is in vm_state "
                f"{server.status.lower()}"
            )
        if flavor.id == server.flavor_id:
            raise ValidationFailed.one("flavor", "the server already has this flavor")
        if flavor.disk_gib != server.disk_gib:
            raise ValidationFailed.one(
                "flavor",
                f"a resize keeps the root disk: choose a flavor with {server.disk_gib} GiB",
            )
        project = self.project_for_write(session, caller, server.project_id, lock=True)
        delta = (flavor.vcpus - server.vcpus, flavor.ram_mib - server.ram_mib)
        self.quotas.take(session, project, (0, *delta, 0))
        self.claims.adjust(session, server.host_id, *delta)
        server.flavor_id, server.vcpus, server.ram_mib = flavor.id, flavor.vcpus, flavor.ram_mib
        server.updated_at = self.clock.now()
        before = server.status
        if before == Status.ACTIVE.value:  # restarted at its new size
            intent = apply_action(Action.REBOOT, Status.ACTIVE, Status.ACTIVE)
            server.status, server.reboot_type = intent.status.value, "HARD"
        store.record_event(session, server, before, server.updated_at)
        want_push(session, [server.id])  # a remote region resizes its VM once it holds still
        self.tenancy.audit(
            session, caller, AuditAction.SERVER_RESIZE, "server", server.id, ref_of(server)
        )

    def rebuild(
        self,
        session: Session,
        caller: Caller,
        server_id: str,
        image_ref: str,
        *,
        name: str | None = None,
        metadata: tuple[tuple[str, str], ...] | None = None,
        changes: RebuildChanges | None = None,
    ) -> Server:
        """Nova's rebuild: the same server (id, host, addresses, flavor) started again from
        an image, its root disk wiped; a stopped server is stopped again after. The
        ``changes`` later microversions allow go with it (description, keypair, user data)."""
        server = self._settled(session, caller, server_id)
        image = self.image_for(session, server.project_id, image_ref or "", server.region_code)
        if image is None:
            raise ValidationFailed.one("imageRef", f"unknown image {image_ref!r}")
        disk = server.disk_gib or server.root_volume_gib or 0
        if disk < image.min_disk_gib:
            raise ValidationFailed.one(
                "imageRef", f"the image needs {image.min_disk_gib} GiB, the server has {disk}"
            )
        intent = apply_action(Action.REBUILD, Status(server.status), Status(server.desired))
        before = server.status
        server.desired, server.status = intent.desired.value, intent.status.value
        server.image_id = image.id
        server.generation += 1
        server.name = resource_name(name) if name is not None else server.name
        if metadata is not None:
            server.metadata_ = metadata_field(metadata)
        if changes is not None:
            self._rebuild_changes(session, caller, server, changes)
        server.updated_at = self.clock.now()
        store.record_event(session, server, before, server.updated_at)
        self.tenancy.audit(
            session, caller, AuditAction.SERVER_REBUILD, "server", server.id, ref_of(server)
        )
        return server

    def _rebuild_changes(
        self, session: Session, caller: Caller, server: Server, changes: RebuildChanges
    ) -> None:
        if changes.description is not UNSET:
            server.description = description_field(changes.description)
        if changes.key_name is not UNSET:
            key = changes.key_name if isinstance(changes.key_name, str) else None
            project = self.project_for_write(session, caller, server.project_id)
            self.keypairs.check_key(session, project, key)
            server.key_name = key
        if changes.user_data is not UNSET:
            text = changes.user_data if isinstance(changes.user_data, str) else None
            server.user_data = _checked_user_data(text)

    def create_image(
        self, session: Session, caller: Caller, server_id: str, name: object, metadata: object
    ) -> Image:
        """Nova's createImage: a snapshot of a running or stopped server, saved by the
        reconciler (see ``ImageService.start_snapshot``)."""
        server = self._settled(session, caller, server_id)
        if server.status not in ("ACTIVE", "SHUTOFF") or server.desired != server.status:
            raise Conflict(
                f"Cannot 'createImage' instance {server.id} while it is in vm_state "
                f"{server.status.lower()}"
            )
        if not isinstance(name, str) or not name.strip():
            raise ValidationFailed.one("name", "the image's name is required")
        source = SnapshotSource(
            server.id,
            server.project_id,
            server.region_code,
            server.image_id,
            server.disk_gib or server.root_volume_gib or 0,
        )
        # a copy of the disk into the region's image store: a placement, policy-checked
        project = self.project_for_write(session, caller, server.project_id)
        _, decision = self.sovereignty.allowed_zones(session, project, server.region_code, None)
        image = self.images.start_snapshot(session, caller, source, name, metadata)
        self.sovereignty.record_decision(session, AuditAction.SERVER_SNAPSHOT, image.id, decision)
        self.tenancy.audit(
            session, caller, AuditAction.SERVER_SNAPSHOT, "server", server.id, ref_of(server)
        )
        return image

    def update_server(
        self,
        session: Session,
        caller: Caller,
        server_id: str,
        *,
        name: str | None = None,
        access_ipv4: str | None = None,
        access_ipv6: str | None = None,
        description: object = UNSET,
    ) -> Server:
        """Rename, describe, or set the addresses a user publishes for the server (Nova's
        access IPs)."""
        server = self.get_server(session, caller, server_id)
        require_change(caller, ref_of(server))
        if name is not None:
            server.name = resource_name(name)
        if description is not UNSET:
            server.description = description_field(description)
        for field_name, value, version in (
            ("access_ipv4", access_ipv4, 4),
            ("access_ipv6", access_ipv6, 6),
        ):
            if value is not None:
                setattr(server, field_name, ip_field(value, version, field_name))
        return self._updated(session, caller, server)

    def set_metadata(
        self,
        session: Session,
        caller: Caller,
        server_id: str,
        items: tuple[tuple[str, str], ...],
        *,
        replace: bool,
    ) -> dict[str, str]:
        """Nova's server metadata: ``items`` replace it all, or are merged into it."""
        server = self.unlocked(session, caller, server_id)
        current = {} if replace else dict(server.metadata_ or {})
        server.metadata_ = metadata_field(tuple({**current, **dict(items)}.items()))
        return self._updated(session, caller, server).metadata_

    def delete_metadata(self, session: Session, caller: Caller, server_id: str, key: str) -> None:
        server = self.unlocked(session, caller, server_id)
        if key not in (server.metadata_ or {}):
            raise NotFound("metadata key", key)
        server.metadata_ = {k: v for k, v in server.metadata_.items() if k != key}
        self._updated(session, caller, server)

    def change_security_group(
        self, session: Session, caller: Caller, server_id: str, ref: str, *, add: bool
    ) -> None:
        """Nova's addSecurityGroup / removeSecurityGroup: the server joins or leaves one
        of its project's groups."""
        server = self.unlocked(session, caller, server_id)
        if server.status == Status.DELETED.value:
            raise NotFound("server", server_id)
        project = self.visible_project(session, caller, server.project_id)
        change = (
            self.security_groups.add_to_server if add else self.security_groups.remove_from_server
        )
        change(session, project, server.id, ref)
        server.updated_at = self.clock.now()
        self.tenancy.audit(
            session,
            caller,
            AuditAction.SERVER_SECURITY_GROUPS,
            "server",
            server.id,
            ref_of(server),
        )

    def actions(self, session: Session, caller: Caller, server_id: str) -> list[InstanceAction]:
        """What was done to the server (Nova's instance actions), from the audit log."""
        server = self.get_server(session, caller, server_id)
        return instance_actions(audit_service.entries_of(session, "server", server.id))

    def unlocked(self, session: Session, caller: Caller, server_id: str) -> Server:
        """The server if the caller may change it and it is not locked (Nova's lock: only
        unlock, a rename and the system's own work, like an erasure, go through)."""
        server = self.get_server(session, caller, server_id)
        require_change(caller, ref_of(server))
        if server.locked and not caller.actor.system:
            raise Conflict(f"server {server.id} is locked: unlock it first")
        return server

    def request_crash_dump(self, session: Session, caller: Caller, server_id: str) -> Server:
        """Nova's trigger_crash_dump: an active, unlocked server only; the interrupt itself
        is the driver's, sent once this is recorded."""
        server = self.unlocked(session, caller, server_id)
        if server.status != Status.ACTIVE.value or server.desired != server.status:
            raise Conflict(
                f"Cannot 'trigger_crash_dump' instance {server.id} while it is in vm_state "
                f"{server.status.lower()}"
            )
        self.tenancy.audit(
            session, caller, AuditAction.SERVER_CRASH_DUMP, "server", server.id, ref_of(server)
        )
        return server

    def set_lock(
        self, session: Session, caller: Caller, server_id: str, *, locked: bool, reason: str | None
    ) -> Server:
        """Nova's lock and unlock: a locked server refuses every action but unlock."""
        server = self.get_server(session, caller, server_id)
        require_change(caller, ref_of(server))
        if reason is not None and (not isinstance(reason, str) or len(reason) > 255):
            raise ValidationFailed.one("locked_reason", "at most 255 characters")
        server.locked = locked
        server.locked_reason = reason if locked else None
        server.updated_at = self.clock.now()
        action = AuditAction.SERVER_LOCK if locked else AuditAction.SERVER_UNLOCK
        self.tenancy.audit(session, caller, action, "server", server.id, ref_of(server))
        return server

    def _updated(self, session: Session, caller: Caller, server: Server) -> Server:
        server.updated_at = self.clock.now()
        self.tenancy.audit(
            session, caller, AuditAction.SERVER_UPDATE, "server", server.id, ref_of(server)
        )
        return server

    def check_place(
        self, session: Session, caller: Caller, project_id: str, region: str, zone: str | None
    ) -> str:
        """Refuses a place the project's residency policy does not allow, before a set of
        servers is made there (a cluster is refused whole, not node by node); the region's
        code."""
        project = self.visible_project(session, caller, project_id)
        code = self.catalog.region_code(session, region)
        self.sovereignty.allowed_zones(session, project, code, self._zone_in(session, zone, code))
        return code

    def region_for(
        self,
        session: Session,
        caller: Caller,
        project_id: str,
        zone: str | None,
        networks: tuple[str, ...] | None = None,
    ) -> str:
        """The region of the zone asked for; without one, the region of the networks or
        ports named if they are all in one; else the first region (by code) where the
        project's residency policy allows a zone. When none does, the refusal of the
        first region explains why."""
        if zone:
            found = self.catalog.find_zone(session, zone)
            if found is None:
                raise ValidationFailed.one("availability_zone", f"no zone {zone!r}")
            return str(found.region_code)
        project = self.visible_project(session, caller, project_id)
        named = self.networks.regions_of(session, project, networks)
        if len(named) == 1:
            return named.pop()
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

    def check_region(self, session: Session, caller: Caller, project_id: str, region: str) -> None:
        """Refuses (with the policy's reasons) a region the project's residency policy
        allows no zone of: where a router or network asked for is placed."""
        project = self.visible_project(session, caller, project_id)
        self.sovereignty.allowed_zones(session, project, region, None)

    def status_counts(self, session: Session) -> dict[str, int]:
        """How many servers are in each state, across all tenants: counts only, which
        staff may see without any customer's grant."""
        return store.status_counts(session)

    def events(
        self, session: Session, caller: Caller, server_id: str, limit: int = 50
    ) -> list[ServerEvent]:
        """A server's state changes, newest first, for whoever may see the server."""
        server = self.get_server(session, caller, server_id)
        return store.events_of(session, server.id, limit)

    def state_history(
        self,
        session: Session,
        since: datetime,
        until: datetime,
        customer_id: str | None,
        make: type[T],
        partners: Collection[str] | None = None,
    ) -> Iterator[T]:
        """State changes as plain data: metering reads them without compute knowing it.
        ``make`` (the reader's own tuple type, one object per change: a month close reads
        300,000) receives seq, server id, time, status, flavor name, region, disk GiB,
        project, customer and partner. Rows are unpacked as tuples: reading ten attributes
        by name from each of 300,000 rows took 4.4 s, unpacking them 0.1 s. ``partners``:
        of their servers only. Made as they are read, in (server, time, sequence) order:
        read it whole before the session's next statement (on PostgreSQL the connection
        serves nothing else until then)."""
        facts, changes = store.state_history(session, since, until, customer_id, partners=partners)
        return self._maker(session, facts, make)(changes)

    def state_from(
        self,
        session: Session,
        since: datetime,
        until: datetime,
        customer_id: str | None,
        make: type[T],
        partners: Collection[str] | None = None,
    ) -> tuple[Iterator[T], dict[tuple[str, str], T]] | None:
        """``state_history`` from the latest month end at or before ``since`` whose open
        runs a close recorded (``record_open_runs``) on, and those runs by server and
        dimension (their opening changes); None if no close recorded any."""
        found = run_carry_store.carried_changes(session, since, customer_id, partners)
        if found is None:
            return None
        at, carried = found
        facts, changes = store.state_history(
            session, since, until, customer_id, starting=at, partners=partners
        )
        made = self._maker(session, facts, make)
        rows = [row for row in carried if row[2] in facts]  # (dimension, seq, server id, ...)
        opened = list(made([row[1:] for row in rows]))
        runs = {(row[2], row[0]): event for row, event in zip(rows, opened, strict=True)}
        return made(changes), runs

    def record_open_runs(
        self, session: Session, at: datetime, runs: list[tuple[str, str, int]]
    ) -> None:
        """(server id, dimension, seq of the opening change) of runs open at ``at``, for
        ``state_from`` once ``seal_open_runs`` says every server's are there."""
        run_carry_store.record_carries(session, at, runs)

    def seal_open_runs(self, session: Session, at: datetime, forget_before: datetime) -> None:
        """Every server's runs open at ``at`` are recorded; those recorded at instants
        before ``forget_before`` are forgotten."""
        run_carry_store.seal(session, at, self.clock.now())
        run_carry_store.drop_carries_before(session, forget_before)

    def _maker(
        self, session: Session, facts: dict[str, store.ServerFacts], make: type[T]
    ) -> Callable[[Iterable[tuple[Any, ...]]], Iterator[T]]:
        """Turns the store's rows into ``make``'s tuples (the rows of servers in ``facts``
        only, each with its server's facts), the flavor names and the time reader looked
        up once. The tuples are made with ``tuple.__new__``, every field given in order: a
        named tuple's own constructor is a Python function, a quarter of the time a
        month's 300,000 rows took to become changes; the server's facts are added as one
        tuple (unpacked, they took 40 % longer). A server's 30 changes share its
        facts' strings, and the status names are shared too (``one``), so that rows read
        as a stream leave behind a third of the memory (100,000 servers: 0.6 GB a worker,
        not 2.1)."""
        flavors = {f.id: f.name for f in self.catalog.all_flavors(session)}
        read = time_reader(session)
        new = tuple.__new__
        seen: dict[str, str] = {}
        one = seen.setdefault

        def made(changes: Iterable[tuple[Any, ...]]) -> Iterator[T]:
            return (
                new(
                    make,
                    (seq, server[0], read(at), one(status, status), flavors.get(flavor_id, ""))
                    + server[1],
                )
                for seq, server_id, at, status, flavor_id in changes
                if (server := facts.get(server_id)) is not None
            )

        return made

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

    def scrub_customer(self, session: Session, customer_id: str) -> list[str]:
        return store.scrub_customer_servers(session, customer_id)

    def servers_since(self, session: Session, customer_id: str, since: datetime) -> list[Server]:
        return store.servers_of_customer(session, customer_id, since)

    def count_servers(self, session: Session, customer_id: str) -> int:
        """A count, not the servers: what operator support may know of a tenant."""
        return store.count_live_servers(session, customer_id)

    def count_resources(self, session: Session, project_id: str) -> int:
        return store.count_resources(session, project_id)


def _checked_user_data(text: str | None) -> str | None:
    if text is not None and len(text.encode()) > MAX_USER_DATA:
        raise ValidationFailed.one("user_data", f"at most {MAX_USER_DATA} bytes")
    return text


def _refuse_resized(server: Server) -> None:
    if server.resized_from is not None:
        raise Conflict(f"server {server.id} is resized: confirm or revert the resize first")
