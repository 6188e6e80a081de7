"""The invoice as a JSON document: the API's invoice body, the input of the accounting
exports and the invoices in an offboarding archive. Amounts are decimal strings, never
floats. Pure: it reads the stored rows' attributes only."""

from typing import Any

__all__ = ["invoice_document"]


def invoice_document(invoice: Any, lines: list[Any] | None = None) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "id": invoice.id,
        "number": invoice.number,
        "kind": invoice.kind,
        "issuer": invoice.issuer,
        "recipient": invoice.recipient,
        "partner_id": invoice.partner_id,
        "customer_id": invoice.customer_id,
        "issue_date": invoice.issue_date.isoformat(),
        "period_start": invoice.period_start.isoformat(),
        "period_end": invoice.period_end.isoformat(),
        "due_date": invoice.due_date.isoformat(),
        "currency": invoice.currency,
        "total_excl_vat": f"{invoice.total_excl_vat:f}",
        "vat_total": f"{invoice.vat_total:f}",
        "total_incl_vat": f"{invoice.total_incl_vat:f}",
        "vat_breakdown": invoice.vat_breakdown,
        "mentions": invoice.mentions,
        "credits_invoice_id": invoice.credits_invoice_id,
        "reason": invoice.reason,
        "invoicer": invoice.invoicer,
        "buyer_reference": invoice.buyer_reference,
        "order_reference": invoice.order_reference,
        "vat_on_debits": bool(invoice.vat_on_debits),
        "preceding_number": invoice.preceding_number,
        "preceding_date": invoice.preceding_date.isoformat() if invoice.preceding_date else None,
    }
    if lines is not None:
        doc["lines"] = [
            {
                "description": line.description,
                "sku": line.sku,
                "quantity": f"{line.quantity:f}",
                "unit": line.unit,
                "unit_price": f"{line.unit_price:f}",
                "vat_rate": f"{line.vat_rate:f}",
                "amount": f"{line.amount:f}",
                "customer_id": line.customer_id,
            }
            for line in lines
        ]
    return doc
