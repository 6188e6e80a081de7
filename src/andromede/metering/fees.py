"""Managed-service fees on top of the servers' own usage (pure): a cluster's fee runs
while a node runs as part of the cluster, per vCPU, per second, with the node's one-minute
minimum.

Capabilities above compute post *spans*: this server was a node of that cluster from
``start`` to ``end``. The fee segments are the server's compute segments clipped to its
spans, so a node stopped or deleted pays no fee, and a server that left a cluster stops
paying it then. A compute segment wholly inside a span keeps its billed seconds (the run
minimum included); one cut by a span pays the seconds inside it.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from andromede.catalog.pricing import cluster_sku
from andromede.metering.segments import Segment, seconds_between

__all__ = ["Span", "fee_segments"]


@dataclass(frozen=True)
class Span:
    server_id: str
    kind: str  # "cluster"
    owner_id: str
    owner_name: str
    vcpus: int
    start: datetime
    end: datetime | None  # still a member


def fee_segments(compute: Iterable[Segment], spans: Iterable[Span]) -> list[Segment]:
    by_server: dict[str, list[Span]] = {}
    for span in spans:
        by_server.setdefault(span.server_id, []).append(span)
    found = []
    for segment in compute:
        if segment.dimension != "compute":
            continue
        for span in by_server.get(segment.server_id, ()):
            start = max(segment.start, span.start)
            end = segment.end if span.end is None else min(segment.end, span.end)
            if start >= end:
                continue
            inside = start == segment.start and end == segment.end
            found.append(
                segment._replace(
                    dimension=span.kind,
                    sku=cluster_sku(segment.region),
                    start=start,
                    end=end,
                    seconds=segment.seconds if inside else seconds_between(start, end),
                    vcpus=span.vcpus,
                    owner=span.owner_name,
                )
            )
    return found
