"""Use cases of billing: prices and price changes, month close, invoices, credit notes,
usage and margin reports. Functions take the entry point's session and never commit; the
month-close job opens one transaction per invoice (see worker/jobs.py)."""

import re
from dataclasses import asdict
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy.orm import Session

from andromede.billing import prepaid_store, store
from andromede.billing.commitments import Credit, draw
from andromede.billing.impact import Impact, impact
from andromede.billing.invoicing import (
    Line,
    Party,
    credit_lines,
    due_date,
    invoice_number,
    margins,
    totals,
)
from andromede.billing.prepaid_store import Commitment, CommitmentDraw
from andromede.billing.rating import RatedSegment, rate
from andromede.billing.reservation_pricing import PAYMENTS, TERM_HOURS, offer
from andromede.billing.reserved_rating import FlavorShape, Reservation, cover, hourly_charges
from andromede.billing.statements import CustomerInfo, Draft, PartnerInfo, plan_month
from andromede.billing.store import Invoice, InvoiceLine, PriceRow
from andromede.catalog.pricing import PriceBook, PriceEntry, hold_entries
from andromede.catalog.service import CatalogService
from andromede.config import Settings
from andromede.db import scoped_page, visible_one
from andromede.kernel.bounds import bounded_decimal
from andromede.kernel.clock import Clock
from andromede.kernel.errors import Conflict, Forbidden, ValidationFailed
from andromede.kernel.ids import new_id
from andromede.kernel.money import round_cents
from andromede.kernel.months import month_bounds
from andromede.kernel.tenants import TenantRef
from andromede.metering.segments import compute_sku, disk_sku
from andromede.metering.service import MeteringService
from andromede.tenancy.scope import (
    Caller,
    OrgKind,
    Role,
    note_read,
    resource_scope,
    tenant_scope,
    visible,
)
from andromede.tenancy.service import TenancyService
from andromede.tenancy.store import Customer, Partner

__all__ = ["DEFAULT_TIER_DISCOUNTS", "BillingService"]

EPOCH = datetime(2000, 1, 1, tzinfo=UTC)
# Default list prices, aligned on hyperscaler on-demand prices (EUR, excl. VAT).
PER_VCPU_HOUR = Decimal("0.0110")
PER_GIB_RAM_HOUR = Decimal("0.0030")
PER_GIB_DISK_MONTH = Decimal("0.0800")
DEFAULT_TIER_DISCOUNTS = {
    "registered": Decimal("0.10"),
    "silver": Decimal("0.20"),
    "gold": Decimal("0.25"),
    "platinum": Decimal("0.30"),
}
LAYER_KINDS = {
    "list": {"price"},
    "wholesale": {"price", "discount"},
    "resale": {"price", "markup", "customer-discount"},
}


MONTH_KEY = re.compile(r"^\d{4}-\d{2}:")


def _reservation_entries(
    flavor: str, family: str, region: str, on_demand: Decimal
) -> list[PriceEntry]:
    """Default list prices of the flavor's reservations: the operator's default discounts
    on the on-demand price."""
    entries = []
    for term in TERM_HOURS:
        for payment in PAYMENTS:
            o = offer(flavor, family, region, 0, on_demand, term, payment)
            sku = f"reservation:{flavor}:{region}:{term}:{payment}"
            entries += [
                PriceEntry("list", "price", "", f"{sku}:upfront", o.upfront, EPOCH),
                PriceEntry("list", "price", "", f"{sku}:hourly", o.hourly, EPOCH),
            ]
    return entries


def party_of(row: Partner | Customer) -> Party:
    return Party(row.name, row.country, row.address, row.siren, row.vat_number)


class BillingService:
    def __init__(
        self,
        clock: Clock,
        settings: Settings,
        tenancy: TenancyService,
        catalog: CatalogService,
        metering: MeteringService,
    ) -> None:
        self.clock = clock
        self.tenancy = tenancy
        self.catalog = catalog
        self.metering = metering
        self.operator = Party(
            settings.operator_name,
            "FR",
            settings.operator_address,
            settings.operator_siren,
            settings.operator_vat_number,
            settings.operator_legal_details,
        )

    # -- prices ----------------------------------------------------------------
    def default_entries(self, session: Session) -> list[PriceEntry]:
        """Catalog prices every SKU starts with, until the operator sets its own."""
        entries = [
            PriceEntry("wholesale", "discount", tier, "", value, EPOCH)
            for tier, value in DEFAULT_TIER_DISCOUNTS.items()
        ]
        regions = [r.code for r in self.catalog.all_regions(session)]
        for flavor in self.catalog.list_flavors(session, limit=10_000, marker=None):
            hourly = (
                PER_VCPU_HOUR * flavor.vcpus + PER_GIB_RAM_HOUR * Decimal(flavor.ram_mib) / 1024
            ).quantize(Decimal("0.0001"))
            for r in regions:
                entries.append(
                    PriceEntry("list", "price", "", compute_sku(flavor.name, r), hourly, EPOCH)
                )
                entries += _reservation_entries(flavor.name, flavor.family, r, hourly)
        entries += [
            PriceEntry("list", "price", "", disk_sku(r), PER_GIB_DISK_MONTH, EPOCH) for r in regions
        ]
        return entries

    def price_entries(self, session: Session) -> list[PriceEntry]:
        explicit = [
            PriceEntry(r.layer, r.kind, r.scope, r.sku, r.value, r.effective_from)
            for r in store.price_rows(session)
        ]
        return [*self.default_entries(session), *explicit]

    def price_book(self, session: Session) -> PriceBook:
        return PriceBook(self.price_entries(session))

    def list_prices(
        self, session: Session, caller: Caller, layer: str | None = None
    ) -> list[PriceRow]:
        """Explicit price entries the caller may know: everyone sees list prices; a partner
        also its tier's wholesale entries and its own resale entries; staff see all."""
        actor = caller.actor
        tier = None
        if actor.org_kind is OrgKind.PARTNER and actor.partner_id:
            tier = self.tenancy.get_partner(session, caller, actor.partner_id).tier

        def visible_to_caller(row: PriceRow) -> bool:
            if actor.org_kind is OrgKind.OPERATOR or row.layer == "list":
                return True
            if actor.org_kind is OrgKind.CUSTOMER:
                return False
            if row.layer == "wholesale":
                return row.scope == tier
            return row.partner_id == actor.partner_id

        return [
            r
            for r in store.price_rows(session)
            if visible_to_caller(r) and (layer is None or r.layer == layer)
        ]

    def set_price(
        self,
        session: Session,
        caller: Caller,
        *,
        layer: str,
        kind: str,
        scope: str,
        sku: str,
        value: str,
        effective_from: datetime | None,
    ) -> PriceRow:
        """Operators set list and wholesale prices; a partner sets its own resale prices."""
        if kind not in LAYER_KINDS.get(layer, set()):
            raise ValidationFailed.one(
                "kind", f"layer {layer!r} takes {sorted(LAYER_KINDS.get(layer, []))}"
            )
        amount = bounded_decimal("value", value)
        if kind in ("discount", "customer-discount") and amount > 1:
            raise ValidationFailed.one("value", "a discount is a fraction between 0 and 1")
        when = effective_from or self.clock.now()
        if when < self.clock.now():
            raise ValidationFailed.one(
                "effective_from", "prices change now or later, never in the past"
            )
        partner_id = self._check_price_scope(session, caller, layer, kind, scope)
        if kind == "price" and not sku:
            raise ValidationFailed.one("sku", "an explicit price names its SKU")
        row = PriceRow(
            id=new_id(),
            layer=layer,
            kind=kind,
            scope=scope,
            sku=sku if kind == "price" else "",
            value=amount,
            effective_from=when,
            created_at=self.clock.now(),
            created_by=caller.actor.username,
            partner_id=partner_id,
        )
        session.add(row)
        self.tenancy.audit(session, caller, "price.set", "price", row.id, TenantRef(partner_id))
        return row

    def _check_price_scope(
        self, session: Session, caller: Caller, layer: str, kind: str, scope: str
    ) -> str | None:
        actor = caller.actor
        if layer in ("list", "wholesale"):
            if actor.role is not Role.OPERATOR_ADMIN:
                raise Forbidden("list and wholesale prices are the operator's")
            return None
        if kind == "customer-discount":
            customer = self.tenancy.get_customer(session, caller, scope)
            partner_id = customer.partner_id
        else:
            partner_id = self.tenancy.get_partner(session, caller, scope).id
        if actor.role not in (Role.OPERATOR_ADMIN, Role.PARTNER_ADMIN):
            raise Forbidden("resale prices are set by the partner")
        return partner_id

    def price_change(
        self,
        session: Session,
        caller: Caller,
        *,
        sku: str,
        list_price: str,
        effective_from: datetime,
        wholesale: str,
    ) -> list[PriceRow]:
        """A list price change; ``hold`` pins every tier's wholesale price first."""
        if wholesale not in ("follow", "hold"):
            raise ValidationFailed.one("wholesale", "must be follow or hold")
        book = self.price_book(session)
        try:
            book.list_price(sku, effective_from)
        except KeyError:
            raise ValidationFailed.one("sku", f"no list price for {sku!r} to change") from None
        rows = []
        if wholesale == "hold":
            tiers = {*DEFAULT_TIER_DISCOUNTS, *self.tenancy.partner_tiers(session).values()}
            for entry in hold_entries(book, sku, sorted(tiers), effective_from):
                rows.append(
                    self.set_price(
                        session,
                        caller,
                        layer="wholesale",
                        kind="price",
                        scope=entry.scope,
                        sku=sku,
                        value=str(entry.value),
                        effective_from=effective_from,
                    )
                )
        rows.append(
            self.set_price(
                session,
                caller,
                layer="list",
                kind="price",
                scope="",
                sku=sku,
                value=list_price,
                effective_from=effective_from,
            )
        )
        return rows

    def price_change_impact(
        self, session: Session, *, sku: str, list_price: str, wholesale: str, month: str
    ) -> Impact:
        """The change as if it had applied through ``month``: revenue, margins, bills."""
        start, end = _month(month)
        new_price = bounded_decimal("list", list_price)
        entries = self.price_entries(session)
        book = PriceBook(entries)
        try:
            book.list_price(sku, start)
        except KeyError:
            raise ValidationFailed.one("sku", f"no list price for {sku!r}") from None
        extra = [PriceEntry("list", "price", "", sku, new_price, start)]
        if wholesale == "hold":
            tiers = {*DEFAULT_TIER_DISCOUNTS, *self.tenancy.partner_tiers(session).values()}
            extra += hold_entries(book, sku, sorted(tiers), start)
        elif wholesale != "follow":
            raise ValidationFailed.one("wholesale", "must be follow or hold")
        house = {p.id for p in self.tenancy.all_partners(session) if p.kind == "house"}
        return impact(
            self.rated(session, start, end, book),
            self.rated(session, start, end, PriceBook([*entries, *extra])),
            house,
        )

    # -- a month's usage, rated ------------------------------------------------
    def rated(
        self,
        session: Session,
        start: datetime,
        end: datetime,
        book: PriceBook | None = None,
        customer_id: str | None = None,
    ) -> list[RatedSegment]:
        """Usage at on-demand prices, less what reservations covered (at zero)."""
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
        book = book or self.price_book(session)
        segments = self.metering.segments(session, start, end, book.change_times(), customer_id)
        return rate(segments, book, self.tenancy.partner_tiers(session))

    def shapes(self, session: Session) -> dict[str, FlavorShape]:
        return {
            f.name: FlavorShape(f.family, f.size_units)
            for f in self.catalog.list_flavors(session, limit=10_000, marker=None)
        }

    def reservations_in(
        self, session: Session, start: datetime, end: datetime, customer_id: str | None = None
    ) -> list[Reservation]:
        rows = prepaid_store.reservations_between(session, start, end)
        return [r.terms() for r in rows if customer_id is None or r.customer_id == customer_id]

    def charges(
        self, session: Session, start: datetime, end: datetime, customer_id: str | None = None
    ) -> list[RatedSegment]:
        """The hourly part of the reservations in force in the period."""
        return hourly_charges(self.reservations_in(session, start, end, customer_id), start, end)

    def plan(self, session: Session, month: str) -> list[Draft]:
        start, end = _month(month)
        if end > self.clock.now():
            raise ValidationFailed.one("month", f"{month} is not over yet")
        partners, customers = self.parties(session)
        items = [*self.rated(session, start, end), *self.charges(session, start, end)]
        return plan_month(items, month, self.operator, partners, customers)

    def parties(self, session: Session) -> tuple[dict[str, PartnerInfo], dict[str, CustomerInfo]]:
        partners = {
            p.id: PartnerInfo(p.id, p.kind, p.tier, party_of(p))
            for p in self.tenancy.all_partners(session)
        }
        customers = {
            c.id: CustomerInfo(c.id, c.partner_id, party_of(c))
            for c in self.tenancy.all_customers(session)
        }
        return partners, customers

    def issue(self, session: Session, draft: Draft) -> Invoice | None:
        """Numbers and stores one draft; None if the month close already issued it."""
        today = self.clock.now().date()
        store.lock_sequence(session, draft.issuer_key, today.year)
        if store.find_closed(session, draft.close_key) is not None:
            return None
        drawn = self._draws(session, draft)
        lines = list(draft.lines) + [line for line, _ in drawn]
        invoice = self._store(
            session,
            draft.kind,
            draft.issuer_key,
            draft.issuer,
            draft.recipient,
            draft.partner_id,
            draft.customer_id,
            (draft.period_start, draft.period_end),
            lines,
            list(draft.mentions),
            today,
        )
        invoice.close_key = draft.close_key
        if drawn:
            session.flush()  # the invoice row first: the draws point at it
        session.add_all(
            CommitmentDraw(
                id=new_id(),
                commitment_id=commitment.id,
                invoice_id=invoice.id,
                month=draft.close_key[:7],
                amount=-line.amount,
                created_at=self.clock.now(),
            )
            for line, commitment in drawn
        )
        return invoice

    def _draws(self, session: Session, draft: Draft) -> list[tuple[Line, Commitment]]:
        """A month's customer invoice draws on the customer's prepaid commitments: one
        negative line per commitment drawn, at the invoice's VAT rate."""
        if draft.kind not in ("resale", "direct") or not MONTH_KEY.match(draft.close_key):
            return []
        if not draft.customer_id or not draft.lines:
            return []
        held = {c.id: c for c in prepaid_store.commitments_of(session, draft.customer_id)}
        if not held:
            return []
        balances = prepaid_store.balances(session, list(held.values()))
        start, end = _month(draft.close_key[:7])
        credits = [Credit(c.id, c.starts_at, c.expires_at, balances[c.id]) for c in held.values()]
        charge = totals(draft.lines).excl_vat
        rate_ = draft.lines[0].vat_rate
        return [
            (
                Line(
                    f"Prélèvement sur l'engagement prépayé {held[cid].number}",
                    f"commitment:{cid}",
                    Decimal(1),
                    "unit",
                    -amount,
                    rate_,
                    -amount,
                ),
                held[cid],
            )
            for cid, amount in draw(credits, charge, start, end)
        ]

    def _store(
        self,
        session: Session,
        kind: str,
        issuer_key: str,
        issuer: Party,
        recipient: Party,
        partner_id: str | None,
        customer_id: str | None,
        period: tuple[date, date],
        lines: list[Line],
        mentions: list[str],
        today: date,
    ) -> Invoice:
        counter = store.lock_sequence(session, issuer_key, today.year)
        counter.last += 1
        sequence = counter.last
        prefix = "AND" if issuer_key == "operator" else f"P{issuer_key[:8].upper()}"
        sums = totals(lines)
        invoice = Invoice(
            id=new_id(),
            number=invoice_number(prefix, today.year, sequence),
            kind=kind,
            issuer_key=issuer_key,
            partner_id=partner_id,
            customer_id=customer_id,
            issuer=asdict(issuer),
            recipient=asdict(recipient),
            issue_date=today,
            period_start=period[0],
            period_end=period[1],
            due_date=due_date(today),
            currency="EUR",
            total_excl_vat=sums.excl_vat,
            vat_total=sums.vat,
            total_incl_vat=sums.incl_vat,
            vat_breakdown={f"{rate_:f}": f"{vat:f}" for rate_, vat in sums.vat_by_rate.items()},
            mentions=mentions,
            created_at=self.clock.now(),
        )
        session.add(invoice)
        session.add_all(
            InvoiceLine(
                id=new_id(),
                invoice_id=invoice.id,
                position=i,
                description=line.description,
                sku=line.sku,
                quantity=line.quantity,
                unit=line.unit,
                unit_price=line.unit_price,
                vat_rate=line.vat_rate,
                amount=line.amount,
                customer_id=line.customer_id,
            )
            for i, line in enumerate(lines, start=1)
        )
        return invoice

    # -- invoices and credit notes ----------------------------------------------
    def list_invoices(
        self,
        session: Session,
        caller: Caller,
        *,
        limit: int,
        marker: str | None,
        kind: str | None = None,
    ) -> list[Invoice]:
        return scoped_page(
            session,
            Invoice,
            self._scope(caller),
            limit=limit,
            marker=marker,
            filters={"kind": kind},
        )

    def get_invoice(
        self, session: Session, caller: Caller, invoice_id: str
    ) -> tuple[Invoice, list[InvoiceLine]]:
        invoice = visible_one(session, Invoice, invoice_id, self._scope(caller), "invoice")
        return invoice, store.lines_of(session, invoice.id)

    def _scope(self, caller: Caller) -> Any:
        """A partner sees what it receives and issues; a customer its own; staff all."""
        return tenant_scope(caller.actor)

    def credit_note(
        self, session: Session, caller: Caller, invoice_id: str, reason: str
    ) -> Invoice:
        original, lines = self.get_invoice(session, caller, invoice_id)
        if original.kind == "credit_note":
            raise Conflict("a credit note is not credited; issue an invoice instead")
        if store.credit_of(session, original.id) is not None:
            raise Conflict(f"invoice {original.number} is already credited")
        issuer_is_operator = original.issuer_key == "operator"
        if (issuer_is_operator and caller.actor.role is not Role.OPERATOR_ADMIN) or (
            not issuer_is_operator
            and not (
                caller.actor.role is Role.OPERATOR_ADMIN
                or (
                    caller.actor.role is Role.PARTNER_ADMIN
                    and caller.actor.partner_id == original.issuer_key
                )
            )
        ):
            raise Forbidden("only the issuer credits its invoices")
        if not (reason or "").strip():
            raise ValidationFailed.one("reason", "say why the invoice is credited")
        originals = [
            Line(
                row.description,
                row.sku,
                row.quantity,
                row.unit,
                row.unit_price,
                row.vat_rate,
                row.amount,
                row.customer_id,
            )
            for row in lines
        ]
        cites = f"Avoir sur la facture n° {original.number} du {original.issue_date.isoformat()}."
        note = self._store(
            session,
            "credit_note",
            original.issuer_key,
            Party(**original.issuer),
            Party(**original.recipient),
            original.partner_id,
            original.customer_id,
            (original.period_start, original.period_end),
            credit_lines(originals),
            [cites, *original.mentions],
            self.clock.now().date(),
        )
        note.credits_invoice_id = original.id
        note.reason = reason.strip()
        self.tenancy.audit(
            session,
            caller,
            "credit_note.create",
            "invoice",
            note.id,
            TenantRef(original.partner_id, original.customer_id),
        )
        return note

    @staticmethod
    def document(invoice: Invoice, lines: list[InvoiceLine] | None = None) -> dict[str, Any]:
        """The invoice as a JSON document: amounts as decimal strings, never floats."""
        doc: dict[str, Any] = {
            "id": invoice.id,
            "number": invoice.number,
            "kind": invoice.kind,
            "issuer": invoice.issuer,
            "recipient": invoice.recipient,
            "partner_id": invoice.partner_id,
            "customer_id": invoice.customer_id,
            "issue_date": invoice.issue_date.isoformat(),
            "period_start": invoice.period_start.isoformat(),
            "period_end": invoice.period_end.isoformat(),
            "due_date": invoice.due_date.isoformat(),
            "currency": invoice.currency,
            "total_excl_vat": f"{invoice.total_excl_vat:f}",
            "vat_total": f"{invoice.vat_total:f}",
            "total_incl_vat": f"{invoice.total_incl_vat:f}",
            "vat_breakdown": invoice.vat_breakdown,
            "mentions": invoice.mentions,
            "credits_invoice_id": invoice.credits_invoice_id,
            "reason": invoice.reason,
        }
        if lines is not None:
            doc["lines"] = [
                {
                    "description": line.description,
                    "sku": line.sku,
                    "quantity": f"{line.quantity:f}",
                    "unit": line.unit,
                    "unit_price": f"{line.unit_price:f}",
                    "vat_rate": f"{line.vat_rate:f}",
                    "amount": f"{line.amount:f}",
                    "customer_id": line.customer_id,
                }
                for line in lines
            ]
        return doc

    def month_documents(self, session: Session, month: str) -> list[dict[str, Any]]:
        """Every invoice and credit note of the month's period, with lines."""
        start, _ = _month(month)
        return [
            self.document(i, store.lines_of(session, i.id))
            for i in store.all_invoices(session)
            if i.period_start == start.date()
        ]

    def visible_month_documents(
        self, session: Session, caller: Caller, month: str
    ) -> list[dict[str, Any]]:
        start, _ = _month(month)
        invoices = scoped_page(session, Invoice, self._scope(caller), limit=1_000_000, marker=None)
        return [
            self.document(i, store.lines_of(session, i.id))
            for i in invoices
            if i.period_start == start.date()
        ]

    def customer_invoices(self, session: Session, customer_id: str) -> list[dict[str, Any]]:
        """Invoices and credit notes addressed to the customer, without their lines."""
        return [self.document(i) for i in store.invoices_of_customer(session, customer_id)]

    def all_documents(self, session: Session) -> list[dict[str, Any]]:
        return [
            self.document(i, store.lines_of(session, i.id)) for i in store.all_invoices(session)
        ]

    # -- reports -----------------------------------------------------------------
    def usage(
        self, session: Session, caller: Caller, month: str, project_id: str | None = None
    ) -> list[RatedSegment]:
        """Rated segments the caller may see; month to date for the current month."""
        start, end = _month(month)
        end = min(end, self.clock.now())
        scope = resource_scope(caller.actor)
        if scope.nothing:
            raise Forbidden("usage detail needs the customer's approval")
        rows = [
            r
            for r in self.rated(session, start, end)
            if visible(scope, TenantRef(r.segment.partner_id, r.segment.customer_id))
            and (project_id is None or r.segment.project_id == project_id)
        ]
        for r in rows:
            note_read(caller, TenantRef(r.segment.partner_id, r.segment.customer_id))
        return rows

    def month_to_date(self, session: Session, caller: Caller, month: str) -> dict[str, str]:
        """What the caller's usage costs so far at its own price (with the hourly part of
        its reservations), and a straight-line forecast to the end of the month."""
        start, end = _month(month)
        now = min(self.clock.now(), end)
        scope = resource_scope(caller.actor)
        fees = [
            r
            for r in self.charges(session, start, now)
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


def _month(month: str) -> tuple[datetime, datetime]:
    try:
        return month_bounds(month)
    except ValueError as exc:
        raise ValidationFailed.one("month", str(exc)) from None
