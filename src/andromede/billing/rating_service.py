"""A period's usage, rated: metering's segments at the prices in force, less what
reservations covered, and the hourly part of the reservations in force. One service that
the month close, the usage and margin reports and the reservation reports all read, so
that every figure comes from the same arithmetic."""

from collections.abc import Collection
from datetime import datetime

from sqlalchemy.orm import Session

from andromede.billing.rating import RatedSegment, rate
from andromede.billing.reserved_rating import FlavorShape, cover, hourly_charges
from andromede.billing.summed_usage import summed_server_usage
from andromede.catalog.price_service import PriceService
from andromede.catalog.pricing import PriceBook
from andromede.catalog.service import CatalogService
from andromede.kernel.collector import collector_paused
from andromede.metering.segments import Carried
from andromede.metering.service import MeteringService, cuts
from andromede.prepaid.reservation_service import ReservationService
from andromede.prepaid.terms import Reservation
from andromede.tenancy.service import TenancyService

__all__ = ["RatingService"]


class RatingService:
    def __init__(
        self,
        tenancy: TenancyService,
        catalog: CatalogService,
        prices: PriceService,
        metering: MeteringService,
        reservations: ReservationService,
    ) -> None:
        self.tenancy = tenancy
        self.catalog = catalog
        self.prices = prices
        self.metering = metering
        self.reservations = reservations

    def rated(
        self,
        session: Session,
        start: datetime,
        end: datetime,
        book: PriceBook | None = None,
        customer_id: str | None = None,
    ) -> list[RatedSegment]:
        """Usage at on-demand prices, less what reservations covered (at zero). A month's
        usage is hundreds of thousands of tuples: built with the cyclic collector paused
        (``collector_paused``), which otherwise walked them over and over."""
        with collector_paused():
            return cover(
                self.on_demand(session, start, end, book, customer_id),
                self.shapes(session),
                self.reservations_in(session, start, end, customer_id),
                start,
                end,
            )

    def on_demand(
        self,
        session: Session,
        start: datetime,
        end: datetime,
        book: PriceBook | None = None,
        customer_id: str | None = None,
    ) -> list[RatedSegment]:
        book = book or self.prices.price_book(session)
        segments = self.metering.segments(session, start, end, book.change_times(), customer_id)
        return rate(segments, book, self.tenancy.partner_tiers(session))

    def for_invoices(self, session: Session, start: datetime, end: datetime) -> list[RatedSegment]:
        """``rated`` as a month's invoices read it: ``summed_by_party`` gives the same
        from both (``month_usage``'s usage)."""
        return self.month_usage(session, start, end)[0]

    def month_usage(
        self,
        session: Session,
        start: datetime,
        end: datetime,
        partners: Collection[str] | None = None,
    ) -> tuple[list[RatedSegment], Carried]:
        """``for_invoices``, and the servers' runs still open at ``end`` (what the next
        month carries). Most customers' server usage comes already added up per invoice
        key (``summed_server_usage``: a month close no longer builds a segment and a rated
        piece per piece); customers with a reservation in force, or with a cluster's
        nodes, keep their pieces, which covering and fees cut one by one. ``partners``:
        their usage and their servers' runs only (a close planned in parts): what the
        others' servers changed and their customers held is not read, and covering and
        fees only cut what was."""
        with collector_paused():
            book = self.prices.price_book(session)
            changes = book.change_times()
            tiers = self.tenancy.partner_tiers(session)
            held = self.reservations_in(session, start, end)
            spans = self.metering.fee_spans(session, start, end)
            detailed = frozenset(
                {r.customer_id for r in held} | self.metering.customers_of(session, spans)
            )
            # streamed: nothing else may be read until every change has been
            events, carried = self.metering.carried_events(session, start, end, None, partners)
            summed, own, still_open = summed_server_usage(
                events,
                start=start,
                until=end,
                cuts=cuts(start, end, changes),
                book=book,
                tiers=tiers,
                detailed=detailed,
                carried=carried,
            )
            rest = [
                *own,
                *self.metering.beside(session, own, spans, start, end, changes, None, partners),
            ]
            covered = cover(rate(rest, book, tiers), self.shapes(session), held, start, end)
            return [*summed, *covered], still_open

    def idle(
        self, session: Session, start: datetime, end: datetime, customer_id: str
    ) -> list[RatedSegment]:
        """The time the customer's servers stood stopped, rated as if they had run (at
        on-demand prices, no reservation): what stopping them saved."""
        book = self.prices.price_book(session)
        segments = self.metering.idle_segments(
            session, start, end, book.change_times(), customer_id
        )
        return rate(segments, book, self.tenancy.partner_tiers(session))

    def shapes(self, session: Session) -> dict[str, FlavorShape]:
        return {
            f.name: FlavorShape(f.family, f.size_units) for f in self.catalog.all_flavors(session)
        }

    def reservations_in(
        self, session: Session, start: datetime, end: datetime, customer_id: str | None = None
    ) -> list[Reservation]:
        return self.reservations.in_force(session, start, end, customer_id)

    def charges(
        self,
        session: Session,
        start: datetime,
        end: datetime,
        customer_id: str | None = None,
        partners: Collection[str] | None = None,
    ) -> list[RatedSegment]:
        """The hourly part of the reservations in force in the period (of ``partners``'
        customers only, if given)."""
        charged = hourly_charges(self.reservations_in(session, start, end, customer_id), start, end)
        if partners is None:
            return charged
        return [r for r in charged if r.segment.partner_id in partners]
