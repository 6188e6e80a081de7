"""Placement: filter, then weigh, over a snapshot of hosts. Pure and deterministic.

The fast path is one pass that keeps the best host. Only when nothing fits are the filters
run one by one, so the refusal can say what each filter removed.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import partial
from typing import Literal

from andromede.kernel.filters import removals

__all__ = [
    "HostState",
    "NoFit",
    "Placement",
    "PlacementRequest",
    "explain",
    "fits",
    "group_hosts",
    "place",
    "rank_key",
]

Weigher = Literal["spread", "pack"]
GroupPolicy = Literal["affinity", "anti-affinity"]


@dataclass(frozen=True, slots=True)
class HostState:
    id: str
    name: str
    region: str
    zone: str
    vcpus: int
    ram_mib: int
    disk_gib: int
    cpu_ratio: float = 4.0
    ram_ratio: float = 1.0
    disk_ratio: float = 1.0
    traits: frozenset[str] = frozenset()
    enabled: bool = True
    used_vcpus: int = 0
    used_ram_mib: int = 0
    used_disk_gib: int = 0

    @property
    def free_vcpus(self) -> float:
        return self.vcpus * self.cpu_ratio - self.used_vcpus

    @property
    def free_ram_mib(self) -> float:
        return self.ram_mib * self.ram_ratio - self.used_ram_mib

    @property
    def free_disk_gib(self) -> float:
        return self.disk_gib * self.disk_ratio - self.used_disk_gib


@dataclass(frozen=True)
class PlacementRequest:
    vcpus: int
    ram_mib: int
    disk_gib: int
    region: str | None = None
    zone: str | None = None
    required_traits: frozenset[str] = frozenset()
    group_policy: GroupPolicy | None = None
    group_hosts: frozenset[str] = frozenset()  # see ``group_hosts`` below
    exclude_hosts: frozenset[str] = frozenset()
    zones: frozenset[str] | None = None  # the zones residency policies allow; None: any
    weigher: Weigher = "spread"
    subset_size: int = 1
    seed: int = 0


@dataclass(frozen=True)
class Placement:
    host_id: str
    host_name: str
    region: str
    zone: str


@dataclass(frozen=True)
class NoFit:
    reasons: dict[str, str] = field(default_factory=dict)


def group_hosts(
    policy: GroupPolicy | None, members_per_host: Mapping[str, int], max_per_host: int = 1
) -> frozenset[str]:
    """The hosts a request's group names: for affinity those holding a member (the next
    goes there too); for anti-affinity those holding as many members as the group allows
    on one host (one, unless its ``max_server_per_host`` rule says more), which the next
    must avoid."""
    if policy == "anti-affinity":
        return frozenset(h for h, n in members_per_host.items() if n >= max_per_host)
    return frozenset(h for h, n in members_per_host.items() if n > 0)


def _group_ok(request: PlacementRequest, host: HostState) -> bool:
    if request.group_policy == "anti-affinity":
        return host.id not in request.group_hosts
    if request.group_policy == "affinity" and request.group_hosts:
        return host.id in request.group_hosts
    return True


def fits(request: PlacementRequest, host: HostState) -> bool:
    return (
        host.enabled
        and (request.region is None or host.region == request.region)
        and (request.zone is None or host.zone == request.zone)
        and (request.zones is None or host.zone in request.zones)
        and host.id not in request.exclude_hosts
        and host.free_vcpus >= request.vcpus
        and host.free_ram_mib >= request.ram_mib
        and host.free_disk_gib >= request.disk_gib
        and request.required_traits <= host.traits
        and _group_ok(request, host)
    )


def _better(request: PlacementRequest, a: HostState, b: HostState) -> bool:
    """Is ``a`` a better choice than ``b``? Ties fall to the name, then the id."""
    key_a = (a.free_ram_mib, a.free_vcpus)
    key_b = (b.free_ram_mib, b.free_vcpus)
    if key_a != key_b:
        return key_a > key_b if request.weigher == "spread" else key_a < key_b
    return (a.name, a.id) < (b.name, b.id)


def place(hosts: Sequence[HostState], request: PlacementRequest) -> Placement | NoFit:
    """The best host; with ``subset_size`` > 1, the ``seed``-th of the best few.

    Concurrent creates see the same snapshot, so they would all pick the same best host and
    queue on its row lock. Choosing among the top few by a per-request seed (the new
    server's id) spreads them, as Nova's ``host_subset_size`` does, and stays deterministic.
    """
    if request.subset_size > 1:
        return _place_in_subset(hosts, request)
    best: HostState | None = None
    for host in hosts:
        if fits(request, host) and (best is None or _better(request, host, best)):
            best = host
    if best is None:
        return NoFit(explain(hosts, request))
    return Placement(best.id, best.name, best.region, best.zone)


def rank_key(spread: bool, host: HostState) -> tuple[float, float, str, str]:
    """The weighers' order, best first: most free RAM then vCPUs (spread) or least
    (pack), then name and id, so that equal hosts are chosen the same way every time."""
    sign = -1 if spread else 1
    return (sign * host.free_ram_mib, sign * host.free_vcpus, host.name, host.id)


def _place_in_subset(hosts: Sequence[HostState], request: PlacementRequest) -> Placement | NoFit:
    spread = request.weigher == "spread"
    passing = sorted((h for h in hosts if fits(request, h)), key=lambda h: rank_key(spread, h))
    if not passing:
        return NoFit(explain(hosts, request))
    subset = passing[: request.subset_size]
    chosen = subset[request.seed % len(subset)]
    return Placement(chosen.id, chosen.name, chosen.region, chosen.zone)


_FILTERS = (
    ("region", lambda r, h: r.region is None or h.region == r.region, "not in region {region}"),
    ("zone", lambda r, h: r.zone is None or h.zone == r.zone, "not in zone {zone}"),
    (
        "residency",
        lambda r, h: r.zones is None or h.zone in r.zones,
        "outside the zones residency policies allow",
    ),
    ("enabled", lambda r, h: h.enabled, "disabled or in maintenance"),
    ("retry", lambda r, h: h.id not in r.exclude_hosts, "lost a concurrent claim"),
    ("vcpu", lambda r, h: h.free_vcpus >= r.vcpus, "fewer than {vcpus} free vCPUs"),
    ("ram", lambda r, h: h.free_ram_mib >= r.ram_mib, "less than {ram_mib} MiB free RAM"),
    ("disk", lambda r, h: h.free_disk_gib >= r.disk_gib, "less than {disk_gib} GiB free disk"),
    ("traits", lambda r, h: r.required_traits <= h.traits, "missing required traits"),
    ("server-group", _group_ok, "violates the server group's {group_policy} policy"),
)


def explain(hosts: Sequence[HostState], request: PlacementRequest) -> dict[str, str]:
    """What each filter removed, in order; filters that removed nothing are left out."""
    if not hosts:
        return {"hosts": "no hosts known"}
    values = {
        "region": request.region,
        "zone": request.zone,
        "vcpus": request.vcpus,
        "ram_mib": request.ram_mib,
        "disk_gib": request.disk_gib,
        "group_policy": request.group_policy,
    }
    bound = [(name, partial(check, request), why.format(**values)) for name, check, why in _FILTERS]
    return removals(hosts, bound, "hosts")
