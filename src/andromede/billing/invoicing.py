"""Invoice arithmetic and content, pure: lines, VAT, totals, due date, legal mentions.

Amounts are rounded once, per line, half-up to the cent; the total excluding VAT is the
sum of the lines; VAT is computed per rate on that rate's lines and rounded once per rate.
"""

from collections.abc import Callable, Hashable, Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import TypeVar

from andromede.billing.rating import RatedSegment
from andromede.kernel.money import round_cents

__all__ = [
    "LEGAL_MENTIONS",
    "VAT_ON_DEBITS",
    "Line",
    "Margin",
    "Party",
    "Totals",
    "credit_lines",
    "due_date",
    "invoice_number",
    "lines_for",
    "margins",
    "party_row",
    "summed_by_party",
    "totals",
    "vat_treatment",
]

K = TypeVar("K", bound=Hashable)

PAYMENT_DAYS = 30  # periodic invoices may not exceed 45 days
FR_VAT = Decimal("0.20")
QUANTITY_PLACES = Decimal("0.000001")
LEGAL_MENTIONS = (
    "Catégorie d'opération : prestations de services.",
    "Pénalités de retard : taux de refinancement de la BCE majoré de 10 points, exigibles"
    " dès le lendemain de l'échéance sans rappel.",
    "Indemnité forfaitaire pour frais de recouvrement en cas de retard de paiement : 40 EUR.",
    "Pas d'escompte pour paiement anticipé.",
)
VAT_ON_DEBITS = "Option pour le paiement de la taxe d'après les débits."
REVERSE_CHARGE = (
    "Autoliquidation : TVA due par le preneur (article 196 de la directive 2006/112/CE)."
)


@dataclass(frozen=True)
class Party:
    name: str
    country: str
    address: str
    siren: str | None = None
    vat_number: str | None = None
    legal_details: str | None = None  # legal form, capital, RCS: the seller's mention
    siret: str | None = None  # a public buyer's establishment (Chorus Pro)


def party_row(party: Party) -> dict[str, str | None]:
    """What an invoice stores of a party. Its fields are flat: ``asdict``'s deep copy of
    each cost a month close (three parties per invoice) a third of a second."""
    return {
        "name": party.name,
        "country": party.country,
        "address": party.address,
        "siren": party.siren,
        "vat_number": party.vat_number,
        "legal_details": party.legal_details,
        "siret": party.siret,
    }


@dataclass(frozen=True)
class Line:
    description: str
    sku: str
    quantity: Decimal
    unit: str
    unit_price: Decimal
    vat_rate: Decimal
    amount: Decimal
    customer_id: str | None = None


@dataclass(frozen=True)
class Totals:
    excl_vat: Decimal
    vat_by_rate: dict[Decimal, Decimal] = field(default_factory=dict)

    @property
    def vat(self) -> Decimal:
        return sum(self.vat_by_rate.values(), Decimal("0.00"))

    @property
    def incl_vat(self) -> Decimal:
        return self.excl_vat + self.vat


def vat_treatment(buyer: Party) -> tuple[Decimal, str | None]:
    """French buyers pay 20 %; a business of another member state with a VAT number
    self-assesses (reverse charge)."""
    if buyer.country == "FR":
        return FR_VAT, None
    if buyer.vat_number:
        return Decimal(0), REVERSE_CHARGE
    return FR_VAT, None


PRICE_OF: dict[str, Callable[[RatedSegment], Decimal]] = {
    "list": lambda r: r.list_price,
    "wholesale": lambda r: r.wholesale_price,
    "resale": lambda r: r.resale_price,
}


def lines_for(
    rated: Iterable[RatedSegment],
    layer: str,
    vat_rate: Decimal,
    *,
    per_customer: bool,
    customer_names: dict[str, str] | None = None,
) -> list[Line]:
    """One line per SKU and unit price (and per customer on a wholesale invoice), in the
    order the prices applied."""
    price_of = PRICE_OF[layer]
    summed = _summed(
        rated,
        lambda item: (
            item.segment.customer_id if per_customer else "",
            item.segment.sku,
            price_of(item),
            item.label or "",
        ),
    )
    ordered = sorted(summed, key=lambda k: (k[0], k[1], summed[k].segment.start, k[3]))
    lines = []
    for key in ordered:
        (customer, sku, price, wording), sample = key, summed[key]
        quantity = sample.quantity
        label = wording or _describe(sku, sample.unit)
        if per_customer and customer_names:
            label = f"{customer_names.get(customer, customer)} — {label}"
        lines.append(
            Line(
                label,
                sku,
                quantity.quantize(QUANTITY_PLACES),
                sample.unit,
                price,
                vat_rate,
                round_cents(quantity * price),
                customer or None,
            )
        )
    return lines


def summed_by_party(
    rated: Iterable[RatedSegment],
) -> dict[str, dict[str, list[RatedSegment]]]:
    """The rated pieces, partner by partner and customer by customer, with the pieces
    that every invoice line would put together (same SKU, wording and prices at all three
    layers) already added up. ``lines_for`` gives the same lines from these as from the
    pieces themselves, and a month close's 175,000 pieces become a few thousand before
    the wholesale and the customers' invoices each read them."""
    summed = _summed(
        rated,
        lambda item: (
            item.segment.partner_id,
            item.segment.customer_id,
            item.segment.sku,
            item.label or "",
            item.list_price,
            item.wholesale_price,
            item.resale_price,
        ),
    )
    grouped: dict[str, dict[str, list[RatedSegment]]] = {}
    for (partner_id, customer_id, *_), piece in summed.items():
        grouped.setdefault(partner_id, {}).setdefault(customer_id, []).append(piece)
    return grouped


def _summed(
    rated: Iterable[RatedSegment], key_of: Callable[[RatedSegment], K]
) -> dict[K, RatedSegment]:
    """The pieces that share a key, added up: one piece per key, its quantity the sum and
    its segment the earliest (which orders the invoice's lines). A month close passes
    175,000 pieces here: kept to the bone."""
    quantities: dict[K, Decimal] = {}
    firsts: dict[K, RatedSegment] = {}
    for item in rated:
        key = key_of(item)
        quantity = quantities.get(key)
        if quantity is None:
            quantities[key] = Decimal(0) + item.quantity
            firsts[key] = item
        else:
            quantities[key] = quantity + item.quantity
            if item.segment.start < firsts[key].segment.start:
                firsts[key] = item
    return {key: first._replace(quantity=quantities[key]) for key, first in firsts.items()}


def _describe(sku: str, unit: str) -> str:
    parts = sku.split(":")
    if parts[0] == "compute":
        return f"Serveur virtuel {parts[1]}, région {parts[2]} ({unit})"
    if parts[0] == "cluster":
        return f"Frais de cluster géré, région {parts[1]} ({unit})"
    if parts[0] == "floating-ip":
        return f"Adresse IP publique, région {parts[1]} ({unit})"
    return f"Stockage disque, région {parts[-1]} ({unit})"


def totals(lines: Iterable[Line]) -> Totals:
    excl = Decimal("0.00")
    by_rate: dict[Decimal, Decimal] = {}
    for line in lines:
        excl += line.amount
        by_rate[line.vat_rate] = by_rate.get(line.vat_rate, Decimal("0.00")) + line.amount
    return Totals(excl, {rate: round_cents(base * rate) for rate, base in by_rate.items()})


def due_date(issue: date) -> date:
    return issue + timedelta(days=PAYMENT_DAYS)


def invoice_number(prefix: str, year: int, sequence: int) -> str:
    """At most 20 characters with a prefix of up to 8 (Chorus Pro's limit)."""
    return f"{prefix}-{year}-{sequence:06d}"


def credit_lines(original: Iterable[Line]) -> list[Line]:
    """A full credit note: every line of the original, negated."""
    return [
        Line(
            f"Avoir : {line.description}",
            line.sku,
            line.quantity,
            line.unit,
            line.unit_price,
            line.vat_rate,
            -line.amount,
            line.customer_id,
        )
        for line in original
    ]


@dataclass(frozen=True)
class Margin:
    partner_id: str
    customer_id: str
    sku: str
    wholesale: Decimal
    resale: Decimal

    @property
    def margin(self) -> Decimal:
        return self.resale - self.wholesale


def margins(rated: Iterable[RatedSegment]) -> list[Margin]:
    """Resale minus wholesale per partner, customer and SKU, each side rounded once."""
    sums: dict[tuple[str, str, str], tuple[Decimal, Decimal]] = {}
    for item in rated:
        key = (item.segment.partner_id, item.segment.customer_id, item.segment.sku)
        wholesale, resale = sums.get(key, (Decimal(0), Decimal(0)))
        sums[key] = (wholesale + item.wholesale_amount, resale + item.resale_amount)
    return [
        Margin(p, c, s, round_cents(w), round_cents(r))
        for (p, c, s), (w, r) in sorted(sums.items())
    ]
