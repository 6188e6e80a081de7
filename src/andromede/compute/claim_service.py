"""Placement and claim: choose a host with the pure placement over a fresh snapshot, then
claim it with a guarded UPDATE; a claim lost to a concurrent create retries without that
host. Resizes adjust a claim; the reconciler releases it when the VM is gone."""

from dataclasses import dataclass, replace
from typing import Any

from sqlalchemy.orm import Session

from andromede.compute import host_store, store
from andromede.compute.placement import (
    HostState,
    NoFit,
    Placement,
    PlacementRequest,
    group_hosts,
    place,
)
from andromede.kernel.errors import Conflict, NoValidHost, ValidationFailed

__all__ = ["ClaimService", "Need", "snapshot"]

CLAIM_RETRIES = 5
SPREAD_SUBSET = 4  # concurrent creates spread over the 4 best hosts (see placement.place)
CANDIDATES = 16  # best-ranked hosts read per create; see host_store.best_host_rows
WEIGHERS = ("spread", "pack")


@dataclass(frozen=True)
class Need:
    """One server's claim and where it may go: the region, the zone asked for (if any)
    and the zones residency allows."""

    vcpus: int
    ram_mib: int
    disk_gib: int
    region: str
    zone: str | None
    zones: frozenset[str]
    required_traits: tuple[str, ...] = ()
    weigher: str = "spread"
    group_id: str | None = None
    group_policy: str | None = None
    group_max_per_host: int = 1  # an anti-affinity group's max_server_per_host rule


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


class ClaimService:
    def place_and_claim(self, session: Session, need: Need, server_id: str) -> Placement:
        if need.weigher not in WEIGHERS:
            raise ValidationFailed.one("weigher", "must be spread or pack")
        spread = need.weigher == "spread"
        soft = (need.group_policy or "").startswith("soft-")
        policy = (need.group_policy or "").removeprefix("soft-") or None
        members = store.group_members_per_host(session, need.group_id) if need.group_id else {}
        request = PlacementRequest(
            vcpus=need.vcpus,
            ram_mib=need.ram_mib,
            disk_gib=need.disk_gib,
            region=need.region,
            zone=need.zone,
            zones=need.zones,
            required_traits=frozenset(need.required_traits),
            group_policy=policy,  # type: ignore[arg-type]
            group_hosts=group_hosts(policy, members, need.group_max_per_host),  # type: ignore[arg-type]
            weigher=need.weigher,  # type: ignore[arg-type]
            subset_size=SPREAD_SUBSET if spread else 1,
            seed=int(server_id[:8], 16),
        )
        lost: set[str] = set()
        size = (need.vcpus, need.ram_mib, need.disk_gib)
        for _ in range(CLAIM_RETRIES):
            best = host_store.best_host_rows(
                session, need.region, need.zone, size, spread=spread, limit=CANDIDATES
            )
            result = place(snapshot(best), request)
            if isinstance(result, NoFit):  # the full snapshot: exact answer and its reasons
                full = host_store.host_rows(session, need.region, need.zone)
                result = place(snapshot(full), request)
                if isinstance(result, NoFit) and soft and request.group_policy is not None:
                    request = replace(request, group_policy=None)  # a soft policy gives way
                    result = place(snapshot(full), request)
            if isinstance(result, NoFit):
                raise NoValidHost(result.reasons)
            if host_store.claim(session, result.host_id, *size):
                return result
            lost.add(result.host_id)
            request = replace(request, exclude_hosts=frozenset(lost))
        raise NoValidHost({"retry": f"lost {CLAIM_RETRIES} concurrent claims"})

    def adjust(self, session: Session, host_id: str | None, vcpus: int, ram_mib: int) -> None:
        """A resize changes the claim in place, guarded like a claim."""
        if host_id and not host_store.adjust(session, host_id, vcpus, ram_mib):
            raise Conflict("the server's host has no room for this flavor")
