"""Public addresses held, as usage (pure): a floating IP is billed per second from its
allocation to its release, associated or not, as its own SKU in its region — the way a
hyperscaler bills a public IPv4 address. Its segments are cut at price changes like a
server's, and name the address for the invoice line."""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from andromede.catalog.pricing import floating_ip_sku
from andromede.metering.holdings import Holding, holding_segments
from andromede.metering.segments import Segment

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
    holdings = [
        Holding(
            h.floating_id,
            DIMENSION,
            floating_ip_sku(h.region),
            h.address,
            0,
            h.region,
            h.start,
            h.end,
            h.project_id,
            h.customer_id,
            h.partner_id,
        )
        for h in holds
    ]
    return holding_segments(holdings, start, end, boundaries)
