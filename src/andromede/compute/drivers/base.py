"""The driver protocol: a handful of idempotent verbs keyed by the server id."""

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Protocol

from andromede.compute.lifecycle import DriverState
from andromede.compute.port_links import Nic, PublicAddress
from andromede.compute.security_rules import GroupRules

__all__ = ["Driver", "DriverError", "DriverUnavailable", "OwnImage", "VmSpec", "VmStatus"]


class DriverError(Exception):
    """The hypervisor refused or failed; the message becomes the server's fault."""


class DriverUnavailable(Exception):
    """The hypervisor or remote cloud cannot be reached now; nothing is known to have
    changed, so the reconciler leaves the server as it is and tries again later."""


@dataclass(frozen=True)
class OwnImage:
    """A customer's own image, which a remote region does not have until it is sent: where
    its bytes are here and how the remote Glance must store them."""

    image_id: str
    region: str
    disk_format: str
    container_format: str


@dataclass(frozen=True)
class VmSpec:
    server_id: str
    name: str
    host: str
    vcpus: int
    ram_mib: int
    disk_gib: int
    image_id: str
    flavor: str = ""  # names, for drivers that find them in another catalog
    image: str = ""
    user_data: str = ""  # cloud-init, as text
    firewall: tuple[GroupRules, ...] = ()  # the server's security groups, for its ports
    generation: int = 0  # the server's rebuilds so far: ``rebuild`` of one is done once
    own_image: OwnImage | None = None  # a customer's image (the catalog's are the region's)
    nics: tuple[Nic, ...] = ()  # ports on the customer's own networks (none: the region's)
    public_addresses: tuple[PublicAddress, ...] = ()  # floating IPs forwarded to its ports


@dataclass(frozen=True)
class VmStatus:
    state: DriverState
    fault: str | None = None


class Driver(Protocol):
    """Every verb is idempotent: calling it again after a crash must not do the work twice."""

    def create(self, spec: VmSpec) -> None: ...

    def start(self, server_id: str) -> None: ...

    def stop(self, server_id: str) -> None: ...

    def reboot(self, server_id: str, hard: bool) -> None: ...

    def rebuild(self, spec: VmSpec) -> None:
        """The VM started again from ``spec.image`` (its disk wiped), once per generation."""
        ...

    def delete(self, server_id: str) -> None:
        """Called until ``get_state`` says ABSENT, then once more: what the driver keeps
        beside a VM is tidied on a call that finds the VM gone."""
        ...

    def get_state(self, server_id: str) -> VmStatus: ...

    def snapshot(self, server_id: str, name: str) -> Iterator[bytes]:
        """The VM's disk as an image's bytes, read chunk by chunk (a snapshot)."""
        ...

    def set_firewall(self, server_id: str, firewall: tuple[GroupRules, ...]) -> None:
        """The VM's ports given exactly these groups with these rules, now."""
        ...

    def set_flavor(self, server_id: str, flavor: str) -> None:
        """The VM given this flavor (by name) if it has another, once: its hypervisor
        restarts a running one at the new size."""
        ...

    def set_public_addresses(self, server_id: str, addresses: tuple[PublicAddress, ...]) -> None:
        """Exactly these floating IPs forwarded to the VM's ports, now."""
        ...

    def console_output(self, server_id: str) -> str:
        """What the VM wrote to its serial console (the hypervisor keeps a bounded tail)."""
        ...

    def trigger_crash_dump(self, server_id: str) -> None:
        """A non-maskable interrupt sent to the guest, for its kernel to dump and reboot."""
        ...
