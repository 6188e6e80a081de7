"""Price lists with history, and the price in force at an instant. Pure.

Three layers, each a history of entries that take effect at ``effective_from`` and are
never edited in place:

- **list**: the public price of a SKU (EUR per hour for compute, per GiB-month for disk);
- **wholesale**, per partner tier: an explicit price for a SKU, else the list price less
  the tier's discount; a partner's own explicit price for a SKU (scope: the partner's id,
  set when a price alignment protects its margin) comes before its tier's;
- **resale**, per partner: an explicit price for a SKU, else the list price plus the
  partner's markup (0 by default), then less the customer's discount if the partner set one.

A list cut with the ``hold`` policy pins today's wholesale prices as explicit entries, so
they do not move; with ``follow`` nothing is pinned and wholesale keeps its discount.
"""

import bisect
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal

__all__ = [
    "EPOCH",
    "PriceBook",
    "PriceEntry",
    "Prices",
    "compute_sku",
    "disk_sku",
    "hold_entries",
    "storage_sku",
]

EPOCH = datetime(2000, 1, 1, tzinfo=UTC)  # when default prices take effect
LAYERS = ("list", "wholesale", "resale")
KINDS = ("price", "discount", "markup", "customer-discount")


def compute_sku(flavor: str, region: str) -> str:
    return f"compute:{flavor}:{region}"


def disk_sku(region: str) -> str:
    return f"disk:{region}"


def cluster_sku(region: str) -> str:
    """The managed-cluster fee, per vCPU-hour of a running node, on top of its server."""
    return f"cluster:{region}"


def storage_sku(kind: str, volume_type: str, region: str) -> str:
    """A block-storage object per GiB-month of existence: ``kind`` volume, snapshot or
    backup, of a volume type, in a region."""
    return f"{kind}:{volume_type}:{region}"


def floating_ip_sku(region: str) -> str:
    """A public (floating) IP address, per hour held, associated or not."""
    return f"floating-ip:{region}"


@dataclass(frozen=True)
class PriceEntry:
    layer: str  # list | wholesale | resale
    kind: str  # price | discount | markup | customer-discount
    scope: str  # "" (list), tier (wholesale), partner id (resale), customer id (discount)
    sku: str  # "" for discounts and markups, which apply to every SKU
    value: Decimal
    effective_from: datetime


@dataclass(frozen=True)
class Prices:
    """Unit prices of one SKU for one customer at one instant, all three layers."""

    list: Decimal
    wholesale: Decimal
    resale: Decimal


@dataclass
class _History:
    times: list[datetime] = field(default_factory=list)
    values: list[Decimal] = field(default_factory=list)

    def at(self, t: datetime) -> Decimal | None:
        i = bisect.bisect_right(self.times, t)
        return self.values[i - 1] if i else None


class PriceBook:
    def __init__(self, entries: Iterable[PriceEntry]) -> None:
        self.entries = list(entries)
        self._histories: dict[tuple[str, str, str, str], _History] = {}
        self._changes: dict[str, set[datetime]] = {}
        for entry in sorted(self.entries, key=lambda e: e.effective_from):
            history = self._histories.setdefault(
                (entry.layer, entry.kind, entry.scope, entry.sku), _History()
            )
            history.times.append(entry.effective_from)
            history.values.append(entry.value)
            self._changes.setdefault(entry.sku, set()).add(entry.effective_from)

    def _value(self, layer: str, kind: str, scope: str, sku: str, t: datetime) -> Decimal | None:
        history = self._histories.get((layer, kind, scope, sku))
        return history.at(t) if history else None

    def list_price(self, sku: str, t: datetime) -> Decimal:
        price = self._value("list", "price", "", sku, t)
        if price is None:
            raise KeyError(f"no list price for {sku} at {t.isoformat()}")
        return price

    def wholesale_price(self, sku: str, tier: str, t: datetime, partner: str = "") -> Decimal:
        own = self._value("wholesale", "price", partner, sku, t) if partner else None
        if own is not None:
            return own
        explicit = self._value("wholesale", "price", tier, sku, t)
        if explicit is not None:
            return explicit
        discount = self._value("wholesale", "discount", tier, "", t) or Decimal(0)
        return self.list_price(sku, t) * (1 - discount)

    def resale_price(self, sku: str, partner: str, customer: str, t: datetime) -> Decimal:
        return self.partner_resale_price(sku, partner, t) * (
            1 - self.customer_discount(customer, t)
        )

    def partner_resale_price(self, sku: str, partner: str, t: datetime) -> Decimal:
        """The partner's price before any discount it gives one customer."""
        price = self._value("resale", "price", partner, sku, t)
        if price is None:
            markup = self._value("resale", "markup", partner, "", t) or Decimal(0)
            price = self.list_price(sku, t) * (1 + markup)
        return price

    def customer_discount(self, customer: str, t: datetime) -> Decimal:
        return self._value("resale", "customer-discount", customer, "", t) or Decimal(0)

    def prices(self, sku: str, tier: str, partner: str, customer: str, t: datetime) -> Prices:
        return Prices(
            self.list_price(sku, t),
            self.wholesale_price(sku, tier, t, partner),
            self.resale_price(sku, partner, customer, t),
        )

    def change_times(self) -> list[datetime]:
        """Every instant at which some price changes: segments are cut there."""
        return sorted({t for times in self._changes.values() for t in times})


def hold_entries(book: PriceBook, sku: str, tiers: Iterable[str], at: datetime) -> list[PriceEntry]:
    """Explicit wholesale entries pinning each tier at its price in ``book`` at ``at``; taken
    before the list change is added, they keep wholesale where it was (policy ``hold``)."""
    return [
        PriceEntry("wholesale", "price", tier, sku, book.wholesale_price(sku, tier, at), at)
        for tier in tiers
    ]
