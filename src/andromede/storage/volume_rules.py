"""What may be done to a volume in which state, as Cinder answers it, and the arithmetic
of storage quotas and device names. Pure.

The embedded backend does each change at once, so a volume a customer sees is
``available`` or ``in-use`` (or ``error``, ``awaiting-transfer``); the in-between states
Cinder shows while a backend works (``creating``, ``attaching``, ``extending``...) are
still the ones the rules name, so a remote backend that takes time slots in.
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

__all__ = [
    "AVAILABLE",
    "DEFAULT_QUOTAS",
    "IN_USE",
    "QUOTA_NAMES",
    "ROOT_DEVICE",
    "QuotaRefusal",
    "attach_refusal",
    "delete_refusal",
    "extend_refusal",
    "next_device",
    "quota_refusal",
    "retype_refusal",
    "snapshot_refusal",
    "wanted_usage",
]

AVAILABLE = "available"
IN_USE = "in-use"
DELETED = "deleted"
QUOTA_NAMES = ("volumes", "gigabytes", "snapshots", "backups", "backup_gigabytes")
DEFAULT_QUOTAS: Mapping[str, int] = {
    "volumes": 20,
    "gigabytes": 2000,
    "snapshots": 20,
    "backups": 20,
    "backup_gigabytes": 2000,
}
UNLIMITED = -1
DEVICE_LETTERS = "bcdefghijklmnopqrstuvwxyz"  # vda is the root disk
ROOT_DEVICE = "/dev/vda"


@dataclass(frozen=True)
class QuotaRefusal:
    resource: str
    limit: int
    in_use: int
    wanted: int


def wanted_usage(kind: str, volume_type: str, gib: int, count: int = 1) -> dict[str, int]:
    """What one more volume, snapshot or backup of ``gib`` counts against the quotas
    (``count`` 0: a volume that grows)."""
    if kind == "volume":
        return {
            "volumes": count,
            "gigabytes": gib,
            f"volumes_{volume_type}": count,
            f"gigabytes_{volume_type}": gib,
        }
    if kind == "snapshot":
        return {"snapshots": count, "gigabytes": gib}
    return {"backups": count, "backup_gigabytes": gib}


def quota_refusal(
    limits: Mapping[str, int], usage: Mapping[str, int], wanted: Mapping[str, int]
) -> QuotaRefusal | None:
    """The first quota the wanted usage would exceed; a quota absent from ``limits``
    (per type, by default) or -1 is unlimited."""
    for resource, more in wanted.items():
        limit = limits.get(resource, UNLIMITED)
        in_use = usage.get(resource, 0)
        if more > 0 and limit != UNLIMITED and in_use + more > limit:
            return QuotaRefusal(resource, limit, in_use, more)
    return None


def delete_refusal(status: str, attachments: int, snapshots: int) -> str | None:
    """Cinder refuses to delete a volume that is attached, has snapshots, or is busy."""
    if attachments or status == IN_USE:
        return "the volume is attached: detach it first"
    if snapshots:
        return f"the volume has {snapshots} snapshot(s): delete them first"
    if status not in (AVAILABLE, "error", "error_restoring", "error_extending"):
        return f"a volume in status {status!r} cannot be deleted"
    return None


def extend_refusal(status: str, size_gib: int, new_size: int) -> str | None:
    """Online (attached) and offline extends; a volume never shrinks."""
    if status not in (AVAILABLE, IN_USE):
        return f"a volume in status {status!r} cannot be extended"
    if new_size <= size_gib:
        return f"new size must be greater than the current {size_gib} GiB"
    return None


def retype_refusal(status: str, current: str, new: str, offered: Iterable[str]) -> str | None:
    if status not in (AVAILABLE, IN_USE):
        return f"a volume in status {status!r} cannot be retyped"
    if new == current:
        return f"the volume is already of type {current!r}"
    if new not in set(offered):
        return f"the region has no volume type {new!r}"
    return None


def attach_refusal(
    status: str, multiattach: bool, attached_to: Iterable[str], server_id: str
) -> str | None:
    """A volume is attached once, or to several servers when its type allows it."""
    servers = set(attached_to)
    if server_id in servers:
        return "the volume is already attached to this server"
    if status == AVAILABLE:
        return None
    if status == IN_USE and multiattach:
        return None
    if status == IN_USE:
        return "the volume is attached to another server and its type is not multi-attach"
    return f"a volume in status {status!r} cannot be attached"


def snapshot_refusal(status: str, force: bool) -> str | None:
    """An attached volume is snapshotted only when forced (its data may be mid-write)."""
    if status == AVAILABLE or (status == IN_USE and force):
        return None
    if status == IN_USE:
        return "the volume is attached: pass force to snapshot it anyway"
    return f"a volume in status {status!r} cannot be snapshotted"


def next_device(used: Iterable[str]) -> str:
    """The first free ``/dev/vdX`` after the root disk."""
    taken = set(used)
    for letter in DEVICE_LETTERS:
        device = f"/dev/vd{letter}"
        if device not in taken:
            return device
    raise ValueError("no free device name")
