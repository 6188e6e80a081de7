"""Reports on rated usage: what a caller's usage costs so far and where the month is
heading, the partner's margins, and what a list price change would have done."""

from collections.abc import Callable
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy.orm import Session

from andromede.billing.impact import Impact, impact
from andromede.billing.invoicing import margins
from andromede.billing.rating import RatedSegment
from andromede.billing.rating_service import RatingService
from andromede.catalog.pricing import PriceBook, PriceEntry, hold_entries
from andromede.kernel.bounds import bounded_decimal
from andromede.kernel.clock import Clock
from andromede.kernel.errors import Forbidden, ValidationFailed
from andromede.kernel.money import round_cents
from andromede.kernel.months import month_period
from andromede.kernel.tenants import TenantRef
from andromede.tenancy.scope import (
    Caller,
    OrgKind,
    Permission,
    note_read,
    require,
    resource_scope,
    visible,
)
from andromede.tenancy.service import TenancyService

__all__ = ["PriceChange", "ReportService"]

# (today's entries, their book, the start of the month replayed) -> the entries to add
PriceChange = Callable[[list[PriceEntry], PriceBook, datetime], list[PriceEntry]]


class ReportService:
    def __init__(self, clock: Clock, tenancy: TenancyService, rating: RatingService) -> None:
        self.clock = clock
        self.tenancy = tenancy
        self.rating = rating

    def usage(
        self, session: Session, caller: Caller, month: str, project_id: str | None = None
    ) -> list[RatedSegment]:
        """Rated segments the caller may see; month to date for the current month."""
        start, end = month_period(month)
        end = min(end, self.clock.now())
        scope = resource_scope(caller.actor)
        if scope.nothing:
            raise Forbidden("usage detail needs the customer's approval")
        rows = [
            r
            for r in self.rating.rated(session, start, end)
            if visible(scope, TenantRef(r.segment.partner_id, r.segment.customer_id))
            and (project_id is None or r.segment.project_id == project_id)
        ]
        for r in rows:
            note_read(caller, TenantRef(r.segment.partner_id, r.segment.customer_id))
        return rows

    def month_to_date(self, session: Session, caller: Caller, month: str) -> dict[str, str]:
        """What the caller's usage costs so far at its own price (with the hourly part of
        its reservations), and a straight-line forecast to the end of the month."""
        start, end = month_period(month)
        now = min(self.clock.now(), end)
        scope = resource_scope(caller.actor)
        fees = [
            r
            for r in self.rating.charges(session, start, now)
            if visible(scope, TenantRef(r.segment.partner_id, r.segment.customer_id))
        ]
        items = [*self.usage(session, caller, month), *fees]
        spent = round_cents(sum((r.resale_amount for r in items), Decimal(0)))
        elapsed = Decimal((now - start).total_seconds())
        whole = Decimal((end - start).total_seconds())
        forecast = spent if elapsed <= 0 else round_cents(spent * whole / elapsed)
        return {
            "month": month,
            "to_date": f"{spent:f}",
            "forecast": f"{forecast:f}",
            "currency": "EUR",
            "as_of": now.isoformat(),
        }

    def margin_report(self, session: Session, caller: Caller, month: str) -> list[Any]:
        if caller.actor.org_kind is OrgKind.CUSTOMER:
            raise Forbidden("margins are the partner's")
        return margins(self.usage(session, caller, month))

    def preview_price_change(
        self,
        session: Session,
        caller: Caller,
        *,
        sku: str,
        list_price: str,
        wholesale: str,
        month: str,
    ) -> Impact:
        """The dry run, for whoever may change prices (the operator's admins)."""
        require(caller, Permission.MANAGE_CATALOG)
        return self.price_change_impact(
            session, sku=sku, list_price=list_price, wholesale=wholesale, month=month
        )

    def price_change_impact(
        self, session: Session, *, sku: str, list_price: str, wholesale: str, month: str
    ) -> Impact:
        """The change as if it had applied through ``month``: revenue, margins, bills."""
        new_price = bounded_decimal("list", list_price)
        if wholesale not in ("follow", "hold"):
            raise ValidationFailed.one("wholesale", "must be follow or hold")

        def change(entries: list[PriceEntry], book: PriceBook, start: datetime) -> list[PriceEntry]:
            try:
                book.list_price(sku, start)
            except KeyError:
                raise ValidationFailed.one("sku", f"no list price for {sku!r}") from None
            extra = [PriceEntry("list", "price", "", sku, new_price, start)]
            if wholesale == "hold":
                extra += hold_entries(book, sku, self.rating.prices.tiers(session), start)
            return extra

        return self.replay(session, month, change)

    def replay(self, session: Session, month: str, change: PriceChange) -> Impact:
        """``month`` rated as it was and again with the entries ``change`` adds (given
        today's entries, their book and the month's start): revenue, margins, bills."""
        start, end = month_period(month)
        entries = self.rating.prices.price_entries(session)
        book = PriceBook(entries)
        added = change(entries, book, start)
        house = {p.id for p in self.tenancy.all_partners(session) if p.kind == "house"}
        return impact(
            self.rating.rated(session, start, end, book),
            self.rating.rated(session, start, end, PriceBook([*entries, *added])),
            house,
        )
