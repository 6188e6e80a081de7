"""The stored JSON invoice (the source of truth) read as an e-invoice. Pure.

Credit notes carry negative amounts in the JSON; in CII and UBL the type code says
"credit" and amounts are positive, so a credit note's lines are negated here. A line that
takes money off (a draw on a prepaid commitment) keeps a positive net price and a negative
quantity, as the French rules require of BT-146."""

import re
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from andromede.documents.model import (
    CREDIT_NOTE,
    EN16931,
    EXTENDED_CTC_FR,
    INVOICE,
    Address,
    EInvoice,
    ELine,
    EParty,
    Note,
    VatGroup,
)

__all__ = ["address_of", "einvoice_of", "party_of"]

QUANTITY = Decimal("0.0001")  # BR-FR-DEC-02: at most 4 decimals
HUNDRED = Decimal(100)
UNIT_CODES = {"hour": "HUR"}  # UN/ECE Rec 20; anything else counts units (C62)
POSTCODE_CITY = re.compile(r"^(?P<postcode>\d{4,5})\s+(?P<city>.+)$")
COUNTRY_WORDS = {"france", "germany", "deutschland", "allemagne", "belgique", "italia", "españa"}
VAT_SCHEMES = {  # EAS codes of national VAT numbers, for buyers without a SIREN
    "AT": "9914",
    "BE": "9925",
    "DE": "9930",
    "ES": "9920",
    "IE": "9935",
    "IT": "9906",
    "LU": "9938",
    "NL": "9944",
    "PT": "9946",
}
NOTES = {  # the mentions the French rules want coded (BR-FR-05), by their opening words
    "Pénalités de retard": "PMD",
    "Indemnité forfaitaire": "PMT",
    "Pas d'escompte": "AAB",
    "Option pour le paiement de la taxe": "TXD",
}
REVERSE_CHARGE_CODE = "VATEX-EU-AE"


def address_of(text: str, country: str) -> Address:
    """A one-line postal address split into street, postcode and city where it follows
    the usual "street, 75002 Paris, France" form; otherwise kept whole as the street."""
    parts = [p.strip() for p in text.split(",") if p.strip()]
    if parts and parts[-1].lower() in COUNTRY_WORDS:
        parts = parts[:-1]
    for i, part in enumerate(parts[1:], start=1):
        found = POSTCODE_CITY.match(part)
        if found:
            street = ", ".join(parts[:i])
            return Address(street, found["postcode"], found["city"], country)
    if len(parts) > 1:
        return Address(", ".join(parts[:-1]), None, parts[-1], country)
    return Address(", ".join(parts) or "-", None, None, country)


def endpoint_of(party: dict[str, Any]) -> tuple[str, str] | None:
    """BT-34 / BT-49: the directory address starts with the SIREN (scheme 0225); a
    public buyer is reached at its SIRET; a foreign business by its VAT number."""
    siren = party.get("siren")
    if siren:
        siret = party.get("siret")
        return ("0225", f"{siren}_{siret}" if siret else siren)
    vat = party.get("vat_number")
    if vat and vat[:2] in VAT_SCHEMES:
        return (VAT_SCHEMES[vat[:2]], vat)
    return None


def party_of(party: dict[str, Any]) -> EParty:
    return EParty(
        name=party["name"],
        address=address_of(party.get("address") or "", party["country"]),
        siren=party.get("siren"),
        siret=party.get("siret"),
        vat_number=party.get("vat_number"),
        legal_details=party.get("legal_details"),
        endpoint=endpoint_of(party),
    )


def _line(position: int, raw: dict[str, Any], sign: int) -> ELine:
    amount = Decimal(raw["amount"]) * sign
    quantity = Decimal(raw["quantity"])
    price = Decimal(raw["unit_price"]) * sign
    if price < 0:
        price, quantity = -price, -quantity
    return ELine(
        position=position,
        name=raw["description"],
        sku=raw["sku"],
        quantity=quantity.quantize(QUANTITY, rounding=ROUND_HALF_UP),
        unit_code=UNIT_CODES.get(raw["unit"], "C62"),
        unit_price=price,
        net_amount=amount,
        vat_category=_category(Decimal(raw["vat_rate"])),
        vat_rate=_percent(Decimal(raw["vat_rate"])),
    )


def _category(rate: Decimal) -> str:
    return "S" if rate > 0 else "AE"


def _percent(rate: Decimal) -> Decimal:
    return (rate * HUNDRED).quantize(Decimal("0.01"))


def _vat_groups(doc: dict[str, Any], lines: list[ELine], sign: int) -> tuple[VatGroup, ...]:
    groups = []
    for rate_text, vat_text in sorted(doc["vat_breakdown"].items()):
        rate = Decimal(rate_text)
        percent = _percent(rate)
        base = sum((x.net_amount for x in lines if x.vat_rate == percent), Decimal("0.00"))
        category = _category(rate)
        reverse = category == "AE"
        groups.append(
            VatGroup(
                category,
                percent,
                base,
                Decimal(vat_text) * sign,
                "Autoliquidation" if reverse else None,
                REVERSE_CHARGE_CODE if reverse else None,
            )
        )
    return tuple(groups)


def _notes(doc: dict[str, Any], buyer: dict[str, Any]) -> tuple[Note, ...]:
    notes: list[Note] = []
    for text in doc["mentions"]:
        subject = next((code for start, code in NOTES.items() if text.startswith(start)), None)
        notes.append(Note(subject or "AAI", text))
    b2b = "B2B" if buyer.get("country") == "FR" else "B2BINT"
    notes.append(Note("BAR", b2b))
    return tuple(notes)


def _terms(due: date) -> str:
    return f"Paiement au plus tard le {due:%d/%m/%Y}."


def einvoice_of(doc: dict[str, Any]) -> EInvoice:
    """``doc``: the invoice as ``billing.invoice_json.invoice_document`` writes it, lines
    included."""
    credit = doc["kind"] == "credit_note"
    sign = -1 if credit else 1
    lines = [_line(i, raw, sign) for i, raw in enumerate(doc["lines"], start=1)]
    excl = Decimal(doc["total_excl_vat"]) * sign
    vat = Decimal(doc["vat_total"]) * sign
    preceding = None
    if doc.get("preceding_number") and doc.get("preceding_date"):
        preceding = (doc["preceding_number"], date.fromisoformat(doc["preceding_date"]))
    invoicer = doc.get("invoicer")
    vat_on_debits = bool(doc.get("vat_on_debits"))
    return EInvoice(
        number=doc["number"],
        type_code=CREDIT_NOTE if credit else INVOICE,
        issue_date=date.fromisoformat(doc["issue_date"]),
        due_date=date.fromisoformat(doc["due_date"]),
        period=(date.fromisoformat(doc["period_start"]), date.fromisoformat(doc["period_end"])),
        currency=doc["currency"],
        profile=EXTENDED_CTC_FR if invoicer else EN16931,
        business_process="S1",
        seller=party_of(doc["issuer"]),
        buyer=party_of(doc["recipient"]),
        invoicer=party_of(invoicer) if invoicer else None,
        lines=tuple(lines),
        vat_groups=_vat_groups(doc, lines, sign),
        notes=_notes(doc, doc["recipient"]),
        line_total=excl,
        tax_basis=excl,
        vat_total=vat,
        grand_total=excl + vat,
        due_payable=excl + vat,
        vat_on_debits=vat_on_debits,
        buyer_reference=doc.get("buyer_reference"),
        order_reference=doc.get("order_reference"),
        preceding=preceding,
        payment_terms=_terms(date.fromisoformat(doc["due_date"])),
    )
