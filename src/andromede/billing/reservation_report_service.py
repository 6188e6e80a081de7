"""Reservation reports: utilization since a reservation started, a month's utilization,
coverage, savings and unused cost per reservation at the customer's prices, and
recommendations from the last 30 days of usage (what to buy in addition to what the
customer already holds)."""

from datetime import timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy.orm import Session

from andromede.billing.rating import RatedSegment
from andromede.billing.rating_service import RatingService
from andromede.kernel.money import round_cents
from andromede.kernel.months import month_period
from andromede.prepaid.reservation_matching import Piece, match_period
from andromede.prepaid.reservation_pricing import PAYMENTS, TERM_HOURS, Offer, recommend
from andromede.prepaid.reservation_service import (
    HOUR,
    ReservationRow,
    ReservationService,
    hour_ceil,
    hour_floor,
)
from andromede.prepaid.reservations import Run, by_hour
from andromede.tenancy.scope import Caller
from andromede.tenancy.service import Customer

__all__ = ["ReservationReports"]

WINDOW = timedelta(days=30)


class ReservationReports:
    def __init__(self, reservations: ReservationService, rating: RatingService) -> None:
        self.reservations = reservations
        self.rating = rating
        self.clock = reservations.clock
        self.tenancy = reservations.tenancy
        self.catalog = reservations.catalog

    def utilization(self, session: Session, row: ReservationRow) -> dict[str, Any]:
        """From the start of the term to now (or its end): used ÷ purchased unit-hours."""
        start, end = row.starts_at, min(row.ends_at, hour_ceil(self.clock.now()))
        if end <= start:
            return {"from": start.isoformat(), "to": start.isoformat(), "rate": None}
        rated = self.rating.on_demand(session, start, end, customer_id=row.customer_id)
        spans = [
            r.span() for r in self.rating.reservations_in(session, start, end, row.customer_id)
        ]
        match = match_period(self._pieces(session, rated), spans, start, end)
        bought, used = match.purchased.get(row.id, 0), match.used.get(row.id, 0)
        return {
            "from": start.isoformat(),
            "to": end.isoformat(),
            "purchased_unit_hours": _hours(bought),
            "used_unit_hours": _hours(used),
            "rate": _ratio(used, bought),
        }

    def _pieces(self, session: Session, rated: list[RatedSegment]) -> list[Piece]:
        shapes = self.rating.shapes(session)
        return [
            Piece(
                str(i),
                s.server_id,
                shapes[s.flavor].family,
                s.region,
                shapes[s.flavor].size_units,
                s.start,
                s.end,
            )
            for i, s in enumerate(r.segment for r in rated)
            if s.dimension == "compute" and s.flavor in shapes
        ]

    def report(
        self,
        session: Session,
        caller: Caller,
        customer_id: str,
        month: str,
        *,
        recommendations: bool = True,
    ) -> dict[str, Any]:
        """Utilization and coverage in the month, per reservation its effective rate,
        savings and unused cost at the customer's prices, and recommendations from the
        last 30 days of usage."""
        customer = self.tenancy.get_customer(session, caller, customer_id)
        start, end = month_period(month)
        end = min(end, hour_ceil(self.clock.now()))
        layer = self.reservations.layer_of(session, customer)
        held = self.rating.reservations_in(session, start, end, customer.id) if end > start else []
        rated = self.rating.on_demand(session, start, end, customer_id=customer.id) if held else []
        pieces = self._pieces(session, rated)
        match = match_period(pieces, [r.span() for r in held], start, end)
        value = _covered_value(rated, pieces, match.covered, layer)
        rows = []
        for r in held:
            bought, used = match.purchased.get(r.id, 0), match.used.get(r.id, 0)
            upfront, hourly = getattr(r.upfront, layer), getattr(r.hourly, layer)
            effective = hourly + upfront / TERM_HOURS[r.term]
            hours_in = Decimal(bought) / (r.size_units * r.count * 3600)
            cost = effective * r.count * hours_in
            use = Decimal(used) / bought if bought else Decimal(0)
            rows.append(
                {
                    "id": r.id,
                    "number": r.number,
                    "flavor": r.flavor,
                    "region": r.region,
                    "count": r.count,
                    "purchased_unit_hours": _hours(bought),
                    "used_unit_hours": _hours(used),
                    "utilization": _ratio(used, bought),
                    "effective_hourly_rate": f"{effective.quantize(Decimal('0.000001')):f}",
                    "cost": f"{round_cents(cost):f}",
                    "on_demand_value": f"{round_cents(value.get(r.id, Decimal(0))):f}",
                    "savings": f"{round_cents(value.get(r.id, Decimal(0)) - cost):f}",
                    "unused_cost": f"{round_cents(cost * (1 - use)):f}",
                }
            )
        return {
            "customer_id": customer.id,
            "month": month,
            "currency": "EUR",
            "eligible_unit_hours": _hours(match.eligible),
            "covered_unit_hours": _hours(match.covered_total),
            "coverage": _ratio(match.covered_total, match.eligible),
            "reservations": rows,
            "recommendations": (
                self.recommendations(session, customer, layer) if recommendations else []
            ),
        }

    def recommendations(
        self, session: Session, customer: Customer, layer: str
    ) -> list[dict[str, Any]]:
        end = hour_floor(self.clock.now())
        start = end - WINDOW
        # what the customer holds from now on fills first: advice is about buying more
        held = [
            r.span().pool()
            for r in self.rating.reservations_in(session, end, end + HOUR, customer.id)
        ]
        rated = self.rating.on_demand(session, start, end, customer_id=customer.id)
        shapes = self.rating.shapes(session)
        compute = [
            r for r in rated if r.segment.dimension == "compute" and r.segment.flavor in shapes
        ]
        if not compute:
            return []
        runs = [
            Run(
                r.segment.server_id,
                shapes[r.segment.flavor].family,
                r.segment.region,
                shapes[r.segment.flavor].size_units,
                r.segment.start,
                r.segment.end,
            )
            for r in compute
        ]
        used = by_hour(runs)
        hours = {start + HOUR * i: used.get(start + HOUR * i, []) for i in range(WINDOW // HOUR)}
        unit_price = {
            r.segment.server_id: getattr(r, f"{layer}_price") / shapes[r.segment.flavor].size_units
            for r in compute
        }
        tier = self.tenancy.partner_tiers(session)[customer.partner_id]
        book = self.rating.prices.price_book(session)
        smallest = self._smallest_flavors(session)
        candidates = []
        for family, region in sorted({(run.family, run.region) for run in runs}):
            flavor, units = smallest[family]
            for term in TERM_HOURS:
                for pay in PAYMENTS:
                    upfront, hourly = self.reservations.prices_for(
                        book, tier, customer, flavor, region, term, pay
                    )
                    candidates.append(
                        Offer(
                            flavor,
                            family,
                            region,
                            units,
                            term,
                            pay,
                            getattr(upfront, layer),
                            getattr(hourly, layer),
                        )
                    )
        return [
            {
                "flavor": rec.offer.flavor,
                "region": rec.offer.region,
                "term": rec.offer.term,
                "payment": rec.offer.payment,
                "count": rec.count,
                "savings_over_30_days": f"{rec.savings:f}",
            }
            for rec in recommend(hours, unit_price, candidates, held=held)[:10]
        ]

    def _smallest_flavors(self, session: Session) -> dict[str, tuple[str, int]]:
        smallest: dict[str, tuple[str, int]] = {}
        for f in self.catalog.all_flavors(session):
            if f.family not in smallest or f.size_units < smallest[f.family][1]:
                smallest[f.family] = (f.name, f.size_units)
        return smallest


def _hours(unit_seconds: int) -> str:
    return f"{(Decimal(unit_seconds) / 3600).quantize(Decimal('0.01')):f}"


def _ratio(part: int, whole: int) -> str | None:
    return f"{(Decimal(part) / whole).quantize(Decimal('0.0001')):f}" if whole else None


def _covered_value(
    rated: list[RatedSegment],
    pieces: list[Piece],
    covered: dict[tuple[str, str], int],
    layer: str,
) -> dict[str, Decimal]:
    """What the covered usage would have cost on demand, per reservation."""
    units = {p.key: p.size_units for p in pieces}
    value: dict[str, Decimal] = {}
    for (key, reservation_id), amount in covered.items():
        price = getattr(rated[int(key)], f"{layer}_price")
        hours = Decimal(amount) / units[key] / 3600
        value[reservation_id] = value.get(reservation_id, Decimal(0)) + price * hours
    return value
