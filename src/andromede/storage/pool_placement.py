"""Where a volume goes: one of its region's storage pools. Pure and deterministic.

A pool belongs to one zone and offers the volume types its backend serves. It has a
physical size; thin provisioning lets it promise up to that size times its
over-subscription ratio, and every volume placed on it claims its whole size against that
promise. A volume fits an enabled pool of its region (and of the zone asked, if any) in a
zone residency allows, offering its type, with room for its size. Among the pools that
fit, the one with the most room left takes it (volumes spread across backends), ties
falling to the name, then the id, so the same pools give the same answer in any order.
When none fits, each filter says how many pools it removed, as server placement does.
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from decimal import Decimal
from functools import partial

from andromede.kernel.filters import removals

__all__ = [
    "NoPool",
    "PoolPlacement",
    "PoolState",
    "VolumeRequest",
    "can_grow",
    "claimed",
    "explain",
    "fits",
    "place_volume",
]


@dataclass(frozen=True, slots=True)
class PoolState:
    id: str
    name: str
    region: str
    zone: str
    volume_types: frozenset[str]
    total_gib: int
    allocated_gib: int = 0
    ratio: Decimal = Decimal(1)  # over-subscription: what may be promised per GiB held
    enabled: bool = True

    @property
    def room_gib(self) -> Decimal:
        """What may still be promised: the size times the ratio, less what is claimed."""
        return self.total_gib * self.ratio - self.allocated_gib


@dataclass(frozen=True)
class VolumeRequest:
    size_gib: int
    volume_type: str
    region: str
    zone: str | None = None
    zones: frozenset[str] | None = None  # the zones residency allows; None: any
    exclude_pools: frozenset[str] = frozenset()  # lost to a concurrent claim


@dataclass(frozen=True)
class PoolPlacement:
    pool_id: str
    pool_name: str
    region: str
    zone: str


@dataclass(frozen=True)
class NoPool:
    reasons: dict[str, str] = field(default_factory=dict)


Check = Callable[[VolumeRequest, PoolState], bool]
_FILTERS: tuple[tuple[str, Check, str], ...] = (
    ("region", lambda r, p: p.region == r.region, "not in region {region}"),
    ("zone", lambda r, p: r.zone is None or p.zone == r.zone, "not in zone {zone}"),
    (
        "residency",
        lambda r, p: r.zones is None or p.zone in r.zones,
        "outside the zones residency policies allow",
    ),
    ("enabled", lambda r, p: p.enabled, "disabled or in maintenance"),
    ("retry", lambda r, p: p.id not in r.exclude_pools, "lost a concurrent claim"),
    ("type", lambda r, p: r.volume_type in p.volume_types, "not offering type {volume_type}"),
    ("capacity", lambda r, p: p.room_gib >= r.size_gib, "less than {size_gib} GiB of room"),
)


def fits(request: VolumeRequest, pool: PoolState) -> bool:
    return all(check(request, pool) for _, check, _ in _FILTERS)


def _rank(pool: PoolState) -> tuple[Decimal, str, str]:
    return (-pool.room_gib, pool.name, pool.id)


def place_volume(pools: Sequence[PoolState], request: VolumeRequest) -> PoolPlacement | NoPool:
    """The fitting pool with the most room left, or why none fits."""
    if request.size_gib < 1:
        return NoPool({"size": "a volume holds at least 1 GiB"})
    passing = [p for p in pools if fits(request, p)]
    if not passing:
        return NoPool(explain(pools, request))
    best = min(passing, key=_rank)
    return PoolPlacement(best.id, best.name, best.region, best.zone)


def explain(pools: Sequence[PoolState], request: VolumeRequest) -> dict[str, str]:
    """What each filter removed, in order; filters that removed nothing are left out."""
    if not pools:
        return {"pools": "no storage pools known"}
    values = {
        "region": request.region,
        "zone": request.zone,
        "volume_type": request.volume_type,
        "size_gib": request.size_gib,
    }
    bound = [(name, partial(check, request), why.format(**values)) for name, check, why in _FILTERS]
    return removals(pools, bound, "pools")


def can_grow(pool: PoolState, extra_gib: int) -> bool:
    """A volume extended stays on its pool (its data is there): the pool must have room
    for the extra GiB, enabled or not (a pool in maintenance still holds its volumes)."""
    return extra_gib >= 1 and pool.room_gib >= extra_gib


def claimed(pool: PoolState, gib: int) -> PoolState:
    """The pool once ``gib`` more are claimed on it (negative: released)."""
    return replace(pool, allocated_gib=pool.allocated_gib + gib)
