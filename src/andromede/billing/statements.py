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

from andromede.billing.invoicing import (
    LEGAL_MENTIONS,
    VAT_ON_DEBITS,
    Line,
    Party,
    lines_for,
    summed_by_party,
    vat_treatment,
)
from andromede.billing.rating import RatedSegment
from andromede.kernel.months import month_bounds

__all__ = [
    "CustomerInfo",
    "Draft",
    "Operator",
    "PartnerInfo",
    "References",
    "hold_reason",
    "plan_drafts",
    "plan_month",
    "references_of",
]


@dataclass(frozen=True)
class PartnerInfo:
    id: str
    kind: str
    tier: str
    party: Party
    prefix: str = "P"
    mandate_accepted: bool = False
    vat_on_debits: bool = False


@dataclass(frozen=True)
class CustomerInfo:
    id: str
    partner_id: str
    party: Party
    public_sector: bool = False
    service_code: str | None = None
    commitment_number: str | None = None
    requires_service_code: bool = False
    requires_commitment_number: bool = False


@dataclass(frozen=True)
class Operator:
    """The operator as an issuer: who it is, its numbering prefix, its VAT option."""

    party: Party
    prefix: str = "AND"
    vat_on_debits: bool = False


@dataclass(frozen=True)
class References:
    """Chorus Pro's BT-10 (service code) and BT-13 (commitment number); a reservation or
    commitment purchase may carry its own instead of the customer's."""

    service_code: str | None = None
    commitment_number: str | None = None


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
    prefix: str = "AND"
    vat_on_debits: bool = False
    invoicer: Party | None = None  # the operator, issuing under the partner's mandate
    references: References = References()
    hold: str | None = None  # why it cannot be issued yet; None: issue it


def _mentions(
    extra: str | None, mandate: str | None = None, debits: bool = False
) -> tuple[str, ...]:
    return tuple(
        m for m in (mandate, *LEGAL_MENTIONS, VAT_ON_DEBITS if debits else None, extra) if m
    )


def hold_reason(
    customer: CustomerInfo, references: References, partner: PartnerInfo | None = None
) -> str | None:
    """What a customer's invoice still lacks: the partner's billing mandate (resale),
    a public buyer's SIRET, or the Chorus Pro references that buyer requires."""
    missing = []
    if partner is not None and not partner.mandate_accepted:
        missing.append("the partner's billing mandate")
    if customer.public_sector and not customer.party.siret:
        missing.append("the buyer's SIRET")
    if customer.requires_service_code and not references.service_code:
        missing.append("the service code (BT-10)")
    if customer.requires_commitment_number and not references.commitment_number:
        missing.append("the commitment number (BT-13)")
    return ", ".join(missing) or None


def references_of(customer: CustomerInfo, override: References | None) -> References:
    override = override or References()
    return References(
        override.service_code or customer.service_code,
        override.commitment_number or customer.commitment_number,
    )


def plan_month(
    rated: Iterable[RatedSegment],
    month: str,
    operator: Operator,
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
    operator: Operator,
    partners: dict[str, PartnerInfo],
    customers: dict[str, CustomerInfo],
    *,
    wholesale: bool = True,
    references: References | None = None,
) -> list[Draft]:
    """The invoices of ``rated`` on both streams; ``key`` prefixes every close key (a
    month, or a one-off purchase). ``wholesale=False``: the customer's invoices only;
    ``references``: a purchase's own Chorus Pro references."""
    drafts: list[Draft] = []
    names = {c.id: c.party.name for c in customers.values()}
    for partner_id, by_customer in sorted(summed_by_party(rated).items()):
        partner = partners[partner_id]
        if partner.kind != "house" and wholesale:
            rate_, extra = vat_treatment(partner.party)
            items = [item for own in by_customer.values() for item in own]
            lines = lines_for(items, "wholesale", rate_, per_customer=True, customer_names=names)
            drafts.append(
                Draft(
                    "wholesale",
                    f"{key}:wholesale:{partner_id}",
                    "operator",
                    operator.party,
                    partner.party,
                    partner_id,
                    None,
                    *period,
                    tuple(lines),
                    _mentions(extra, debits=operator.vat_on_debits),
                    prefix=operator.prefix,
                    vat_on_debits=operator.vat_on_debits,
                )
            )
        for customer_id, own in sorted(by_customer.items()):
            customer = customers[customer_id]
            refs = references_of(customer, references)
            drafts.append(_customer_draft(key, period, operator, partner, customer, own, refs))
    return drafts


def _customer_draft(
    key: str,
    period: tuple[date, date],
    operator: Operator,
    partner: PartnerInfo,
    customer: CustomerInfo,
    items: list[RatedSegment],
    refs: References,
) -> Draft:
    """A direct customer's invoice from the operator at list price, or a partner's
    customer's invoice at resale price, issued by the operator under the partner's mandate
    in the partner's name, numbering and VAT option."""
    rate_, extra = vat_treatment(customer.party)
    if partner.kind == "house":
        return Draft(
            "direct",
            f"{key}:direct:{customer.id}",
            "operator",
            operator.party,
            customer.party,
            partner.id,
            customer.id,
            *period,
            tuple(lines_for(items, "list", rate_, per_customer=False)),
            _mentions(extra, debits=operator.vat_on_debits),
            prefix=operator.prefix,
            vat_on_debits=operator.vat_on_debits,
            references=refs,
            hold=hold_reason(customer, refs),
        )
    mandate = (
        f"Facture émise par {operator.party.name} au nom et pour le compte de "
        f"{partner.party.name}, en vertu d'un mandat de facturation."
    )
    return Draft(
        "resale",
        f"{key}:resale:{customer.id}",
        partner.id,
        partner.party,
        customer.party,
        partner.id,
        customer.id,
        *period,
        tuple(lines_for(items, "resale", rate_, per_customer=False)),
        _mentions(extra, mandate, debits=partner.vat_on_debits),
        prefix=partner.prefix,
        vat_on_debits=partner.vat_on_debits,
        invoicer=operator.party,
        references=refs,
        hold=hold_reason(customer, refs, partner),
    )
