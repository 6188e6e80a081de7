"""The words of the readable invoice, in French (the legal language) and English. Pure."""

__all__ = ["LABELS", "LANGUAGES", "MANDATE_OPENING"]

LABELS: dict[str, dict[str, str]] = {
    "fr": {
        "title": "Facture",
        "credit_note": "Avoir",
        "issue_date": "Date d'émission",
        "period": "Période facturée",
        "due_date": "Échéance",
        "preceding": "Facture d'origine",
        "service_code": "Code service",
        "commitment_number": "Numéro d'engagement",
        "operation": "Catégorie d'opération",
        "services": "Prestations de services",
        "seller": "Vendeur",
        "buyer": "Client",
        "vat_number": "N° TVA",
        "mandate": "Facture émise par {invoicer} au nom et pour le compte de {seller}, "
        "en vertu d'un mandat de facturation.",
        "description": "Désignation",
        "quantity": "Quantité",
        "unit_price": "Prix unitaire HT",
        "vat_rate": "TVA",
        "amount": "Montant HT",
        "total_excl": "Total HT",
        "vat": "TVA",
        "on": "sur",
        "reverse_charge": "autoliquidation",
        "total_incl": "Total TTC",
        "due": "Net à payer",
    },
    "en": {
        "title": "Invoice",
        "credit_note": "Credit note",
        "issue_date": "Issue date",
        "period": "Billing period",
        "due_date": "Due date",
        "preceding": "Original invoice",
        "service_code": "Service code",
        "commitment_number": "Commitment number",
        "operation": "Category of operation",
        "services": "Supply of services",
        "seller": "Seller",
        "buyer": "Customer",
        "vat_number": "VAT no.",
        "mandate": "Invoice issued by {invoicer} in the name and on behalf of {seller}, "
        "under a billing mandate.",
        "description": "Description",
        "quantity": "Quantity",
        "unit_price": "Unit price excl. VAT",
        "vat_rate": "VAT",
        "amount": "Amount excl. VAT",
        "total_excl": "Total excl. VAT",
        "vat": "VAT",
        "on": "on",
        "reverse_charge": "reverse charge",
        "total_incl": "Total incl. VAT",
        "due": "Amount due",
    },
}
LANGUAGES = tuple(LABELS)
MANDATE_OPENING = "Facture émise par "  # the JSON's mandate mention: shown in its own box
