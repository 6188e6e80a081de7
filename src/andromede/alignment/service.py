"""Use cases of price alignment, for the operator's admins: import their price list,
pin mappings, read the alignment report, set the policy (gap, partners' margin floor,
notice), preview following a cut (with billing's dry run) and apply it as one audited
price change that partners hear about in advance."""

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from decimal import Decimal

from sqlalchemy.orm import Session

from andromede.alignment import store
from andromede.alignment.mapping import Flavor, map_flavors
from andromede.alignment.price_list import (
    InstanceType,
    PriceListRefused,
    ReferenceList,
    parse_price_list,
)
from andromede.alignment.proposal import Partner, Proposal, propose
from andromede.alignment.report import DEFAULT_MIX, Alignment, alignment
from andromede.alignment.store import (
    AlignmentChange,
    AlignmentSettings,
    FlavorPin,
    ReferenceListRow,
    ReferenceTypeRow,
)
from andromede.audit.actions import AuditAction
from andromede.billing.impact import Impact
from andromede.billing.report_service import ReportService
from andromede.catalog.price_service import PriceService
from andromede.catalog.pricing import PriceBook, PriceEntry, compute_sku
from andromede.catalog.service import CatalogService
from andromede.kernel.bounds import bounded_decimal
from andromede.kernel.clock import Clock
from andromede.kernel.errors import Conflict, NotFound, ValidationFailed
from andromede.kernel.ids import new_id
from andromede.kernel.months import month_period, previous_month
from andromede.kernel.tenants import TenantRef
from andromede.prepaid.reservation_pricing import PAYMENTS, TERM_HOURS, reservation_sku
from andromede.tenancy.scope import Caller, Permission, require
from andromede.tenancy.service import TenancyService

__all__ = ["AlignmentService", "FollowInput", "Preview", "ReportResult"]

DEFAULTS = {"gap": Decimal("-0.05"), "margin_floor": Decimal("0.10"), "notice_days": 30}


@dataclass(frozen=True)
class FollowInput:
    before: str  # reference list ids
    after: str
    wholesale: str = "follow"
    gap: str | None = None  # the settings' when None
    protect: bool = True


@dataclass(frozen=True)
class Preview:
    proposal: Proposal
    impact: Impact
    month: str


@dataclass(frozen=True)
class ReportResult:
    reference: ReferenceListRow
    report: Alignment
    mix: Mapping[str, int]


class AlignmentService:
    def __init__(
        self,
        clock: Clock,
        tenancy: TenancyService,
        catalog: CatalogService,
        prices: PriceService,
        reports: ReportService,
    ) -> None:
        self.clock = clock
        self.tenancy = tenancy
        self.catalog = catalog
        self.prices = prices
        self.reports = reports

    # -- their price lists -----------------------------------------------------
    def import_list(
        self,
        session: Session,
        caller: Caller,
        data: bytes,
        *,
        region: str,
        rate: str,
        rate_date: date,
        currency: str = "USD",
    ) -> ReferenceListRow:
        require(caller, Permission.MANAGE_CATALOG)
        eur_rate = bounded_decimal("rate", rate)
        if rate_date > self.clock.now().date():
            raise ValidationFailed.one("rate_date", "an exchange rate is known on a past day")
        try:
            parsed = parse_price_list(
                data, region=region, rate=eur_rate, rate_date=rate_date, currency=currency
            )
        except PriceListRefused as exc:
            raise ValidationFailed.one("file", f"refused: {exc}") from None
        digest = hashlib.sha256(data).hexdigest()
        return self.store_list(
            session, caller, parsed, digest, "json" if data.lstrip()[:1] == b"{" else "csv"
        )

    def store_list(
        self, session: Session, caller: Caller, parsed: ReferenceList, digest: str, fmt: str
    ) -> ReferenceListRow:
        if store.find_list(session, parsed.provider, parsed.region, parsed.version):
            raise Conflict(
                f"{parsed.provider} {parsed.region} version {parsed.version} is already imported"
            )
        row = ReferenceListRow(
            id=new_id(),
            provider=parsed.provider,
            offer_code=parsed.offer_code,
            region=parsed.region,
            version=parsed.version,
            published=parsed.published,
            currency=parsed.currency,
            rate=parsed.rate,
            rate_date=parsed.rate_date,
            source_format=fmt,
            digest=digest,
            type_count=len(parsed.types),
            imported_at=self.clock.now(),
            imported_by=caller.actor.username,
        )
        session.add(row)
        session.flush()
        session.add_all(_type_row(row.id, t) for t in parsed.types)
        self.tenancy.audit(
            session,
            caller,
            AuditAction.PRICE_REFERENCE_IMPORT,
            "reference_price_list",
            row.id,
            TenantRef(),
        )
        return row

    def lists(self, session: Session, caller: Caller) -> list[ReferenceListRow]:
        require(caller, Permission.MANAGE_CATALOG)
        return store.lists(session)

    def get_list(self, session: Session, caller: Caller, list_id: str) -> ReferenceListRow:
        require(caller, Permission.MANAGE_CATALOG)
        row = session.get(ReferenceListRow, list_id)
        if row is None:
            raise NotFound("reference price list", list_id)
        return row

    def types(self, session: Session, list_id: str) -> list[InstanceType]:
        return [_instance_type(r) for r in store.types_of(session, list_id)]

    def in_force(
        self, session: Session, at: datetime, region: str | None = None
    ) -> ReferenceListRow:
        """Their list on a day: the last one published by then."""
        for row in store.lists(session):
            if row.published <= at and (region is None or row.region == region):
                return row
        raise NotFound("reference price list published by", at.date().isoformat())

    # -- mappings ----------------------------------------------------------------
    def pins(self, session: Session, caller: Caller) -> list[FlavorPin]:
        require(caller, Permission.MANAGE_CATALOG)
        return store.pins(session)

    def pin(self, session: Session, caller: Caller, flavor: str, instance_type: str) -> FlavorPin:
        require(caller, Permission.MANAGE_CATALOG)
        if flavor not in {f.name for f in self.catalog.all_flavors(session)}:
            raise NotFound("flavor", flavor)
        if not instance_type or len(instance_type) > 40:
            raise ValidationFailed.one("instance_type", "name one of their instance types")
        row = session.get(FlavorPin, flavor) or FlavorPin(flavor=flavor)
        row.instance_type = instance_type
        row.pinned_at = self.clock.now()
        row.pinned_by = caller.actor.username
        session.add(row)
        self.tenancy.audit(session, caller, AuditAction.PRICE_PIN, "flavor", flavor, TenantRef())
        return row

    def unpin(self, session: Session, caller: Caller, flavor: str) -> None:
        require(caller, Permission.MANAGE_CATALOG)
        row = session.get(FlavorPin, flavor)
        if row is None:
            raise NotFound("pinned mapping of flavor", flavor)
        session.delete(row)
        self.tenancy.audit(session, caller, AuditAction.PRICE_PIN, "flavor", flavor, TenantRef())

    def _flavors(self, session: Session) -> list[Flavor]:
        return [
            Flavor(
                f.name, f.vcpus, f.ram_mib, (f.extra_specs or {}).get("scs:cpu-type", "shared-core")
            )
            for f in self.catalog.all_flavors(session)
        ]

    def mapped(self, session: Session, list_id: str) -> dict[str, str]:
        pins = {p.flavor: p.instance_type for p in store.pins(session)}
        matches = map_flavors(self._flavors(session), self.types(session, list_id), pins)
        return {m.flavor.name: m.type.name for m in matches if m.type}

    # -- the report ----------------------------------------------------------------
    def report(
        self,
        session: Session,
        caller: Caller,
        *,
        list_id: str | None = None,
        at: datetime | None = None,
        mix: Mapping[str, int] | None = None,
    ) -> ReportResult:
        require(caller, Permission.MANAGE_CATALOG)
        moment = at or self.clock.now()
        reference = (
            self.get_list(session, caller, list_id) if list_id else self.in_force(session, moment)
        )
        pins = {p.flavor: p.instance_type for p in store.pins(session)}
        matches = map_flavors(self._flavors(session), self.types(session, reference.id), pins)
        book = self.prices.price_book(session)
        regions = [r.code for r in self.catalog.all_regions(session)]
        hourly, reserved = _our_prices(book, [m.flavor.name for m in matches], regions, moment)
        chosen = dict(mix or DEFAULT_MIX)
        return ReportResult(
            reference, alignment(matches, regions, hourly, reserved, chosen), chosen
        )

    # -- the policy ----------------------------------------------------------------
    def current_settings(self, session: Session, caller: Caller) -> AlignmentSettings:
        require(caller, Permission.MANAGE_CATALOG)
        return self.settings(session)

    def settings(self, session: Session) -> AlignmentSettings:
        row = session.get(AlignmentSettings, "default")
        if row is None:
            return AlignmentSettings(
                id="default",
                gap=DEFAULTS["gap"],
                margin_floor=DEFAULTS["margin_floor"],
                notice_days=DEFAULTS["notice_days"],
                updated_at=self.clock.now(),
                updated_by="default",
            )
        return row

    def set_settings(
        self,
        session: Session,
        caller: Caller,
        *,
        gap: str | None = None,
        margin_floor: str | None = None,
        notice_days: int | None = None,
    ) -> AlignmentSettings:
        require(caller, Permission.MANAGE_CATALOG)
        current = self.settings(session)
        row = session.get(AlignmentSettings, "default") or current
        if gap is not None:
            row.gap = _gap(gap)
        if margin_floor is not None:
            floor = bounded_decimal("margin_floor", margin_floor)
            if floor >= 1:
                raise ValidationFailed.one("margin_floor", "a margin rate under 1 (0.12 is 12 %)")
            row.margin_floor = floor
        if notice_days is not None:
            if not 0 <= notice_days <= 365:
                raise ValidationFailed.one("notice_days", "between 0 and 365 days")
            row.notice_days = notice_days
        row.updated_at = self.clock.now()
        row.updated_by = caller.actor.username
        session.add(row)
        self.tenancy.audit(
            session,
            caller,
            AuditAction.PRICE_ALIGNMENT_SETTINGS,
            "price_alignment",
            "default",
            TenantRef(),
        )
        return row

    # -- following a cut -------------------------------------------------------------
    def _proposal(
        self, session: Session, data: FollowInput, entries: list[PriceEntry], at: datetime
    ) -> Proposal:
        before = session.get(ReferenceListRow, data.before)
        after = session.get(ReferenceListRow, data.after)
        if before is None or after is None:
            raise NotFound("reference price list", data.before if before is None else data.after)
        if after.published <= before.published:
            raise ValidationFailed.one(
                "after", "the list after the cut is published after the one before"
            )
        if data.wholesale not in ("follow", "hold"):
            raise ValidationFailed.one("wholesale", "must be follow or hold")
        policy = self.settings(session)
        partners = [
            Partner(p.id, p.tier) for p in self.tenancy.all_partners(session) if p.kind != "house"
        ]
        return propose(
            entries,
            mapped=self.mapped(session, after.id),
            before=self.types(session, before.id),
            after=self.types(session, after.id),
            regions=[r.code for r in self.catalog.all_regions(session)],
            gap=policy.gap if data.gap is None else _gap(data.gap),
            wholesale=data.wholesale,
            tiers=self.prices.tiers(session),
            partners=partners,
            floor=policy.margin_floor,
            protect=data.protect,
            at=at,
        )

    def preview(
        self, session: Session, caller: Caller, data: FollowInput, month: str | None = None
    ) -> Preview:
        """The proposal as it stands today, replayed as if in force through ``month``
        (last month by default): nothing changes."""
        require(caller, Permission.MANAGE_CATALOG)
        chosen = month or previous_month(self.clock.now())
        month_period(chosen)
        entries = self.prices.price_entries(session)
        proposal = self._proposal(session, data, entries, self.clock.now())

        def change(today: list[PriceEntry], _: PriceBook, start: datetime) -> list[PriceEntry]:
            """Each entry from the month's start, or from the last one set in the month
            for the same price (which would otherwise shadow it from then on)."""
            end = month_period(chosen)[1]
            last: dict[tuple[str, str, str, str], datetime] = {}
            for e in today:
                key = (e.layer, e.kind, e.scope, e.sku)
                if start < e.effective_from < end:
                    last[key] = max(last.get(key, start), e.effective_from)
            return [
                replace(e, effective_from=last.get((e.layer, e.kind, e.scope, e.sku), start))
                for e in proposal.entries
            ]

        return Preview(proposal, self.reports.replay(session, chosen, change), chosen)

    def apply(
        self, session: Session, caller: Caller, data: FollowInput, effective_from: datetime
    ) -> AlignmentChange:
        require(caller, Permission.MANAGE_CATALOG)
        policy = self.settings(session)
        earliest = self.clock.now() + timedelta(days=policy.notice_days)
        if effective_from < earliest:
            raise ValidationFailed.one(
                "effective_from",
                f"partners get {policy.notice_days} days' notice: "
                f"{earliest.isoformat()} at the earliest",
            )
        proposal = self._proposal(session, data, self.prices.price_entries(session), effective_from)
        if not proposal.moves:
            raise ValidationFailed.one(
                "after", "no list price to change: their prices did not move"
            )
        protected = sorted({r.partner_id for r in proposal.at_risk if r.protected})
        change = AlignmentChange(
            id=new_id(),
            before_list=data.before,
            after_list=data.after,
            gap=policy.gap if data.gap is None else _gap(data.gap),
            wholesale=data.wholesale,
            margin_floor=policy.margin_floor,
            protect=data.protect,
            effective_from=effective_from,
            moves=len(proposal.moves),
            protected=protected,
            applied_at=self.clock.now(),
            applied_by=caller.actor.username,
        )
        session.add(change)
        self.prices.record(session, caller, proposal.entries)
        self.tenancy.audit(
            session, caller, AuditAction.PRICE_CHANGE, "price_alignment", change.id, TenantRef()
        )
        self._notify(session, proposal, effective_from, protected)
        return change

    def changes(self, session: Session, caller: Caller) -> list[AlignmentChange]:
        require(caller, Permission.MANAGE_CATALOG)
        return store.changes(session)

    def _notify(
        self, session: Session, proposal: Proposal, at: datetime, protected: list[str]
    ) -> None:
        flavors = sorted({m.flavor for m in proposal.moves})
        held = "stay as they are" if proposal.wholesale == "hold" else "keep your discount"
        for p in self.tenancy.all_partners(session):
            if p.kind == "house":
                continue
            message = (
                f"List prices of {len(flavors)} flavors ({', '.join(flavors)}) change on "
                f"{at.date().isoformat()}, aligned on the hyperscaler's cut; your wholesale "
                f"prices {held}."
            )
            if p.id in protected:
                message += (
                    " Your margin is protected: your wholesale price is lowered where it"
                    " would fall under the floor."
                )
            self.tenancy.notify(session, TenantRef(p.id), "price-change", message)


def _gap(text: str) -> Decimal:
    """A fraction of their price: -0.05 is 5 % under, 0.02 is 2 % over."""
    value = bounded_decimal("gap", text.removeprefix("-"))
    gap = -value if text.startswith("-") else value
    if not Decimal("-0.9") <= gap <= Decimal("0.9"):
        raise ValidationFailed.one("gap", "a fraction of their price between -0.9 and 0.9")
    return gap


def _type_row(list_id: str, t: InstanceType) -> ReferenceTypeRow:
    return ReferenceTypeRow(
        id=new_id(),
        list_id=list_id,
        name=t.name,
        kind=t.kind,
        vcpus=t.vcpus,
        ram_mib=t.ram_mib,
        arm=t.arm,
        current=t.current,
        on_demand=t.on_demand,
        reserved={f"{term}:{pay}": f"{v:f}" for (term, pay), v in sorted(t.reserved.items())},
    )


def _instance_type(row: ReferenceTypeRow) -> InstanceType:
    reserved = {tuple(k.split(":", 1)): Decimal(v) for k, v in row.reserved.items()}
    return InstanceType(
        name=row.name,
        kind=row.kind,
        vcpus=row.vcpus,
        ram_mib=row.ram_mib,
        arm=row.arm,
        current=row.current,
        on_demand=Decimal(row.on_demand),
        reserved={(term, pay): v for (term, pay), v in reserved.items()},
    )


def _our_prices(
    book: PriceBook, flavors: list[str], regions: list[str], at: datetime
) -> tuple[dict[tuple[str, str], Decimal], dict[tuple[str, str, str, str], Decimal]]:
    """Our on-demand list prices, and our reservations' effective hourly list prices."""
    hourly: dict[tuple[str, str], Decimal] = {}
    reserved: dict[tuple[str, str, str, str], Decimal] = {}
    for flavor in flavors:
        for region in regions:
            try:
                hourly[(flavor, region)] = book.list_price(compute_sku(flavor, region), at)
            except KeyError:
                continue
            for term, hours in TERM_HOURS.items():
                for pay in PAYMENTS:
                    sku = reservation_sku(flavor, region, term, pay)
                    try:
                        upfront = book.list_price(f"{sku}:upfront", at)
                        per_hour = book.list_price(f"{sku}:hourly", at)
                    except KeyError:
                        continue
                    reserved[(flavor, region, term, pay)] = per_hour + upfront / hours
    return hourly, reserved
