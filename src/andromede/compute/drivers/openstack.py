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
groups hold exactly their rules; a rule changed while no server of the group is being
built reaches the remote at the group's next build.
"""

import base64
import time
from collections.abc import Callable, Iterator
from typing import Any, TypeVar

from andromede.compute.drivers.base import DriverError, DriverUnavailable, VmSpec, VmStatus
from andromede.compute.lifecycle import DriverState
from andromede.compute.security_rules import GroupRules

__all__ = ["OpenStackDriver"]

TAG = "andromede_server_id"
GROUP_TAG = "andromede_security_group_id"
GENERATION = "andromede_generation"  # the rebuild a remote server was last given
IMAGE_TAG = "andromede_image_id"  # a customer's image sent to the region
T = TypeVar("T")
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
            conn.compute.create_server(
                **_default_network(conn),
                name=f"andromede-{spec.server_id}",
                flavor_id=flavor.id,
                image_id=image.id,
                metadata={TAG: spec.server_id},
                security_groups=[{"name": group.id} for group in groups],
                **({"user_data": _encoded(spec.user_data)} if spec.user_data else {}),
            )

        self._call(create)

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
        def delete(conn: Any) -> None:
            remote = self._find(conn, server_id)
            if remote is not None:
                conn.compute.delete_server(remote)

        self._call(delete)

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


def _encoded(user_data: str) -> str:
    """Nova takes user data base64-encoded."""
    return base64.b64encode(user_data.encode()).decode()
