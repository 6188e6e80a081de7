"""Where each flavor stands against the hyperscaler, per region. Pure.

A gap is ours less theirs: negative when we are cheaper. In percent of their price (two
decimals) and in EUR per month of 730 hours (to the cent). Reservations are compared on
their effective hourly price (the upfront part spread over the term), term and payment
option alike. A typical customer's mix (flavors and counts) is priced whole at each.
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from andromede.alignment.mapping import Match
from andromede.kernel.money import round_cents

__all__ = [
    "DEFAULT_MIX",
    "HOURS_PER_MONTH",
    "Alignment",
    "FamilyGap",
    "Line",
    "MixTotal",
    "ReservedGap",
    "alignment",
    "gap_pct",
]

HOURS_PER_MONTH = Decimal(730)
# A small business's fleet, used when the operator gives no mix of its own.
DEFAULT_MIX = {"SCS-2V-4": 2, "SCS-2V-8": 3, "SCS-4V-16": 2, "SCS-8V-32": 1, "SCS-4V-32": 1}


def gap_pct(ours: Decimal, theirs: Decimal) -> Decimal | None:
    if theirs == 0:
        return None
    return ((ours - theirs) / theirs * 100).quantize(Decimal("0.01"), ROUND_HALF_UP)


@dataclass(frozen=True)
class ReservedGap:
    term: str
    payment: str
    ours: Decimal
    theirs: Decimal
    gap_pct: Decimal | None


@dataclass(frozen=True)
class Line:
    flavor: str
    kind: str
    region: str
    type: str | None
    pinned: bool
    reason: str
    ours: Decimal  # EUR per hour
    theirs: Decimal | None
    gap_pct: Decimal | None
    gap_month: Decimal | None
    reserved: tuple[ReservedGap, ...]


@dataclass(frozen=True)
class MixTotal:
    region: str
    ours_month: Decimal
    theirs_month: Decimal
    gap_pct: Decimal | None
    counted: tuple[tuple[str, int], ...]  # the mix's flavors that could be compared


@dataclass(frozen=True)
class FamilyGap:
    kind: str
    ours_month: Decimal  # one of each flavor of the kind, in every region, per month
    theirs_month: Decimal
    gap_pct: Decimal | None


@dataclass(frozen=True)
class Alignment:
    lines: list[Line]
    mix: list[MixTotal]
    families: list[FamilyGap]


def _reserved(
    match: Match, region: str, ours: Mapping[tuple[str, str, str, str], Decimal]
) -> tuple[ReservedGap, ...]:
    if match.type is None:
        return ()
    gaps = []
    for (term, payment), theirs in sorted(match.type.reserved.items()):
        mine = ours.get((match.flavor.name, region, term, payment))
        if mine is not None:
            gaps.append(ReservedGap(term, payment, mine, theirs, gap_pct(mine, theirs)))
    return tuple(gaps)


def _line(
    match: Match,
    region: str,
    hourly: Decimal,
    reserved: Mapping[tuple[str, str, str, str], Decimal],
) -> Line:
    theirs = match.type.on_demand if match.type else None
    return Line(
        flavor=match.flavor.name,
        kind=match.kind,
        region=region,
        type=match.type.name if match.type else None,
        pinned=match.pinned,
        reason=match.reason,
        ours=hourly,
        theirs=theirs,
        gap_pct=gap_pct(hourly, theirs) if theirs is not None else None,
        gap_month=round_cents((hourly - theirs) * HOURS_PER_MONTH) if theirs is not None else None,
        reserved=_reserved(match, region, reserved),
    )


def _mix(lines: list[Line], regions: Iterable[str], mix: Mapping[str, int]) -> list[MixTotal]:
    totals = []
    for region in regions:
        ours = theirs = Decimal(0)
        counted = []
        for line in lines:
            count = mix.get(line.flavor, 0)
            if line.region == region and count and line.theirs is not None:
                ours += line.ours * count * HOURS_PER_MONTH
                theirs += line.theirs * count * HOURS_PER_MONTH
                counted.append((line.flavor, count))
        ours, theirs = round_cents(ours), round_cents(theirs)
        totals.append(MixTotal(region, ours, theirs, gap_pct(ours, theirs), tuple(counted)))
    return totals


def _families(lines: list[Line]) -> list[FamilyGap]:
    sums: dict[str, tuple[Decimal, Decimal]] = {}
    for line in lines:
        if line.theirs is not None:
            ours, theirs = sums.get(line.kind, (Decimal(0), Decimal(0)))
            sums[line.kind] = (ours + line.ours, theirs + line.theirs)
    return [
        FamilyGap(
            kind,
            round_cents(ours * HOURS_PER_MONTH),
            round_cents(theirs * HOURS_PER_MONTH),
            gap_pct(ours, theirs),
        )
        for kind, (ours, theirs) in sorted(sums.items())
    ]


def alignment(
    matches: Iterable[Match],
    regions: Iterable[str],
    hourly: Mapping[tuple[str, str], Decimal],
    reserved: Mapping[tuple[str, str, str, str], Decimal],
    mix: Mapping[str, int],
) -> Alignment:
    """``hourly``: our on-demand list price per (flavor, region); ``reserved``: our
    reservations' effective hourly list price per (flavor, region, term, payment)."""
    region_list = sorted(regions)
    lines = [
        _line(m, region, hourly[(m.flavor.name, region)], reserved)
        for m in matches
        for region in region_list
        if (m.flavor.name, region) in hourly
    ]
    return Alignment(lines, _mix(lines, region_list, mix), _families(lines))
