"""What a reservation costs and which one would have saved the most. Pure.

A reservation is bought for a term (1 year = 8,760 h, 3 years = 26,280 h) with one of
three payment options; the longer the term and the more paid up front, the larger the
discount on the on-demand price. Its cost is an upfront part (invoiced once, when it
starts) and an hourly part (billed every hour of the term, used or not).
"""

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import ROUND_HALF_UP, Decimal

from andromede.catalog.pricing import EPOCH, PriceEntry
from andromede.kernel.money import round_cents
from andromede.prepaid.reservations import SECONDS_PER_HOUR, HourUsage, Pool, match_hour

__all__ = [
    "DEFAULT_DISCOUNTS",
    "PAYMENTS",
    "TERM_HOURS",
    "Offer",
    "Recommendation",
    "default_prices",
    "offer",
    "recommend",
    "reservation_sku",
]

TERM_HOURS = {"1y": 8760, "3y": 26280}
PAYMENTS = ("all-upfront", "partial-upfront", "no-upfront")
# the operator's default discounts on the on-demand price, until its price lists say else
DEFAULT_DISCOUNTS = {
    ("1y", "no-upfront"): Decimal("0.28"),
    ("1y", "partial-upfront"): Decimal("0.32"),
    ("1y", "all-upfront"): Decimal("0.35"),
    ("3y", "no-upfront"): Decimal("0.45"),
    ("3y", "partial-upfront"): Decimal("0.52"),
    ("3y", "all-upfront"): Decimal("0.55"),
}
RATE = Decimal("0.000001")


@dataclass(frozen=True)
class Offer:
    flavor: str
    family: str
    region: str
    size_units: int
    term: str
    payment: str
    upfront: Decimal  # per reservation, in EUR, to the cent
    hourly: Decimal  # per reservation-hour, 6 decimals

    @property
    def hours(self) -> int:
        return TERM_HOURS[self.term]

    @property
    def effective_hourly(self) -> Decimal:
        """The hourly cost with the upfront part spread over the term."""
        return self.hourly + self.upfront / self.hours


def offer(
    flavor: str,
    family: str,
    region: str,
    size_units: int,
    on_demand_hourly: Decimal,
    term: str,
    payment: str,
    discount: Decimal | None = None,
) -> Offer:
    """Prices of a reservation from the flavor's on-demand hourly price."""
    if term not in TERM_HOURS:
        raise ValueError("term must be 1y or 3y")
    if payment not in PAYMENTS:
        raise ValueError(f"payment must be one of {', '.join(PAYMENTS)}")
    off = DEFAULT_DISCOUNTS[(term, payment)] if discount is None else discount
    hours = TERM_HOURS[term]
    total = round_cents(on_demand_hourly * (1 - off) * hours)
    upfront = {"all-upfront": total, "partial-upfront": round_cents(total / 2)}.get(
        payment, Decimal("0.00")
    )
    hourly = ((total - upfront) / hours).quantize(RATE, ROUND_HALF_UP)
    return Offer(flavor, family, region, size_units, term, payment, upfront, hourly)


@dataclass(frozen=True)
class Recommendation:
    offer: Offer
    count: int
    savings: Decimal  # over the window looked at, to the cent


def _savings(
    hours: Counter[tuple[HourUsage, ...]],
    unit_price: dict[str, Decimal],
    candidate: Offer,
    count: int,
    held: Sequence[Pool],
) -> Decimal:
    """What the customer would have saved with ``count`` more of ``candidate``: the
    on-demand price of what they would have covered (after the reservations ``held``, which
    fill first), less their cost every hour. ``hours``: each distinct hour and how often."""
    after_held = datetime.max.replace(tzinfo=UTC)
    pool = Pool(
        "candidate", candidate.family, candidate.region, count * candidate.size_units, after_held
    )
    saved = Decimal(0)
    for usage, times in hours.items():
        pairs = match_hour(usage, [*held, pool]).pairs
        for (server_id, reservation_id), unit_seconds in pairs.items():
            if reservation_id == "candidate":
                saved += unit_price[server_id] * unit_seconds * times / SECONDS_PER_HOUR
    return saved - count * candidate.effective_hourly * hours.total()


def recommend(
    hours: dict[datetime, list[HourUsage]],
    unit_price: dict[str, Decimal],
    offers: Sequence[Offer],
    max_count: int = 100,
    held: Sequence[Pool] = (),
) -> list[Recommendation]:
    """For each offer, the number of reservations to add to those ``held`` that would have
    saved the most over the window (every hour of it in ``hours``, idle ones empty), best
    first; offers that would not have saved anything are left out. ``unit_price``: each
    server's on-demand price per normalized unit-hour."""
    distinct = Counter(tuple(sorted(u, key=lambda x: x.server_id)) for u in hours.values())
    found = []
    # Savings grow with the count while each added unit covers more than it costs, then
    # fall: a family's on-demand price is linear in its units, so the first count that
    # does not improve ends the search.
    for candidate in offers:
        best = Recommendation(candidate, 0, Decimal(0))
        for count in range(1, max_count + 1):
            saved = _savings(distinct, unit_price, candidate, count, held)
            if saved <= best.savings:
                break
            best = Recommendation(candidate, count, saved)
        if best.count:
            found.append(Recommendation(candidate, best.count, round_cents(best.savings)))
    return sorted(found, key=lambda r: (-r.savings, r.offer.flavor, r.offer.term, r.offer.payment))


def reservation_sku(flavor: str, region: str, term: str, payment: str) -> str:
    """The SKU of a reservation's prices; ``:upfront`` and ``:hourly`` name its parts."""
    return f"reservation:{flavor}:{region}:{term}:{payment}"


def default_prices(flavor: str, family: str, region: str, on_demand: Decimal) -> list[PriceEntry]:
    """Default list prices of the flavor's reservations: the operator's default discounts
    on the on-demand price (a default rule of the price service)."""
    entries = []
    for term in TERM_HOURS:
        for payment in PAYMENTS:
            o = offer(flavor, family, region, 0, on_demand, term, payment)
            sku = reservation_sku(flavor, region, term, payment)
            entries += [
                PriceEntry("list", "price", "", f"{sku}:upfront", o.upfront, EPOCH),
                PriceEntry("list", "price", "", f"{sku}:hourly", o.hourly, EPOCH),
            ]
    return entries
