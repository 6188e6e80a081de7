"""What reservations do to a period's rated usage, and what they charge. Pure.

Covered usage stays on the invoice, at zero, naming the reservation that covered it; the
part no reservation covered keeps its on-demand price. A reservation charges its hourly
part for every hour it is in force, used or not, and its upfront part once, at its start.
Its prices (all three layers) were fixed when it was bought.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from andromede.billing.rating import SECONDS_PER_HOUR, RatedSegment
from andromede.catalog.pricing import Prices
from andromede.metering.segments import Segment, seconds_between
from andromede.prepaid.reservation_matching import Piece, match_period
from andromede.prepaid.terms import Reservation

__all__ = ["FlavorShape", "cover", "hourly_charges", "upfront_charges"]

ZERO = Decimal(0)


@dataclass(frozen=True)
class FlavorShape:
    family: str
    size_units: int


def cover(
    rated: Sequence[RatedSegment],
    shapes: dict[str, FlavorShape],
    reservations: Iterable[Reservation],
    start: datetime,
    end: datetime,
) -> list[RatedSegment]:
    """Splits each compute item into what reservations covered (at zero, per reservation)
    and what stays on demand. ``start`` and ``end`` on clock hours."""
    by_customer: dict[str, list[Reservation]] = {}
    for r in reservations:
        if r.start < end and r.end > start:
            by_customer.setdefault(r.customer_id, []).append(r)
    numbers = {r.id: r.number for held in by_customer.values() for r in held}
    pieces: dict[str, list[Piece]] = {}
    for i, item in enumerate(rated):
        s = item.segment
        if s.dimension == "compute" and s.customer_id in by_customer and s.flavor in shapes:
            shape = shapes[s.flavor]
            piece = Piece(
                str(i), s.server_id, shape.family, s.region, shape.size_units, s.start, s.end
            )
            pieces.setdefault(s.customer_id, []).append(piece)
    covered: dict[int, list[tuple[str, int]]] = {}
    for customer_id, own in pieces.items():
        spans = [r.span() for r in by_customer[customer_id]]
        for (key, reservation_id), amount in match_period(own, spans, start, end).covered.items():
            covered.setdefault(int(key), []).append((reservation_id, amount))
    result: list[RatedSegment] = []
    for i, item in enumerate(rated):
        if i not in covered:
            result.append(item)
            continue
        units = shapes[item.segment.flavor].size_units
        left = item.quantity
        for reservation_id, amount in sorted(covered[i]):
            hours = Decimal(amount) / units / SECONDS_PER_HOUR
            left -= hours
            result.append(_covered(item, hours, reservation_id, numbers[reservation_id]))
        if left > 0:
            result.append(item._replace(quantity=left))
    return result


def _covered(item: RatedSegment, hours: Decimal, reservation_id: str, number: str) -> RatedSegment:
    s = item.segment
    return item._replace(
        quantity=hours,
        list_price=ZERO,
        wholesale_price=ZERO,
        resale_price=ZERO,
        label=(
            f"Serveur virtuel {s.flavor}, région {s.region} ({item.unit}), "
            f"couvert par la réservation {number}"
        ),
        reservation_id=reservation_id,
    )


def _charge(
    r: Reservation, part: str, start: datetime, end: datetime, quantity: Decimal, prices: Prices
) -> RatedSegment:
    segment = Segment(
        r.id,
        "reservation",
        r.sku(part),
        start,
        end,
        seconds_between(start, end),
        0,
        r.region,
        r.flavor,
        "",
        r.customer_id,
        r.partner_id,
    )
    unit = "hour" if part == "hourly" else "reservation"
    wording = f"{r.describe()} — {'part horaire' if part == 'hourly' else 'avance'} ({unit})"
    return RatedSegment(
        segment,
        quantity,
        unit,
        prices.list,
        prices.wholesale,
        prices.resale,
        label=wording,
        reservation_id=r.id,
    )


def hourly_charges(
    reservations: Iterable[Reservation], start: datetime, end: datetime
) -> list[RatedSegment]:
    """Each reservation's hours in force within the period, times its count."""
    charges = []
    for r in reservations:
        a, b = max(r.start, start), min(r.end, end)
        if a >= b or r.hourly.list == r.hourly.wholesale == r.hourly.resale == ZERO:
            continue
        hours = seconds_between(a, b) / SECONDS_PER_HOUR
        charges.append(_charge(r, "hourly", a, b, hours * r.count, r.hourly))
    return charges


def upfront_charges(r: Reservation) -> list[RatedSegment]:
    """The upfront part, once, on the day the reservation starts (none for no-upfront)."""
    if r.payment == "no-upfront":
        return []
    return [_charge(r, "upfront", r.start, r.start, Decimal(r.count), r.upfront)]
