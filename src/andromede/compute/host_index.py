"""Hosts kept in the placement weighers' order, so that a decision reads the few best
hosts instead of the whole region. Pure; ``placement.place`` is its oracle.

``place`` over a snapshot looks at every host of the request's region: fine for one
decision, slow for a stream of them (a scheduler simulation, a capacity forecast, a batch
of creates). Here each region's hosts are held sorted by the weigher's key (free RAM,
free vCPUs, name, id), so the first hosts that pass the filters are the ones ``place``
would rank first; a claim moves one host in that order (a bisect and a list move).
"""

from bisect import bisect_left, insort
from collections.abc import Iterable
from dataclasses import replace

from andromede.compute.placement import (
    HostState,
    NoFit,
    Placement,
    PlacementRequest,
    fits,
    place,
    rank_key,
)

__all__ = ["HostIndex"]

_Key = tuple[float, float, str, str]


class HostIndex:
    def __init__(self, hosts: Iterable[HostState]) -> None:
        self._hosts: dict[str, HostState] = {h.id: h for h in hosts}
        self._regions: dict[str, list[str]] = {}
        for host in self._hosts.values():
            self._regions.setdefault(host.region, []).append(host.id)
        self._order: dict[tuple[str, str], list[_Key]] = {}  # (region, weigher) -> keys

    def host(self, host_id: str) -> HostState:
        return self._hosts[host_id]

    def place(self, request: PlacementRequest) -> Placement | NoFit:
        """What ``place(hosts, request)`` answers, reading hosts best first."""
        if request.region is None:  # no region: every host is a candidate anyway
            return place(list(self._hosts.values()), request)
        wanted = max(request.subset_size, 1)
        chosen: list[HostState] = []
        for key in self._ordered(request.region, request.weigher):
            host = self._hosts[key[3]]
            if fits(request, host):
                chosen.append(host)
                if len(chosen) == wanted:
                    break
        if not chosen:  # rare: the full answer, with what each filter removed
            return place(list(self._hosts.values()), request)
        best = chosen[request.seed % len(chosen)] if request.subset_size > 1 else chosen[0]
        return Placement(best.id, best.name, best.region, best.zone)

    def claim(self, host_id: str, vcpus: int, ram_mib: int, disk_gib: int) -> None:
        """Adds a server's usage to its host (negative amounts release it)."""
        old = self._hosts[host_id]
        new = replace(
            old,
            used_vcpus=old.used_vcpus + vcpus,
            used_ram_mib=old.used_ram_mib + ram_mib,
            used_disk_gib=old.used_disk_gib + disk_gib,
        )
        self._hosts[host_id] = new
        for (region, weigher), keys in self._order.items():
            if region == old.region:
                spread = weigher == "spread"
                del keys[bisect_left(keys, rank_key(spread, old))]
                insort(keys, rank_key(spread, new))

    def _ordered(self, region: str, weigher: str) -> list[_Key]:
        found = self._order.get((region, weigher))
        if found is None:
            spread = weigher == "spread"
            hosts = (self._hosts[i] for i in self._regions.get(region, []))
            found = self._order[(region, weigher)] = sorted(rank_key(spread, h) for h in hosts)
        return found
