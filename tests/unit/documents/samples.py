"""JSON invoices as billing stores them, one per stream, for the document tests."""

from collections.abc import Callable
from copy import deepcopy
from typing import Any

OPERATOR = {
    "name": "Andromède Cloud SAS",
    "country": "FR",
    "address": "12 rue de la Souveraineté, 75002 Paris, France",
    "siren": "901234567",
    "vat_number": "FR15901234567",
    "legal_details": "SAS au capital de 1 000 000 EUR, RCS Paris 901 234 567",
    "siret": None,
}
PARTNER = {
    "name": "Numeria",
    "country": "FR",
    "address": "1 rue Numeria, 69001 Lyon, France",
    "siren": "732829320",
    "vat_number": "FR44732829320",
    "legal_details": None,
    "siret": None,
}
CUSTOMER = {
    "name": "Brasserie du Port",
    "country": "FR",
    "address": "4 quai Duguay-Trouin, 35000 Rennes",
    "siren": "552100554",
    "vat_number": "FR96552100554",
    "legal_details": None,
    "siret": None,
}
MENTIONS = [
    "Pénalités de retard : taux de refinancement de la BCE majoré de 10 points.",
    "Indemnité forfaitaire pour frais de recouvrement en cas de retard de paiement : 40 EUR.",
    "Pas d'escompte pour paiement anticipé.",
]


def line(
    description: str, quantity: str, price: str, amount: str, rate: str = "0.2000"
) -> dict[str, Any]:
    return {
        "description": description,
        "sku": "compute:SCS-2V-4:fr-par-1",
        "quantity": quantity,
        "unit": "hour",
        "unit_price": price,
        "vat_rate": rate,
        "amount": amount,
        "customer_id": None,
    }


def direct() -> dict[str, Any]:
    return {
        "id": "inv-1",
        "number": "AND-2026-000042",
        "kind": "direct",
        "issuer": OPERATOR,
        "recipient": CUSTOMER,
        "partner_id": "house",
        "customer_id": "c1",
        "issue_date": "2026-11-01",
        "period_start": "2026-10-01",
        "period_end": "2026-10-31",
        "due_date": "2026-12-01",
        "currency": "EUR",
        "total_excl_vat": "108.89",
        "vat_total": "21.78",
        "total_incl_vat": "130.67",
        "vat_breakdown": {"0.2000": "21.78"},
        "mentions": ["Catégorie d'opération : prestations de services.", *MENTIONS],
        "credits_invoice_id": None,
        "reason": None,
        "invoicer": None,
        "buyer_reference": None,
        "order_reference": None,
        "vat_on_debits": False,
        "preceding_number": None,
        "preceding_date": None,
        "lines": [
            line(
                "Serveur virtuel SCS-2V-4, région fr-par-1 (hour)",
                "720.123456",
                "0.150000",
                "108.02",
            ),
            {**line("Stockage disque", "10.500000", "0.082857", "0.87"), "unit": "GiB-month"},
        ],
    }


def resale() -> dict[str, Any]:
    """Issued by the operator in the partner's name, to a public buyer with its Chorus
    references, with a draw on a prepaid commitment and the partner's VAT-on-debits option."""
    doc = direct()
    doc.update(
        number="P732829-2026-000007",
        kind="resale",
        issuer=PARTNER,
        recipient={**CUSTOMER, "name": "Mairie de Rennes", "siret": "55210055400013"},
        invoicer=OPERATOR,
        buyer_reference="SERV-FIN-01",
        order_reference="EJ-2026-0042",
        vat_on_debits=True,
        total_excl_vat="98.89",
        vat_total="19.78",
        total_incl_vat="118.67",
        vat_breakdown={"0.2000": "19.78"},
        mentions=[
            "Facture émise par Andromède Cloud SAS au nom et pour le compte de Numeria, en vertu"
            " d'un mandat de facturation.",
            *doc["mentions"],
            "Option pour le paiement de la taxe d'après les débits.",
        ],
    )
    doc["lines"].append(
        {
            **line("Prélèvement sur l'engagement prépayé C-1", "1", "-10.000000", "-10.00"),
            "sku": "commitment:c",
            "unit": "unit",
        }
    )
    return doc


def reverse_charge() -> dict[str, Any]:
    doc = direct()
    doc.update(
        recipient={
            "name": "Hafen GmbH",
            "country": "DE",
            "address": "Hafenstraße 1, Hamburg",
            "siren": None,
            "vat_number": "DE136695976",
            "legal_details": None,
            "siret": None,
        },
        vat_total="0.00",
        total_incl_vat="108.89",
        vat_breakdown={"0": "0.00"},
        mentions=[*doc["mentions"], "Autoliquidation : TVA due par le preneur."],
    )
    for raw in doc["lines"]:
        raw["vat_rate"] = "0"
    return doc


def credit_note(of: dict[str, Any]) -> dict[str, Any]:
    doc = deepcopy(of)
    doc.update(
        id="cn-1",
        number=of["number"][:-6] + "000043",
        kind="credit_note",
        issue_date="2026-11-20",
        due_date="2026-12-20",
        preceding_number=of["number"],
        preceding_date=of["issue_date"],
        total_excl_vat=f"-{of['total_excl_vat']}",
        vat_total="-" + of["vat_total"] if of["vat_total"] != "0.00" else "0.00",
        total_incl_vat=f"-{of['total_incl_vat']}",
        vat_breakdown={k: ("-" + v if v != "0.00" else v) for k, v in of["vat_breakdown"].items()},
        mentions=[
            f"Avoir sur la facture n° {of['number']} du {of['issue_date']}.",
            *of["mentions"],
        ],
    )
    for raw in doc["lines"]:
        raw["amount"] = raw["amount"][1:] if raw["amount"].startswith("-") else f"-{raw['amount']}"
    return doc


STREAMS: dict[str, Callable[[], dict[str, Any]]] = {
    "direct": direct,
    "resale": resale,
    "reverse_charge": reverse_charge,
    "credit_note": lambda: credit_note(direct()),
    "resale_credit_note": lambda: credit_note(resale()),
}
