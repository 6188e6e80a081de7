"""Rating: a usage segment times the prices in force when it started. Pure.

Segments are already cut at every price change, so one set of prices holds for each. The
amounts stay unrounded here: rounding happens once, per invoice line.
"""

from bisect import bisect_right
from collections.abc import Callable, Iterable
from datetime import datetime
from decimal import Decimal
from typing import NamedTuple

from andromede.catalog.pricing import PriceBook, Prices
from andromede.metering.segments import Segment

__all__ = [
    "SECONDS_PER_GIB_MONTH",
    "SECONDS_PER_HOUR",
    "RatedSegment",
    "price_lookup",
    "quantity",
    "rate",
    "unit_of",
]

SECONDS_PER_HOUR = Decimal(3600)
# A GiB-month is 730 hours (8,760 h / 12), whatever the calendar month: a disk costs the
# same per hour in February as in March.
SECONDS_PER_GIB_MONTH = Decimal(730 * 3600)


class RatedSegment(NamedTuple):
    segment: Segment
    quantity: Decimal  # in the SKU's unit: hours, or GiB-months
    unit: str
    list_price: Decimal
    wholesale_price: Decimal
    resale_price: Decimal
    label: str | None = None  # the invoice line's wording, when not the SKU's own
    reservation_id: str | None = None  # usage a reservation covered, or its charges

    @property
    def list_amount(self) -> Decimal:
        return self.quantity * self.list_price

    @property
    def wholesale_amount(self) -> Decimal:
        return self.quantity * self.wholesale_price

    @property
    def resale_amount(self) -> Decimal:
        return self.quantity * self.resale_price


UNITS = {
    "compute": "hour",
    "cluster": "vCPU-hour",
    "disk": "GiB-month",
    "floating_ip": "hour",
    "volume": "GiB-month",
    "snapshot": "GiB-month",
    "backup": "GiB-month",
}
STORED = {"volume": "Volume", "snapshot": "Instantané de volume", "backup": "Sauvegarde de volume"}


def unit_of(dimension: str) -> str:
    return UNITS[dimension]


def quantity_of(segment: Segment) -> Decimal:
    return quantity(segment.dimension, segment.seconds, segment.gib, segment.vcpus)


def quantity(dimension: str, seconds: Decimal, gib: int, vcpus: int = 0) -> Decimal:
    if dimension in ("compute", "floating_ip"):
        return seconds / SECONDS_PER_HOUR
    if dimension == "cluster":
        return seconds * vcpus / SECONDS_PER_HOUR
    return seconds * gib / SECONDS_PER_GIB_MONTH


def label_of(segment: Segment) -> str | None:
    """A fee's invoice line names what it is for (one line per cluster, per address, per
    volume, snapshot or backup at each size)."""
    if segment.dimension == "cluster":
        return f"Cluster {segment.owner}, région {segment.region} (vCPU-hour)"
    if segment.dimension == "floating_ip":
        return f"Adresse IP publique {segment.owner}, région {segment.region} (hour)"
    if segment.dimension in STORED:
        kind = segment.sku.split(":")[1]
        what = STORED[segment.dimension]
        size = f"{kind}, {segment.gib} Gio"
        return f"{what} {segment.owner} ({size}), région {segment.region} (GiB-month)"
    return None


def rate(segments: Iterable[Segment], book: PriceBook, tiers: dict[str, str]) -> list[RatedSegment]:
    """``tiers`` maps partner id to its program tier (the wholesale price list it buys at)."""
    prices_for = price_lookup(book, tiers)
    rated = []
    for segment in segments:
        prices = prices_for(segment.sku, segment.partner_id, segment.customer_id, segment.start)
        rated.append(
            RatedSegment(
                segment,
                quantity_of(segment),
                UNITS[segment.dimension],
                prices.list,
                prices.wholesale,
                prices.resale,
                label_of(segment),
            )
        )
    return rated


def price_lookup(
    book: PriceBook, tiers: dict[str, str]
) -> Callable[[str, str, str, datetime], Prices]:
    """The prices a buyer pays for a SKU at an instant. Prices only change at the book's
    change times, so they are looked up once per SKU, partner and stretch between two
    changes, and a customer's discount once per customer and stretch (a month close
    rates 175,000 segments of a few thousand such keys)."""
    changes = book.change_times()
    known: dict[tuple[str, str, str, int], Prices] = {}
    partners: dict[tuple[str, str, int], Prices] = {}
    discounts: dict[tuple[str, int], Decimal] = {}  # what each customer keeps, per stretch

    def prices_for(sku: str, partner: str, customer: str, at: datetime) -> Prices:
        stretch = bisect_right(changes, at)
        key = (sku, partner, customer, stretch)
        prices = known.get(key)
        if prices is None:
            shared = partners.get((sku, partner, stretch))
            if shared is None:  # the partner's, shared by all its customers
                shared = partners[(sku, partner, stretch)] = Prices(
                    book.list_price(sku, at),
                    book.wholesale_price(sku, tiers[partner], at, partner),
                    book.partner_resale_price(sku, partner, at),
                )
            kept = discounts.get((customer, stretch))
            if kept is None:
                kept = discounts[(customer, stretch)] = 1 - book.customer_discount(customer, at)
            prices = known[key] = Prices(shared.list, shared.wholesale, shared.resale * kept)
        return prices

    return prices_for
