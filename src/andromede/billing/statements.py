"""What a closed month produces, pure: which invoices, from whom to whom, with which lines.

- a partner (reseller, MSP, ISV) receives one **wholesale** invoice from the operator, with
  lines per customer and SKU at its tier's wholesale prices;
- each of its customers receives one **resale** invoice issued in the partner's name under
  a billing mandate, at the partner's resale prices;
- a customer of the operator's own ``house`` partner receives one **direct** invoice from
  the operator at list price.

Each draft carries a ``close_key`` naming the month, kind and parties: closing a month a
second time finds every key taken and writes nothing.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

from andromede.billing.invoicing import LEGAL_MENTIONS, Line, Party, lines_for, vat_treatment
from andromede.billing.rating import RatedSegment
from andromede.kernel.months import month_bounds

__all__ = ["CustomerInfo", "Draft", "PartnerInfo", "plan_drafts", "plan_month"]


@dataclass(frozen=True)
class PartnerInfo:
    id: str
    kind: str
    tier: str
    party: Party


@dataclass(frozen=True)
class CustomerInfo:
    id: str
    partner_id: str
    party: Party


@dataclass(frozen=True)
class Draft:
    kind: str
    close_key: str
    issuer_key: str
    issuer: Party
    recipient: Party
    partner_id: str | None
    customer_id: str | None
    period_start: date
    period_end: date
    lines: tuple[Line, ...]
    mentions: tuple[str, ...]


def _mentions(extra: str | None, mandate: str | None = None) -> tuple[str, ...]:
    return tuple(m for m in (mandate, *LEGAL_MENTIONS, extra) if m)


def plan_month(
    rated: Iterable[RatedSegment],
    month: str,
    operator: Party,
    partners: dict[str, PartnerInfo],
    customers: dict[str, CustomerInfo],
) -> list[Draft]:
    start, end = month_bounds(month)
    period = (start.date(), (end - timedelta(days=1)).date())
    return plan_drafts(rated, month, period, operator, partners, customers)


def plan_drafts(
    rated: Iterable[RatedSegment],
    key: str,
    period: tuple[date, date],
    operator: Party,
    partners: dict[str, PartnerInfo],
    customers: dict[str, CustomerInfo],
    *,
    wholesale: bool = True,
) -> list[Draft]:
    """The invoices of ``rated`` on both streams; ``key`` prefixes every close key (a
    month, or a one-off purchase). ``wholesale=False``: the customer's invoices only."""
    first, last = period
    by_partner: dict[str, list[RatedSegment]] = {}
    for item in rated:
        by_partner.setdefault(item.segment.partner_id, []).append(item)
    drafts: list[Draft] = []
    names = {c.id: c.party.name for c in customers.values()}
    for partner_id, items in sorted(by_partner.items()):
        partner = partners[partner_id]
        by_customer: dict[str, list[RatedSegment]] = {}
        for item in items:
            by_customer.setdefault(item.segment.customer_id, []).append(item)
        if partner.kind != "house" and wholesale:
            rate_, extra = vat_treatment(partner.party)
            lines = lines_for(items, "wholesale", rate_, per_customer=True, customer_names=names)
            drafts.append(
                Draft(
                    "wholesale",
                    f"{key}:wholesale:{partner_id}",
                    "operator",
                    operator,
                    partner.party,
                    partner_id,
                    None,
                    first,
                    last,
                    tuple(lines),
                    _mentions(extra),
                )
            )
        for customer_id, own in sorted(by_customer.items()):
            customer = customers[customer_id]
            rate_, extra = vat_treatment(customer.party)
            if partner.kind == "house":
                lines = lines_for(own, "list", rate_, per_customer=False)
                drafts.append(
                    Draft(
                        "direct",
                        f"{key}:direct:{customer_id}",
                        "operator",
                        operator,
                        customer.party,
                        partner_id,
                        customer_id,
                        first,
                        last,
                        tuple(lines),
                        _mentions(extra),
                    )
                )
                continue
            mandate = (
                f"Facture émise par {operator.name} au nom et pour le compte de "
                f"{partner.party.name}, en vertu d'un mandat de facturation."
            )
            lines = lines_for(own, "resale", rate_, per_customer=False)
            drafts.append(
                Draft(
                    "resale",
                    f"{key}:resale:{customer_id}",
                    partner_id,
                    partner.party,
                    customer.party,
                    partner_id,
                    customer_id,
                    first,
                    last,
                    tuple(lines),
                    _mentions(extra, mandate),
                )
            )
    return drafts
