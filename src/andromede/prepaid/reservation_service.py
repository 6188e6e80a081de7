"""Use cases of reservations: offers, purchase, listing, and what billing reads of them.

A reservation's prices come from the three price lists (SKUs
``reservation:FLAVOR:REGION:TERM:PAYMENT:upfront|hourly``, with history like any SKU) at
the moment it is bought, and stay fixed for its term. It cannot be cancelled. Its upfront
part is due once its term starts: the purchase records that (``upfront_invoiced`` false),
billing issues it and marks it issued.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy.orm import Session

from andromede.audit.actions import AuditAction
from andromede.catalog.price_service import PriceService
from andromede.catalog.pricing import PriceBook, Prices
from andromede.catalog.service import CatalogService
from andromede.db import scoped_page, visible_one
from andromede.kernel.clock import Clock
from andromede.kernel.errors import Forbidden, NotFound, ValidationFailed
from andromede.kernel.ids import new_id
from andromede.kernel.money import round_cents
from andromede.kernel.tenants import TenantRef
from andromede.prepaid import store as prepaid_store
from andromede.prepaid.reservation_pricing import PAYMENTS, TERM_HOURS
from andromede.prepaid.store import ReservationRow
from andromede.prepaid.terms import Reservation
from andromede.tenancy.invoicing_fields import chorus_fields
from andromede.tenancy.scope import Caller, OrgKind, Role, tenant_scope
from andromede.tenancy.service import Customer, TenancyService

__all__ = ["Purchase", "ReservationRow", "ReservationService"]

BUYERS = (Role.OPERATOR_ADMIN, Role.PARTNER_ADMIN, Role.CUSTOMER_ADMIN)
HOUR = timedelta(hours=1)


@dataclass(frozen=True)
class Purchase:
    customer_id: str
    flavor: str
    region: str
    count: int
    term: str
    payment: str
    starts_at: datetime | None = None
    service_code: str | None = None  # a public buyer's Chorus Pro references for this
    commitment_number: str | None = None  # purchase, over the customer's own


def purchase_references(
    service_code: str | None, commitment_number: str | None
) -> dict[str, str | None]:
    """A purchase's own Chorus Pro references (BT-10, BT-13), trimmed and checked."""
    values = {"service_code": service_code, "commitment_number": commitment_number}
    checked, errors = chorus_fields(values)
    if errors:
        raise ValidationFailed(errors)
    return checked


def hour_floor(moment: datetime) -> datetime:
    return moment.replace(minute=0, second=0, microsecond=0)


def hour_ceil(moment: datetime) -> datetime:
    floor = hour_floor(moment)
    return floor if floor == moment else floor + HOUR


class ReservationService:
    def __init__(
        self,
        clock: Clock,
        tenancy: TenancyService,
        catalog: CatalogService,
        prices: PriceService,
    ) -> None:
        self.clock = clock
        self.tenancy = tenancy
        self.catalog = catalog
        self.prices = prices

    def layer_of(self, session: Session, customer: Customer) -> str:
        """The price list the customer is invoiced at: list for the operator's direct
        customers, its partner's resale prices otherwise."""
        house = {p.id for p in self.tenancy.all_partners(session) if p.kind == "house"}
        return "list" if customer.partner_id in house else "resale"

    # -- what can be bought ---------------------------------------------------------
    def prices_for(
        self,
        book: PriceBook,
        tier: str,
        customer: Customer,
        flavor: str,
        region: str,
        term: str,
        pay: str,
    ) -> tuple[Prices, Prices]:
        """(upfront, hourly) per reservation in all three layers for this customer, now."""
        sku = f"reservation:{flavor}:{region}:{term}:{pay}"
        now = self.clock.now()

        def of(part: str) -> Prices:
            return book.prices(f"{sku}:{part}", tier, customer.partner_id, customer.id, now)

        return of("upfront"), of("hourly")

    def offers(
        self,
        session: Session,
        caller: Caller,
        customer_id: str,
        flavor: str | None = None,
        region: str | None = None,
    ) -> list[dict[str, Any]]:
        customer = self.tenancy.get_customer(session, caller, customer_id)
        tier = self.tenancy.partner_tiers(session)[customer.partner_id]
        book = self.prices.price_book(session)
        layer = self.layer_of(session, customer)
        regions = [r.code for r in self.catalog.all_regions(session) if region in (None, r.code)]
        flavors = [f for f in self.catalog.all_flavors(session) if flavor in (None, f.name, f.id)]
        found = []
        for f, r in ((f, r) for f in flavors for r in regions):
            on_demand = book.prices(
                f"compute:{f.name}:{r}", tier, customer.partner_id, customer.id, self.clock.now()
            )
            for term, pay in ((t, p) for t in TERM_HOURS for p in PAYMENTS):
                upfront, hourly = self.prices_for(book, tier, customer, f.name, r, term, pay)
                shape = (f.name, f.family, f.size_units, r, term, pay)
                found.append(_offer_view(caller, layer, shape, (upfront, hourly, on_demand)))
        return found

    # -- buying ---------------------------------------------------------------------
    def buy(self, session: Session, caller: Caller, p: Purchase) -> ReservationRow:
        customer = self.tenancy.get_customer(session, caller, p.customer_id)
        if caller.actor.role not in BUYERS:
            raise Forbidden("reservations are bought by the customer's or its partner's admins")
        self.tenancy.require_active(session, customer.id)
        flavor, region, start = self._check(session, p)
        upfront, hourly = self.prices_for(
            self.prices.price_book(session),
            self.tenancy.partner_tiers(session)[customer.partner_id],
            customer,
            flavor.name,
            region,
            p.term,
            p.payment,
        )
        references = purchase_references(p.service_code, p.commitment_number)
        rid = new_id()
        row = ReservationRow(
            id=rid,
            **references,
            number=f"RES-{rid[:8].upper()}",
            partner_id=customer.partner_id,
            customer_id=customer.id,
            flavor=flavor.name,
            family=flavor.family,
            region=region,
            size_units=flavor.size_units,
            count=p.count,
            term=p.term,
            payment=p.payment,
            starts_at=start,
            ends_at=start + timedelta(hours=TERM_HOURS[p.term]),
            list_upfront=upfront.list,
            list_hourly=hourly.list,
            wholesale_upfront=upfront.wholesale,
            wholesale_hourly=hourly.wholesale,
            resale_upfront=upfront.resale,
            resale_hourly=hourly.resale,
            upfront_invoiced=False,
            created_at=self.clock.now(),
            created_by=caller.actor.username,
        )
        session.add(row)
        session.flush()
        ref = TenantRef(customer.partner_id, customer.id)
        self.tenancy.audit(session, caller, AuditAction.RESERVATION_BUY, "reservation", row.id, ref)
        return row

    def _check(self, session: Session, p: Purchase) -> tuple[Any, str, datetime]:
        if p.term not in TERM_HOURS:
            raise ValidationFailed.one("term", "must be 1y (8,760 h) or 3y (26,280 h)")
        if p.payment not in PAYMENTS:
            raise ValidationFailed.one("payment", f"must be one of {', '.join(PAYMENTS)}")
        if not 1 <= p.count <= 10_000:
            raise ValidationFailed.one("count", "must be between 1 and 10,000")
        try:
            flavor = self.catalog.flavor(session, p.flavor)
        except NotFound:
            raise ValidationFailed.one("flavor", f"unknown flavor {p.flavor!r}") from None
        regions = {r.code for r in self.catalog.all_regions(session)}
        if p.region not in regions:
            raise ValidationFailed.one("region", f"unknown region {p.region!r}")
        now = self.clock.now()
        if p.starts_at is None:
            return flavor, p.region, hour_floor(now)
        if p.starts_at.tzinfo is None:
            raise ValidationFailed.one("starts_at", "give the time zone (e.g. Z for UTC)")
        if p.starts_at < now:
            raise ValidationFailed.one("starts_at", "a reservation starts now or later")
        return flavor, p.region, hour_ceil(p.starts_at)

    # -- what billing reads ---------------------------------------------------------
    def upfront_due(self, session: Session) -> list[str]:
        """Reservations whose term has started and whose upfront part is not issued yet."""
        return prepaid_store.upfront_due(session, self.clock.now())

    def lock_upfront_due(self, session: Session, reservation_id: str) -> ReservationRow | None:
        """The reservation, locked, if its upfront part is still due."""
        row = session.get(ReservationRow, reservation_id, with_for_update=True)
        due = row is not None and not row.upfront_invoiced and row.starts_at <= self.clock.now()
        return row if due else None

    def in_force(
        self, session: Session, start: datetime, end: datetime, customer_id: str | None = None
    ) -> list[Reservation]:
        """The terms of every reservation in force some time in [start, end)."""
        rows = prepaid_store.reservations_between(session, start, end)
        return [r.terms() for r in rows if customer_id is None or r.customer_id == customer_id]

    # -- reading --------------------------------------------------------------------
    def list_reservations(
        self,
        session: Session,
        caller: Caller,
        *,
        limit: int,
        marker: str | None,
        customer_id: str | None = None,
    ) -> list[ReservationRow]:
        return scoped_page(
            session,
            ReservationRow,
            tenant_scope(caller.actor),
            limit=limit,
            marker=marker,
            filters={"customer_id": customer_id},
        )

    def get(self, session: Session, caller: Caller, reservation_id: str) -> ReservationRow:
        scope = tenant_scope(caller.actor)
        return visible_one(session, ReservationRow, reservation_id, scope, "reservation")


def _offer_view(
    caller: Caller,
    layer: str,
    shape: tuple[str, str, int, str, str, str],
    prices: tuple[Prices, Prices, Prices],
) -> dict[str, Any]:
    """The customer's price; a partner also sees what it pays; the operator the list."""
    flavor, family, size_units, region, term, payment = shape
    upfront, hourly, on_demand = prices
    view: dict[str, Any] = {
        "flavor": flavor,
        "family": family,
        "size_units": size_units,
        "region": region,
        "term": term,
        "payment": payment,
        "hours": TERM_HOURS[term],
    }
    layers = [layer]
    if caller.actor.org_kind is not OrgKind.CUSTOMER:
        layers.append("wholesale")
    if caller.actor.org_kind is OrgKind.OPERATOR:
        layers.append("list")
    for name in dict.fromkeys(layers):
        up, hr, od = getattr(upfront, name), getattr(hourly, name), getattr(on_demand, name)
        key = "price" if name == layer else f"{name}_price"
        view[key] = {
            "upfront": f"{round_cents(up):f}",
            "hourly": f"{hr.quantize(Decimal('0.000001')):f}",
            "effective_hourly": f"{(hr + up / TERM_HOURS[term]).quantize(Decimal('0.000001')):f}",
            "on_demand_hourly": f"{od.quantize(Decimal('0.000001')):f}",
        }
    return view
