"""Public addresses held, as usage (pure): a floating IP is billed per second from its
allocation to its release, associated or not, as its own SKU in its region — the way a
hyperscaler bills a public IPv4 address. Its segments are cut at price changes like a
server's, and name the address for the invoice line."""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from itertools import pairwise

from andromede.catalog.pricing import floating_ip_sku
from andromede.metering.segments import Segment, seconds_between

__all__ = ["Hold", "address_segments"]

DIMENSION = "floating_ip"


@dataclass(frozen=True)
class Hold:
    floating_id: str
    address: str
    region: str
    start: datetime
    end: datetime | None  # still held
    project_id: str
    customer_id: str
    partner_id: str


def address_segments(
    holds: Iterable[Hold], start: datetime, end: datetime, boundaries: Sequence[datetime] = ()
) -> list[Segment]:
    """The part of each hold inside [start, end), one segment per stretch between two
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
                    server_id=hold.floating_id,
                    dimension=DIMENSION,
                    sku=floating_ip_sku(hold.region),
                    start=a,
                    end=b,
                    seconds=seconds_between(a, b),
                    gib=0,
                    region=hold.region,
                    flavor="",
                    project_id=hold.project_id,
                    customer_id=hold.customer_id,
                    partner_id=hold.partner_id,
                    owner=hold.address,
                )
            )
    return found
