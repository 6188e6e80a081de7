"""Which of their instance types each of our flavors is compared with. Pure.

The rule, in order:

1. A mapping the operator pinned wins, if that type is in the price list.
2. Otherwise only types of the same kind are candidates, and only x86 types of the
   current generation that are not bare metal (our hosts are x86 virtual machines). Our
   kind comes from the flavor: a crowded core (SCS ``L``) is *burstable* (their t types);
   otherwise the RAM per vCPU decides: under 3 GiB *compute*-optimised (their c types, 2 GiB
   per vCPU), under 6 GiB *general* purpose (m, 4 GiB), from 6 GiB *memory*-optimised (r, 8).
3. The closest candidate: the smallest size distance, the vCPU ratio times the RAM ratio
   (each the larger over the smaller, so 1 is the same size and 2 is one step off on one
   side); on a tie, one at least as large on both; then the cheaper; then by name.
4. No further than one step off (a distance of at most 2): a type twice as large on both
   sides prices something else, and the flavor is left without a match rather than
   compared with it.
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

from andromede.alignment.price_list import InstanceType

__all__ = ["MAX_DISTANCE", "Flavor", "Match", "kind_of_flavor", "map_flavor", "map_flavors"]

MAX_DISTANCE = Fraction(2)


@dataclass(frozen=True)
class Flavor:
    name: str
    vcpus: int
    ram_mib: int
    cpu_type: str  # shared-core | crowded-core | dedicated-thread | dedicated-core


@dataclass(frozen=True)
class Match:
    flavor: Flavor
    kind: str
    type: InstanceType | None
    pinned: bool
    reason: str  # why this type, or why none


def kind_of_flavor(flavor: Flavor) -> str:
    if flavor.cpu_type == "crowded-core":
        return "burstable"
    per_vcpu = Decimal(flavor.ram_mib) / 1024 / flavor.vcpus
    if per_vcpu < 3:
        return "compute"
    return "general" if per_vcpu < 6 else "memory"


def _ratio(a: int, b: int) -> Fraction:
    return Fraction(max(a, b), min(a, b)) if min(a, b) > 0 else Fraction(10**9)


def distance(flavor: Flavor, candidate: InstanceType) -> Fraction:
    return _ratio(candidate.vcpus, flavor.vcpus) * _ratio(candidate.ram_mib, flavor.ram_mib)


def _rank(flavor: Flavor, t: InstanceType) -> tuple[Fraction, bool, Decimal, str]:
    covers = t.vcpus >= flavor.vcpus and t.ram_mib >= flavor.ram_mib
    return distance(flavor, t), not covers, t.on_demand, t.name


def candidate(t: InstanceType, kind: str) -> bool:
    return t.kind == kind and not t.arm and t.current and "metal" not in t.name


def map_flavor(flavor: Flavor, types: Iterable[InstanceType], pin: str | None = None) -> Match:
    kind = kind_of_flavor(flavor)
    listed = list(types)
    if pin is not None:
        pinned = next((t for t in listed if t.name == pin), None)
        if pinned is None:
            return Match(flavor, kind, None, True, f"pinned to {pin}, not in this price list")
        return Match(flavor, kind, pinned, True, "pinned by the operator")
    candidates = [t for t in listed if candidate(t, kind)]
    if not candidates:
        return Match(flavor, kind, None, False, f"no current x86 {kind} type in the list")
    best = min(candidates, key=lambda t: _rank(flavor, t))
    if distance(flavor, best) > MAX_DISTANCE:
        return Match(flavor, kind, None, False, f"no {kind} type within one size step")
    exact = best.vcpus == flavor.vcpus and best.ram_mib == flavor.ram_mib
    return Match(flavor, kind, best, False, "same size" if exact else "closest size")


def map_flavors(
    flavors: Iterable[Flavor], types: Iterable[InstanceType], pins: Mapping[str, str]
) -> list[Match]:
    listed = list(types)
    return [map_flavor(f, listed, pins.get(f.name)) for f in sorted(flavors, key=lambda f: f.name)]
