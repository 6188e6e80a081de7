"""Things billed for as long as they are held (pure): a public address, a volume, a
snapshot, a backup. Each holding is one stretch at one size and SKU — a volume extended
or retyped is two holdings — cut at price changes like a server's segments, and naming
what is held for the invoice line."""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from itertools import pairwise

from andromede.metering.segments import Segment, seconds_between

__all__ = ["Holding", "holding_segments"]


@dataclass(frozen=True)
class Holding:
    object_id: str
    dimension: str  # floating_ip | volume | snapshot | backup
    sku: str
    owner: str  # what the invoice line names: the address, the volume's name
    gib: int
    region: str
    start: datetime
    end: datetime | None  # still held
    project_id: str
    customer_id: str
    partner_id: str


def holding_segments(
    holds: Iterable[Holding], start: datetime, end: datetime, boundaries: Sequence[datetime] = ()
) -> list[Segment]:
    """The part of each holding inside [start, end), one segment per stretch between two
    boundaries."""
    found = []
    for hold in holds:
        first = max(hold.start, start)
        last = end if hold.end is None else min(hold.end, end)
        if first >= last:
            continue
        cuts = [first, *sorted({b for b in boundaries if first < b < last}), last]
        for a, b in pairwise(cuts):
            found.append(
                Segment(
                    server_id=hold.object_id,
                    dimension=hold.dimension,
                    sku=hold.sku,
                    start=a,
                    end=b,
                    seconds=seconds_between(a, b),
                    gib=hold.gib,
                    region=hold.region,
                    flavor="",
                    project_id=hold.project_id,
                    customer_id=hold.customer_id,
                    partner_id=hold.partner_id,
                    owner=hold.owner,
                )
            )
    return found
