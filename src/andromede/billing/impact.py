"""What a price change would have done to a past month, pure: the operator's revenue, each
partner's margin and each customer's bill, before and after."""

from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from andromede.billing.rating import RatedSegment
from andromede.kernel.money import round_cents

__all__ = ["Impact", "impact"]

Pair = tuple[Decimal, Decimal]


@dataclass
class Impact:
    operator_revenue: Pair = (Decimal(0), Decimal(0))
    partner_margin: dict[str, Pair] = field(default_factory=dict)
    customer_bill: dict[str, Pair] = field(default_factory=dict)


def _sums(
    rated: Iterable[RatedSegment], house: set[str]
) -> tuple[Decimal, dict[str, Decimal], dict[str, Decimal]]:
    revenue = Decimal(0)
    margin: dict[str, Decimal] = {}
    bill: dict[str, Decimal] = {}
    for r in rated:
        partner, customer = r.segment.partner_id, r.segment.customer_id
        if partner in house:  # the operator sells at list, directly
            revenue += r.list_amount
            bill[customer] = bill.get(customer, Decimal(0)) + r.list_amount
            continue
        revenue += r.wholesale_amount
        margin[partner] = margin.get(partner, Decimal(0)) + r.resale_amount - r.wholesale_amount
        bill[customer] = bill.get(customer, Decimal(0)) + r.resale_amount
    return revenue, margin, bill


def impact(
    before: Iterable[RatedSegment], after: Iterable[RatedSegment], house: set[str]
) -> Impact:
    rev_b, margin_b, bill_b = _sums(before, house)
    rev_a, margin_a, bill_a = _sums(after, house)
    zero = Decimal(0)
    return Impact(
        (round_cents(rev_b), round_cents(rev_a)),
        {
            p: (round_cents(margin_b.get(p, zero)), round_cents(margin_a.get(p, zero)))
            for p in sorted({*margin_b, *margin_a})
        },
        {
            c: (round_cents(bill_b.get(c, zero)), round_cents(bill_a.get(c, zero)))
            for c in sorted({*bill_b, *bill_a})
        },
    )
