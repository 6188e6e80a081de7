"""Following their cut: the list-price change that keeps our chosen gap, and what it
does to each partner's margin. Pure.

For every flavor whose mapped type changed price between two of their lists, in every
region: the new list price is their new price times (1 + gap), to the ten-thousandth of a
euro — when that is lower than ours: following a cut never raises a price, and a flavor
already further under them than the gap stays where it is. Wholesale prices ``follow``
(partners keep their discount) or ``hold`` (partners pay what they paid).

A partner's margin rate on a SKU is (resale - wholesale) / resale at its own resale price.
One that falls under the operator's floor is named and, if asked, protected: its own
wholesale price for that SKU becomes the lowest of the policy's, the one that follows the
list (its discount kept) and the one that leaves it exactly the floor — so a protected
partner's rate is never under the floor, nor under what ``follow`` would give it.
"""

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal

from andromede.alignment.price_list import InstanceType
from andromede.catalog.pricing import PriceBook, PriceEntry, compute_sku, hold_entries

__all__ = ["AtRisk", "Partner", "PriceMove", "Proposal", "margin_rate", "propose"]

LIST_STEP = Decimal("0.0001")
WHOLESALE_STEP = Decimal("0.000001")


@dataclass(frozen=True)
class Partner:
    id: str
    tier: str


@dataclass(frozen=True)
class PriceMove:
    sku: str
    flavor: str
    region: str
    type: str
    theirs_before: Decimal
    theirs_after: Decimal
    list_before: Decimal
    list_after: Decimal


@dataclass(frozen=True)
class AtRisk:
    partner_id: str
    sku: str
    rate_before: Decimal
    rate_after: Decimal  # under the wholesale policy, unprotected
    protected: bool
    rate_final: Decimal  # after the proposal, protection included


@dataclass(frozen=True)
class Proposal:
    wholesale: str
    moves: list[PriceMove]
    entries: list[PriceEntry]  # everything to add, in one change
    at_risk: list[AtRisk]

    @property
    def named_partners(self) -> list[str]:
        return sorted({r.partner_id for r in self.at_risk})


def margin_rate(book: PriceBook, sku: str, partner: Partner, t: datetime) -> Decimal:
    resale = book.resale_price(sku, partner.id, "", t)
    if resale <= 0:
        return Decimal(0)
    wholesale = book.wholesale_price(sku, partner.tier, t, partner.id)
    return (resale - wholesale) / resale


def _moves(
    book: PriceBook,
    mapped: Mapping[str, str],
    before: Mapping[str, InstanceType],
    after: Mapping[str, InstanceType],
    regions: Iterable[str],
    gap: Decimal,
    at: datetime,
) -> list[PriceMove]:
    moves = []
    for flavor, type_name in sorted(mapped.items()):
        old, new = before.get(type_name), after.get(type_name)
        if old is None or new is None or old.on_demand == new.on_demand:
            continue
        target = (new.on_demand * (1 + gap)).quantize(LIST_STEP, ROUND_HALF_UP)
        for region in sorted(regions):
            sku = compute_sku(flavor, region)
            try:
                current = book.list_price(sku, at)
            except KeyError:
                continue
            if target < current:
                moves.append(
                    PriceMove(
                        sku,
                        flavor,
                        region,
                        type_name,
                        old.on_demand,
                        new.on_demand,
                        current,
                        target,
                    )
                )
    return moves


def _protect(
    books: tuple[PriceBook, PriceBook, PriceBook],
    moves: Sequence[PriceMove],
    partners: Iterable[Partner],
    floor: Decimal,
    protect: bool,
    at: datetime,
) -> tuple[list[AtRisk], list[PriceEntry]]:
    """``books``: now, after the policy, after ``follow``."""
    now, policy, follow = books
    found: list[tuple[Partner, str, Decimal, Decimal]] = []
    shield: list[PriceEntry] = []
    for partner in partners:
        for move in moves:
            after = margin_rate(policy, move.sku, partner, at)
            if after >= floor:
                continue
            found.append((partner, move.sku, margin_rate(now, move.sku, partner, at), after))
            if not protect:
                continue
            resale = policy.resale_price(move.sku, partner.id, "", at)
            price = min(
                policy.wholesale_price(move.sku, partner.tier, at, partner.id),
                follow.wholesale_price(move.sku, partner.tier, at, partner.id),
                resale * (1 - floor),
            ).quantize(WHOLESALE_STEP, ROUND_DOWN)
            shield.append(PriceEntry("wholesale", "price", partner.id, move.sku, price, at))
    final = PriceBook([*policy.entries, *shield])
    at_risk = [
        AtRisk(p.id, sku, before, after, protect, margin_rate(final, sku, p, at))
        for p, sku, before, after in found
    ]
    return at_risk, shield


def propose(
    entries: Sequence[PriceEntry],
    *,
    mapped: Mapping[str, str],
    before: Iterable[InstanceType],
    after: Iterable[InstanceType],
    regions: Iterable[str],
    gap: Decimal,
    wholesale: str,
    tiers: Iterable[str],
    partners: Iterable[Partner],
    floor: Decimal,
    protect: bool,
    at: datetime,
) -> Proposal:
    """``entries``: every price entry today; ``mapped``: flavor -> their type name."""
    if wholesale not in ("follow", "hold"):
        raise ValueError("wholesale must be follow or hold")
    book = PriceBook(entries)
    moves = _moves(
        book,
        mapped,
        {t.name: t for t in before},
        {t.name: t for t in after},
        regions,
        gap,
        at,
    )
    listed = [PriceEntry("list", "price", "", m.sku, m.list_after, at) for m in moves]
    held = []
    if wholesale == "hold":
        tier_list = list(tiers)
        held = [e for m in moves for e in hold_entries(book, m.sku, tier_list, at)]
    follow = PriceBook([*entries, *listed])
    policy = PriceBook([*entries, *held, *listed]) if held else follow
    at_risk, shield = _protect((book, policy, follow), moves, partners, floor, protect, at)
    return Proposal(wholesale, moves, [*held, *shield, *listed], at_risk)
