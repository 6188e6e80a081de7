"""Sovereign Cloud Stack flavor names (scs-0100 v3) and the extra specs scs-0103 checks.

``SCS-<N><L|V|T|C>[i]-<RAM GiB>[u][o][-[Mx]<disk GB>[n|h|s|p]][_ext]``. A flavor named
``SCS-…`` must parse and deliver at least what the name promises. Families group flavors
by CPU type and RAM per vCPU so reservations can be size-flexible inside a family.
"""

import re
from dataclasses import dataclass
from decimal import Decimal

__all__ = ["STANDARD_FLAVORS", "FlavorName", "catalog_entry", "family_of", "parse_scs_name"]

_PATTERN = re.compile(
    r"^SCS-(?P<cpus>\d+)(?P<type>[LVTC])(?P<insecure>i?)-(?P<ram>\d+(?:\.\d+)?)(?P<ram_flags>u?o?)"
    r"(?:-(?:(?P<count>\d+)x)?(?P<disk>\d*)(?P<disk_type>[nhsp]?))?(?P<ext>_.*)?$"
)

# scs-0103: the 15 mandatory flavors, then recommended ones and a few disk variants.
STANDARD_FLAVORS = [
    "SCS-1V-4",
    "SCS-2V-8",
    "SCS-4V-16",
    "SCS-8V-32",
    "SCS-1V-2",
    "SCS-2V-4",
    "SCS-4V-8",
    "SCS-8V-16",
    "SCS-16V-32",
    "SCS-1V-8",
    "SCS-2V-16",
    "SCS-4V-32",
    "SCS-1L-1",
    "SCS-2V-4-20s",
    "SCS-4V-16-100s",
    "SCS-16V-64",
    "SCS-8V-64",
    "SCS-16V-128",
    "SCS-2V-8-20s",
    "SCS-4V-16-50s",
]

CPU_TYPES = {
    "L": "crowded-core",
    "V": "shared-core",
    "T": "dedicated-thread",
    "C": "dedicated-core",
}
DISK_TYPES = {"n": "network", "h": "hdd", "s": "ssd", "p": "nvme"}


@dataclass(frozen=True)
class FlavorName:
    vcpus: int
    cpu_type: str
    ram_gib: Decimal
    disk_gb: int | None
    disk_type: str | None

    @property
    def ram_mib(self) -> int:
        return int(self.ram_gib * 1024)


def parse_scs_name(name: str) -> FlavorName:
    """Raises ValueError for a name that claims to be SCS and does not parse."""
    match = _PATTERN.match(name)
    if match is None or int(match["cpus"]) < 1:
        raise ValueError(f"{name!r} is not a valid SCS flavor name")
    disk = match["disk"]
    disk_type = match["disk_type"] or None
    return FlavorName(
        vcpus=int(match["cpus"]),
        cpu_type=CPU_TYPES[match["type"]],
        ram_gib=Decimal(match["ram"]),
        disk_gb=int(disk) if disk else None,
        disk_type=DISK_TYPES[disk_type] if disk_type else None,
    )


def family_of(cpu_type: str, vcpus: int, ram_mib: int) -> str:
    """``shared-core-1:4``: RAM GiB per vCPU, the ratio reservations normalise within."""
    per_vcpu = Decimal(ram_mib) / 1024 / vcpus
    return f"{cpu_type}-1:{per_vcpu.normalize():f}"


def catalog_entry(name: str) -> dict[str, object]:
    """Everything the catalog stores for an SCS name: sizes, family, units, extra specs."""
    parsed = parse_scs_name(name)
    specs = {
        "scs:name-v1": name.replace("-", ":").replace(":", "-", 1),
        "scs:name-v2": name,
        "scs:cpu-type": parsed.cpu_type,
    }
    if parsed.disk_gb:
        specs["scs:disk0-type"] = parsed.disk_type or "ssd"
    return {
        "name": name,
        "vcpus": parsed.vcpus,
        "ram_mib": parsed.ram_mib,
        "disk_gib": parsed.disk_gb or 0,
        "family": family_of(parsed.cpu_type, parsed.vcpus, parsed.ram_mib),
        "size_units": parsed.vcpus,
        "extra_specs": specs,
    }
