"""A region backed by a real OpenStack cloud, through openstacksdk (a clouds.yaml entry).

Every remote server carries our server id in its metadata (``andromede_server_id``) and
in its name; ``create`` looks for it first, so a retry after a lost answer never builds a
second server. A lost connection is retried with backoff; if the cloud stays out of
reach the verb raises DriverUnavailable and the reconciler tries again on a later pass
(the server keeps its state). A remote failure is a DriverError with the remote fault.

Each of our security groups has a counterpart in the remote region
(``andromede-<group id>``), made with its rules when a server in it is first built there;
a rule naming one of our groups as its remote names that group's counterpart, so the
remote admits exactly what ours does. Each build makes the counterparts of the server's
groups hold exactly their rules; a changed rule reaches running servers at the
reconciler's next push.

A server on the customer's own networks is built on ports made for it in the remote region
(``andromede-<server id>-<port id>``, with the same fixed address) on the counterparts of
its networks and subnets (``andromede-<id>``, same CIDR); the router joining a subnet to
the outside gets its counterpart with a gateway on the region's external network. Its
floating IPs are asked of that network with the same address (the region's public pool is
the remote's) and follow associations at each push. A server on a network the cloud made
(the region's provider network, or the one it makes for each project) sits on the remote
project's default network. Counterpart networks, subnets and
routers stay when ours are deleted (a later server may use them again).
"""

import base64
import time
from collections.abc import Callable, Iterator
from typing import Any, TypeVar

from andromede.compute.drivers.base import DriverError, DriverUnavailable, VmSpec, VmStatus
from andromede.compute.lifecycle import DriverState
from andromede.compute.port_links import PublicAddress, SubnetLink
from andromede.compute.security_rules import GroupRules

__all__ = ["OpenStackDriver"]

TAG = "andromede_server_id"
GROUP_TAG = "andromede_security_group_id"
NETWORK_TAG = "andromede_network_id"
GENERATION = "andromede_generation"  # the rebuild a remote server was last given
IMAGE_TAG = "andromede_image_id"  # a customer's image sent to the region
T = TypeVar("T")
# a remote server in one of these is in the middle of something: Nova refuses a resize
# (409) until it holds still, which it will by itself
BUSY = frozenset(
    {"BUILD", "REBOOT", "HARD_REBOOT", "REBUILD", "RESIZE", "REVERT_RESIZE", "MIGRATING"}
)
CHUNK = 1024 * 1024
STATES = {
    "BUILD": DriverState.BUILDING,
    "ACTIVE": DriverState.RUNNING,
    "REBOOT": DriverState.RUNNING,
    "HARD_REBOOT": DriverState.RUNNING,
    "SHUTOFF": DriverState.STOPPED,
    "ERROR": DriverState.ERROR,
}


class OpenStackDriver:
    def __init__(
        self,
        connect: Callable[[], Any],
        *,
        attempts: int = 4,
        backoff: float = 0.5,
        sleep: Callable[[float], None] = time.sleep,
        read_image: Callable[[str, str], Iterator[bytes]] | None = None,
    ) -> None:
        """``connect`` makes an openstacksdk Connection (kept, remade after a failure);
        ``read_image(region, image id)`` streams a customer's image from our store, for
        the remote Glance to receive it the first time a server boots from it there."""
        self._connect = connect
        self._read_image = read_image
        self._conn: Any = None
        self.attempts = attempts
        self.backoff = backoff
        self._sleep = sleep

    def _call(self, verb: Callable[[Any], T]) -> T:
        from keystoneauth1 import exceptions as ksa
        from openstack import exceptions as sdk

        for attempt in range(self.attempts):
            try:
                if self._conn is None:
                    self._conn = self._connect()
                return verb(self._conn)
            except (ksa.ConnectFailure, ksa.ConnectTimeout, ksa.DiscoveryFailure) as lost:
                self._conn = None
                if attempt == self.attempts - 1:
                    raise DriverUnavailable(f"remote cloud unreachable: {lost}") from lost
                self._sleep(self.backoff * 2**attempt)
            except sdk.HttpException as refused:
                raise DriverError(
                    f"remote cloud refused: {refused.details or refused}"
                ) from refused
        raise DriverUnavailable("remote cloud unreachable")  # attempts == 0

    @staticmethod
    def _find(conn: Any, server_id: str) -> Any:
        for remote in conn.compute.servers(name=f"^andromede-{server_id}$"):
            if (remote.metadata or {}).get(TAG) == server_id:
                return remote
        return None

    def create(self, spec: VmSpec) -> None:
        def create(conn: Any) -> None:
            if self._find(conn, spec.server_id) is not None:
                return  # built already: a retry must not build twice
            flavor = conn.compute.find_flavor(spec.flavor, ignore_missing=False)
            image = self._remote_image(conn, spec)
            groups = _remote_groups(conn, spec.firewall)
            nics = _remote_ports(conn, spec, groups) if spec.nics else _default_network(conn)
            conn.compute.create_server(
                **nics,
                name=f"andromede-{spec.server_id}",
                flavor_id=flavor.id,
                image_id=image.id,
                metadata={TAG: spec.server_id},
                security_groups=[{"name": group.id} for group in groups],
                **({"user_data": _encoded(spec.user_data)} if spec.user_data else {}),
            )

        self._call(create)
        if spec.public_addresses:
            self.set_public_addresses(spec.server_id, spec.public_addresses)

    def rebuild(self, spec: VmSpec) -> None:
        def rebuild(conn: Any) -> None:
            remote = self._find(conn, spec.server_id)
            if remote is None:
                raise DriverError("the server is gone from the remote cloud")
            if (remote.metadata or {}).get(GENERATION) == str(spec.generation):
                return  # rebuilt already: a retry must not wipe it twice
            image = self._remote_image(conn, spec)
            _remote_groups(conn, spec.firewall)  # its groups brought up to date on the way
            conn.compute.rebuild_server(
                remote,
                image=image.id,
                metadata={TAG: spec.server_id, GENERATION: str(spec.generation)},
            )

        self._call(rebuild)

    def _remote_image(self, conn: Any, spec: VmSpec) -> Any:
        """The catalog's images are the region's own, found by name; a customer's is sent
        to the region's Glance the first time (as ``andromede-<id>``, private) and found
        there afterwards. An upload cut short is started again."""
        own = spec.own_image
        if own is None:
            return conn.image.find_image(spec.image, ignore_missing=False)
        name = f"andromede-{own.image_id}"
        found = conn.image.find_image(name)
        if found is not None and found.status == "active":
            return found
        if found is not None:
            conn.image.delete_image(found)
        if self._read_image is None:
            raise DriverError("no image store to send the customer's image from")
        fields = {"name": name, "disk_format": own.disk_format, "visibility": "private"}
        fields |= {"container_format": own.container_format, IMAGE_TAG: own.image_id}
        made = conn.image.post("/images", json=fields, raise_exc=False)
        if not made.ok:
            raise DriverError(f"the region's Glance refused the image: {made.text[:300]}")
        remote_id = made.json()["id"]
        sent = conn.image.put(
            f"/images/{remote_id}/file",
            data=self._read_image(own.region, own.image_id),
            headers={"Content-Type": "application/octet-stream"},
            raise_exc=False,
        )
        if not sent.ok:
            raise DriverError(f"the region's Glance refused the bytes: {sent.text[:300]}")
        return conn.image.get_image(remote_id)

    def _act(self, server_id: str, action: Callable[[Any, Any], None]) -> None:
        from openstack import exceptions as sdk

        def act(conn: Any) -> None:
            remote = self._find(conn, server_id)
            if remote is None:
                raise DriverError("the server is gone from the remote cloud")
            try:
                action(conn, remote)
            except sdk.ConflictException:
                return  # already in that state: the verb is idempotent

        self._call(act)

    def start(self, server_id: str) -> None:
        self._act(server_id, lambda conn, r: conn.compute.start_server(r))

    def stop(self, server_id: str) -> None:
        self._act(server_id, lambda conn, r: conn.compute.stop_server(r))

    def reboot(self, server_id: str, hard: bool) -> None:
        kind = "HARD" if hard else "SOFT"
        self._act(server_id, lambda conn, r: conn.compute.reboot_server(r, kind))

    def delete(self, server_id: str) -> None:
        """The remote floating IPs given to the server released and the server deleted;
        once the remote has deleted it, the ports made for it are deleted too (the remote
        Nova keeps ports it was given). Called again until ``get_state`` says ABSENT."""
        from openstack import exceptions as sdk

        def delete(conn: Any) -> None:
            remote = self._find(conn, server_id)
            if remote is None:
                prefix = f"andromede-{server_id}-"
                for port in conn.network.ports():
                    if (port.name or "").startswith(prefix):
                        conn.network.delete_port(port, ignore_missing=True)
                return
            for port in conn.network.ports(device_id=remote.id):
                for address in conn.network.ips(port_id=port.id):
                    conn.network.delete_ip(address, ignore_missing=True)
            if remote.task_state != "deleting":
                try:
                    conn.compute.delete_server(remote)
                except sdk.ConflictException:
                    pass  # being deleted already

        self._call(delete)

    def set_flavor(self, server_id: str, flavor: str) -> None:
        """The remote Nova's resize to the region's flavor of that name, waited for and
        confirmed (our resize is confirmed or reverted here, as another resize); nothing
        when the remote server has it already. A remote server still restarting (our resize
        restarts it first) is DriverUnavailable: the push is tried again on a later pass."""
        from openstack import exceptions as sdk

        def apply(conn: Any) -> None:
            remote = self._find(conn, server_id)
            if remote is None:
                raise DriverError("the server is gone from the remote cloud")
            wanted = conn.compute.find_flavor(flavor, ignore_missing=False)
            if remote.status != "VERIFY_RESIZE":
                if _flavor_of(remote) in (wanted.id, wanted.name):
                    return
                if remote.status in BUSY:  # still restarting from our own resize's reboot
                    raise DriverUnavailable(f"the remote server is {remote.status}: later")
                conn.compute.resize_server(remote, wanted.id)
                try:
                    remote = conn.compute.wait_for_server(
                        remote, status="VERIFY_RESIZE", failures=["ERROR"], interval=1, wait=600
                    )
                except (sdk.ResourceFailure, sdk.ResourceTimeout) as failed:
                    raise DriverError(f"the region's resize failed: {failed}") from failed
            conn.compute.confirm_server_resize(remote)

        self._call(apply)

    def set_public_addresses(self, server_id: str, addresses: tuple[PublicAddress, ...]) -> None:
        """Each floating IP forwarded to the counterpart of its port, as the same address
        (asked of the region's external network: our region's public pool is the
        remote's), the router carrying it brought over first; a remote floating IP on the
        server's ports that is not wanted is released."""

        def apply(conn: Any) -> None:
            remote = self._find(conn, server_id)
            if remote is None:
                raise DriverError("the server is gone from the remote cloud")
            prefix = f"andromede-{server_id}-"
            ports = {
                port.name.removeprefix(prefix): port
                for port in conn.network.ports(device_id=remote.id)
                if (port.name or "").startswith(prefix)
            }
            wanted = {a.address: ports[a.port_id] for a in addresses if a.port_id in ports}
            for link in {a.subnet for a in addresses if a.subnet and a.subnet.router_id}:
                subnet = conn.network.find_subnet(f"andromede-{link.subnet_id}")
                if subnet is not None:  # its router may have joined it since the build
                    _remote_router(conn, link, subnet)
            for port in ports.values():
                for found in conn.network.ips(port_id=port.id):
                    if wanted.get(found.floating_ip_address) is not port:
                        conn.network.delete_ip(found, ignore_missing=True)
            for address, port in wanted.items():
                found = next(iter(conn.network.ips(floating_ip_address=address)), None)
                if found is None:
                    conn.network.create_ip(
                        floating_network_id=_external_network(conn).id,
                        floating_ip_address=address,
                        port_id=port.id,
                    )
                elif found.port_id != port.id:
                    conn.network.update_ip(found, port_id=port.id)

        self._call(apply)

    def snapshot(self, server_id: str, name: str) -> Iterator[bytes]:
        """The remote Nova's createImage, waited for, then its bytes streamed back from the
        region's Glance and the remote copy deleted (the bytes are ours to keep). ``name``
        (our image's id) names the remote snapshot, so a retry finds the one it made."""
        from openstack import exceptions as sdk

        label = f"andromede-snapshot-{name}"

        def take(conn: Any) -> str:
            found = conn.image.find_image(label)
            if found is None:
                remote = self._find(conn, server_id)
                if remote is None:
                    raise DriverError("the server is gone from the remote cloud")
                found = conn.compute.create_server_image(remote, label, wait=False)
            try:
                done = conn.image.wait_for_status(
                    found, "active", failures=["killed"], interval=1, wait=600
                )
            except (sdk.ResourceFailure, sdk.ResourceTimeout) as failed:
                raise DriverError(f"the region's snapshot failed: {failed}") from failed
            return str(done.id)

        remote_image = self._call(take)
        response = self._call(lambda conn: conn.image.download_image(remote_image, stream=True))
        return self._drained(response, remote_image)

    def _drained(self, response: Any, remote_image: str) -> Iterator[bytes]:
        yield from response.iter_content(chunk_size=CHUNK)
        self._call(lambda conn: conn.image.delete_image(remote_image, ignore_missing=True))

    def set_firewall(self, server_id: str, firewall: tuple[GroupRules, ...]) -> None:
        """The counterparts brought up to date, then the remote server joined to exactly
        them (Nova's add and remove security group)."""

        def apply(conn: Any) -> None:
            remote = self._find(conn, server_id)
            if remote is None:
                raise DriverError("the server is gone from the remote cloud")
            wanted = {g.name for g in _remote_groups(conn, firewall)}
            present = {g["name"] for g in conn.compute.get_server(remote.id).security_groups or []}
            for name in sorted(wanted - present):
                conn.compute.add_security_group_to_server(remote, name)
            for name in sorted(present - wanted):
                conn.compute.remove_security_group_from_server(remote, name)

        self._call(apply)

    def console_output(self, server_id: str) -> str:
        def read(conn: Any) -> str:
            remote = self._find(conn, server_id)
            if remote is None:
                raise DriverError("the server is gone from the remote cloud")
            return str(conn.compute.get_server_console_output(remote).get("output") or "")

        return self._call(read)

    def trigger_crash_dump(self, server_id: str) -> None:
        self._act(server_id, lambda conn, r: conn.compute.trigger_server_crash_dump(r))

    def get_state(self, server_id: str) -> VmStatus:
        def get(conn: Any) -> VmStatus:
            remote = self._find(conn, server_id)
            if remote is None:
                return VmStatus(DriverState.ABSENT)
            state = STATES.get(str(remote.status).upper(), DriverState.BUILDING)
            fault = (remote.fault or {}).get("message") if state is DriverState.ERROR else None
            return VmStatus(state, fault)

        return self._call(get)


def _remote_group(conn: Any, group_id: str) -> Any:
    """Our group's counterpart in the remote region, made on first use."""
    name = f"andromede-{group_id}"
    found = conn.network.find_security_group(name)
    if found is None:
        found = conn.network.create_security_group(name=name, description=f"{GROUP_TAG}={group_id}")
    return found


def _remote_groups(conn: Any, firewall: tuple[GroupRules, ...]) -> list[Any]:
    """The counterparts of the server's groups, each made to hold exactly its group's
    rules (missing ones added, others removed), so a build also brings the group's
    counterpart up to date."""
    made: dict[str, Any] = {}

    def counterpart(group_id: str) -> Any:
        if group_id not in made:
            made[group_id] = _remote_group(conn, group_id)
        return made[group_id]

    for group in firewall:
        remote = counterpart(group.group_id)
        wanted = {
            _shape(
                rule.direction,
                rule.ethertype,
                rule.protocol,
                rule.port_range_min,
                rule.port_range_max,
                rule.remote_ip_prefix,
                counterpart(rule.remote_group_id).id if rule.remote_group_id else None,
            )
            for rule in group.rules
        }
        present = {}
        for found in conn.network.security_group_rules(security_group_id=remote.id):
            shape = _shape(
                found.direction,
                found.ether_type,
                found.protocol,
                found.port_range_min,
                found.port_range_max,
                found.remote_ip_prefix,
                found.remote_group_id,
            )
            present[shape] = found
        for shape, found in present.items():
            if shape not in wanted:
                conn.network.delete_security_group_rule(found)
        for shape in wanted - set(present):
            conn.network.create_security_group_rule(
                security_group_id=remote.id, **dict(zip(SHAPE, shape, strict=True))
            )
    return [made[group.group_id] for group in firewall]


SHAPE = (
    "direction",
    "ether_type",
    "protocol",
    "port_range_min",
    "port_range_max",
    "remote_ip_prefix",
    "remote_group_id",
)


def _remote_ports(conn: Any, spec: VmSpec, groups: list[Any]) -> dict[str, Any]:
    """The server's ports on the customer's own networks, each made in the remote region
    on the counterparts of its network and subnet (same CIDR, same fixed address), in the
    server's groups; the router joining a subnet to the outside gets its counterpart too.
    Names carry our ids, so a retry finds what it made."""
    ports = []
    for nic in spec.nics:
        network = _remote_network(conn, nic.network_id)
        fixed = []
        if nic.subnet is not None:
            subnet = _remote_subnet(conn, network, nic.subnet)
            if nic.address:
                fixed = [{"subnet_id": subnet.id, "ip_address": nic.address}]
        name = f"andromede-{spec.server_id}-{nic.port_id}"
        port = conn.network.find_port(name)
        if port is None:
            port = conn.network.create_port(
                name=name,
                network_id=network.id,
                fixed_ips=fixed,
                security_group_ids=[group.id for group in groups],
            )
        ports.append({"port": port.id})
    return {"networks": ports}


def _counterpart(find: Callable[[str], Any], make: Callable[[str], Any], our_id: str) -> Any:
    name = f"andromede-{our_id}"
    found = find(name)
    return found if found is not None else make(name)


def _remote_network(conn: Any, network_id: str) -> Any:
    def make(name: str) -> Any:
        description = f"{NETWORK_TAG}={network_id}"
        return conn.network.create_network(name=name, description=description, **_beside(conn))

    return _counterpart(conn.network.find_network, make, network_id)


def _remote_subnet(conn: Any, network: Any, link: SubnetLink) -> Any:
    subnet = _counterpart(
        conn.network.find_subnet,
        lambda name: conn.network.create_subnet(
            name=name,
            network_id=network.id,
            cidr=link.cidr,
            ip_version=link.ip_version,
            gateway_ip=link.gateway_ip,
            is_dhcp_enabled=link.enable_dhcp,
        ),
        link.subnet_id,
    )
    if link.router_id is not None:
        _remote_router(conn, link, subnet)
    return subnet


def _remote_router(conn: Any, link: SubnetLink, subnet: Any) -> None:
    """The counterpart of the router joining the subnet: its gateway on the region's
    external network if ours has one, and an interface on the subnet's counterpart."""
    assert link.router_id is not None
    gateway = {"network_id": _external_network(conn).id} if link.router_gateway else None
    router = _counterpart(
        conn.network.find_router,
        lambda name: conn.network.create_router(
            name=name, external_gateway_info=gateway, **_beside(conn)
        ),
        link.router_id,
    )
    if gateway is not None and not router.external_gateway_info:
        conn.network.update_router(router, external_gateway_info=gateway)
    joined = {
        fixed["subnet_id"]
        for port in conn.network.ports(device_id=router.id)
        for fixed in port.fixed_ips or []
    }
    if subnet.id not in joined:
        conn.network.add_interface_to_router(router, subnet_id=subnet.id)


def _beside(conn: Any) -> dict[str, Any]:
    """Zone hints that put a new network or router where the region's public network is
    (a cloud serving several regions from one endpoint places by zone), if it says."""
    public = _public_network(conn)
    zones = public.availability_zones if public is not None else None
    return {"availability_zone_hints": zones} if zones else {}


def _external_network(conn: Any) -> Any:
    public = _public_network(conn)
    if public is None:
        raise DriverError("the remote region has no external network")
    return public


def _public_network(conn: Any) -> Any:
    """The region's public network: the one in the connection's region where a cloud
    lists its regions' networks as zones, else the first by name; None if it has none."""
    found = sorted(conn.network.networks(is_router_external=True), key=lambda n: n.name or "")
    region = conn.config.region_name
    return next(
        (n for n in found if region in (n.availability_zones or [])), next(iter(found), None)
    )


def _default_network(conn: Any) -> dict[str, str]:
    """The project's network in the remote region: said as ``auto`` where the remote Nova
    requires it (2.37 on), left out where it would refuse the word."""
    from openstack import utils

    return {"networks": "auto"} if utils.supports_microversion(conn.compute, "2.37") else {}


def _shape(*values: Any) -> tuple[Any, ...]:
    """A rule as comparable values (a prefix for everything stands for no prefix)."""
    shape = list(values)
    if shape[5] in ("0.0.0.0/0", "::/0"):
        shape[5] = None
    return tuple(shape)


def _flavor_of(remote: Any) -> str | None:
    """The remote server's flavor: its name where Nova embeds the flavor (2.47 on), else
    its id."""
    flavor = remote.flavor
    if flavor is None:
        return None
    name = getattr(flavor, "original_name", None) or getattr(flavor, "name", None)
    return str(name or getattr(flavor, "id", "") or "") or None


def _encoded(user_data: str) -> str:
    """Nova takes user data base64-encoded."""
    return base64.b64encode(user_data.encode()).decode()
