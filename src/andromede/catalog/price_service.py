"""Use cases of prices: the default price rules every SKU starts with, the explicit
entries operators and partners set, list price changes, and the price book all rating
reads. Capabilities above the catalog add default rules of their own (reservations do)
through ``DefaultRule``, so the catalog never imports them."""

from collections.abc import Callable, Sequence
from datetime import datetime
from decimal import Decimal

from sqlalchemy.orm import Session

from andromede.audit.actions import AuditAction
from andromede.catalog import store
from andromede.catalog.pricing import (
    EPOCH,
    PriceBook,
    PriceEntry,
    cluster_sku,
    compute_sku,
    disk_sku,
    floating_ip_sku,
    hold_entries,
    storage_sku,
)
from andromede.catalog.service import CatalogService
from andromede.catalog.store import PriceRow
from andromede.kernel.bounds import bounded_decimal
from andromede.kernel.clock import Clock
from andromede.kernel.errors import Forbidden, ValidationFailed
from andromede.kernel.ids import is_uuid, new_id
from andromede.kernel.tenants import TenantRef
from andromede.tenancy.scope import Caller, OrgKind, Permission, Role, require
from andromede.tenancy.service import TenancyService

__all__ = ["DEFAULT_TIER_DISCOUNTS", "DefaultRule", "PriceRow", "PriceService"]

# Default list prices, aligned on hyperscaler on-demand prices (EUR, excl. VAT).
PER_VCPU_HOUR = Decimal("0.0110")
PER_GIB_RAM_HOUR = Decimal("0.0030")
PER_GIB_DISK_MONTH = Decimal("0.0800")
PER_CLUSTER_VCPU_HOUR = Decimal("0.0100")  # the managed-cluster fee, on top of the nodes
PER_FLOATING_IP_HOUR = Decimal("0.0045")  # a public IPv4 address held (about 3.30 a month)
# block storage per GiB-month: a volume like a disk; a snapshot or a backup is cheaper
# (compressed, colder media); a replicated type costs its extra copy
PER_GIB_STORAGE_MONTH = {
    "volume": Decimal("0.0800"),
    "snapshot": Decimal("0.0500"),
    "backup": Decimal("0.0400"),
}
REPLICATED_FACTOR = Decimal("1.5")
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

# (flavor name, family, region, its default on-demand hourly list price) → more entries
DefaultRule = Callable[[str, str, str, Decimal], list[PriceEntry]]


class PriceService:
    def __init__(
        self,
        clock: Clock,
        tenancy: TenancyService,
        catalog: CatalogService,
        rules: Sequence[DefaultRule] = (),
        volume_types: Callable[[Session], list[tuple[str, str]]] = lambda _: [],
    ) -> None:
        self.clock = clock
        self.tenancy = tenancy
        self.catalog = catalog
        self.rules = rules
        self.volume_types = volume_types  # (region, type) pairs sold: their storage SKUs

    def default_entries(self, session: Session) -> list[PriceEntry]:
        """Catalog prices every SKU starts with, until the operator sets its own."""
        entries = [
            PriceEntry("wholesale", "discount", tier, "", value, EPOCH)
            for tier, value in DEFAULT_TIER_DISCOUNTS.items()
        ]
        regions = [r.code for r in self.catalog.all_regions(session)]
        for flavor in self.catalog.all_flavors(session):
            hourly = (
                PER_VCPU_HOUR * flavor.vcpus + PER_GIB_RAM_HOUR * Decimal(flavor.ram_mib) / 1024
            ).quantize(Decimal("0.0001"))
            for r in regions:
                entries.append(
                    PriceEntry("list", "price", "", compute_sku(flavor.name, r), hourly, EPOCH)
                )
                for rule in self.rules:
                    entries += rule(flavor.name, flavor.family, r, hourly)
        entries += [
            PriceEntry("list", "price", "", disk_sku(r), PER_GIB_DISK_MONTH, EPOCH) for r in regions
        ]
        entries += [
            PriceEntry("list", "price", "", cluster_sku(r), PER_CLUSTER_VCPU_HOUR, EPOCH)
            for r in regions
        ]
        entries += [
            PriceEntry("list", "price", "", floating_ip_sku(r), PER_FLOATING_IP_HOUR, EPOCH)
            for r in regions
        ]
        return entries + self._storage_entries(session)

    def _storage_entries(self, session: Session) -> list[PriceEntry]:
        entries = []
        for region, kind in self.volume_types(session):
            factor = REPLICATED_FACTOR if "replicated" in kind else Decimal(1)
            for what, price in PER_GIB_STORAGE_MONTH.items():
                sku = storage_sku(what, kind, region)
                entries.append(PriceEntry("list", "price", "", sku, price * factor, EPOCH))
        return entries

    def price_entries(self, session: Session) -> list[PriceEntry]:
        explicit = [
            PriceEntry(r.layer, r.kind, r.scope, r.sku, r.value, r.effective_from)
            for r in store.price_rows(session)
        ]
        return [*self.default_entries(session), *explicit]

    def price_book(self, session: Session) -> PriceBook:
        return PriceBook(self.price_entries(session))

    def tiers(self, session: Session) -> list[str]:
        """Every tier a wholesale price may be held for."""
        return sorted({*DEFAULT_TIER_DISCOUNTS, *self.tenancy.partner_tiers(session).values()})

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
                return row.scope in (tier, actor.partner_id)
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
        now = self.clock.now()  # once: a second reading is later than ``when`` would be
        when = effective_from or now
        if when < now:
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
            created_at=now,
            created_by=caller.actor.username,
            partner_id=partner_id,
        )
        session.add(row)
        self.tenancy.audit(
            session, caller, AuditAction.PRICE_SET, "price", row.id, TenantRef(partner_id)
        )
        return row

    def record(
        self, session: Session, caller: Caller, entries: Sequence[PriceEntry]
    ) -> list[PriceRow]:
        """Entries a use case above has checked and audits as one change (a followed
        cut). A wholesale entry scoped by a partner's id (tiers are names) is that
        partner's own price."""
        require(caller, Permission.MANAGE_CATALOG)
        rows = [
            PriceRow(
                id=new_id(),
                layer=e.layer,
                kind=e.kind,
                scope=e.scope,
                sku=e.sku,
                value=e.value,
                effective_from=e.effective_from,
                created_at=self.clock.now(),
                created_by=caller.actor.username,
                partner_id=e.scope if e.layer == "wholesale" and is_uuid(e.scope) else None,
            )
            for e in entries
        ]
        session.add_all(rows)
        return rows

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
            for entry in hold_entries(book, sku, self.tiers(session), effective_from):
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
