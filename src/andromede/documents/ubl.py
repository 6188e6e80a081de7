"""UBL 2.1 Invoice or CreditNote from an ``EInvoice`` (EN 16931's UBL binding; the invoicer
under a billing mandate as the seller's service provider, EXTENDED-CTC-FR). Pure and
deterministic."""

from xml.etree.ElementTree import Element

from andromede.documents.model import EInvoice, ELine, EParty
from andromede.documents.xml_tree import Tree, amount, decimal_text

__all__ = ["ubl_xml"]

COMMON = {
    "cac": "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2",
    "cbc": "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2",
}
INVOICE_NS = "urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"
CREDIT_NOTE_NS = "urn:oasis:names:specification:ubl:schema:xsd:CreditNote-2"
VAT_ON_ISSUE = "3"  # UNTDID 2005 as UBL codes BT-8: VAT due on the invoice's date


def ubl_xml(invoice: EInvoice) -> bytes:
    credit = invoice.is_credit_note
    root_name = "CreditNote" if credit else "Invoice"
    t = Tree({"ubl": CREDIT_NOTE_NS if credit else INVOICE_NS, **COMMON})
    root = t.root(f"ubl:{root_name}")
    t.add(root, "cbc:CustomizationID", invoice.profile)
    t.add(root, "cbc:ProfileID", invoice.business_process)
    t.add(root, "cbc:ID", invoice.number)
    t.add(root, "cbc:IssueDate", invoice.issue_date.isoformat())
    if not credit:
        t.add(root, "cbc:DueDate", invoice.due_date.isoformat())
    t.add(root, "cbc:CreditNoteTypeCode" if credit else "cbc:InvoiceTypeCode", invoice.type_code)
    for note in invoice.notes:
        t.add(root, "cbc:Note", f"#{note.subject}#{note.text}")
    t.add(root, "cbc:DocumentCurrencyCode", invoice.currency)
    if invoice.buyer_reference:
        t.add(root, "cbc:BuyerReference", invoice.buyer_reference)
    period = t.add(root, "cac:InvoicePeriod")
    t.add(period, "cbc:StartDate", invoice.period[0].isoformat())
    t.add(period, "cbc:EndDate", invoice.period[1].isoformat())
    if invoice.vat_on_debits:
        t.add(period, "cbc:DescriptionCode", VAT_ON_ISSUE)
    if invoice.order_reference:
        t.path(root, "cac:OrderReference/cbc:ID", invoice.order_reference)
    if invoice.preceding is not None:
        reference = t.path(
            root, "cac:BillingReference/cac:InvoiceDocumentReference/cbc:ID", invoice.preceding[0]
        )
        parent = _parent_of(root, reference)
        t.add(parent, "cbc:IssueDate", invoice.preceding[1].isoformat())
    supplier = t.add(root, "cac:AccountingSupplierParty")
    _party(t, supplier, invoice.seller, invoicer=invoice.invoicer)
    customer = t.add(root, "cac:AccountingCustomerParty")
    _party(t, customer, invoice.buyer)
    if invoice.payment_terms:
        t.path(root, "cac:PaymentTerms/cbc:Note", invoice.payment_terms)
    _taxes(t, root, invoice)
    _totals(t, root, invoice)
    for line in invoice.lines:
        _line(t, root, line, invoice.currency, credit)
    return t.serialize(root)


def _parent_of(root: Element, child: Element) -> Element:
    for element in root.iter():
        if child in list(element):
            return element
    raise LookupError("detached element")


def _party(t: Tree, parent: Element, party: EParty, *, invoicer: EParty | None = None) -> None:
    element = t.add(parent, "cac:Party")
    if party.endpoint:
        t.add(element, "cbc:EndpointID", party.endpoint[1], schemeID=party.endpoint[0])
    if party.siret:
        t.path(element, "cac:PartyIdentification/cbc:ID", party.siret, schemeID="0009")
    t.path(element, "cac:PartyName/cbc:Name", party.name)
    address = t.add(element, "cac:PostalAddress")
    t.add(address, "cbc:StreetName", party.address.line)
    if party.address.city:
        t.add(address, "cbc:CityName", party.address.city)
    if party.address.postcode:
        t.add(address, "cbc:PostalZone", party.address.postcode)
    t.path(address, "cac:Country/cbc:IdentificationCode", party.address.country)
    if party.vat_number:
        scheme = t.add(element, "cac:PartyTaxScheme")
        t.add(scheme, "cbc:CompanyID", party.vat_number)
        t.path(scheme, "cac:TaxScheme/cbc:ID", "VAT")
    legal = t.add(element, "cac:PartyLegalEntity")
    t.add(legal, "cbc:RegistrationName", party.name)
    if party.siren:
        t.add(legal, "cbc:CompanyID", party.siren, schemeID="0002")
    if party.legal_details:
        t.add(legal, "cbc:CompanyLegalForm", party.legal_details)
    if invoicer is not None:
        provider = t.add(element, "cac:ServiceProviderParty")
        _party(t, provider, invoicer)


def _taxes(t: Tree, root: Element, invoice: EInvoice) -> None:
    total = t.add(root, "cac:TaxTotal")
    t.add(total, "cbc:TaxAmount", amount(invoice.vat_total), currencyID=invoice.currency)
    for group in invoice.vat_groups:
        sub = t.add(total, "cac:TaxSubtotal")
        t.add(sub, "cbc:TaxableAmount", amount(group.base), currencyID=invoice.currency)
        t.add(sub, "cbc:TaxAmount", amount(group.amount), currencyID=invoice.currency)
        category = t.add(sub, "cac:TaxCategory")
        t.add(category, "cbc:ID", group.category)
        t.add(category, "cbc:Percent", amount(group.rate))
        if group.exemption_code:
            t.add(category, "cbc:TaxExemptionReasonCode", group.exemption_code)
        if group.exemption_reason:
            t.add(category, "cbc:TaxExemptionReason", group.exemption_reason)
        t.path(category, "cac:TaxScheme/cbc:ID", "VAT")


def _totals(t: Tree, root: Element, invoice: EInvoice) -> None:
    sums = t.add(root, "cac:LegalMonetaryTotal")
    currency = invoice.currency
    t.add(sums, "cbc:LineExtensionAmount", amount(invoice.line_total), currencyID=currency)
    t.add(sums, "cbc:TaxExclusiveAmount", amount(invoice.tax_basis), currencyID=currency)
    t.add(sums, "cbc:TaxInclusiveAmount", amount(invoice.grand_total), currencyID=currency)
    t.add(sums, "cbc:PayableAmount", amount(invoice.due_payable), currencyID=currency)


def _line(t: Tree, root: Element, line: ELine, currency: str, credit: bool) -> None:
    element = t.add(root, "cac:CreditNoteLine" if credit else "cac:InvoiceLine")
    t.add(element, "cbc:ID", str(line.position))
    quantity = "cbc:CreditedQuantity" if credit else "cbc:InvoicedQuantity"
    t.add(element, quantity, decimal_text(line.quantity), unitCode=line.unit_code)
    t.add(element, "cbc:LineExtensionAmount", amount(line.net_amount), currencyID=currency)
    item = t.add(element, "cac:Item")
    t.add(item, "cbc:Name", line.name)
    t.path(item, "cac:SellersItemIdentification/cbc:ID", line.sku)
    category = t.add(item, "cac:ClassifiedTaxCategory")
    t.add(category, "cbc:ID", line.vat_category)
    t.add(category, "cbc:Percent", amount(line.vat_rate))
    t.path(category, "cac:TaxScheme/cbc:ID", "VAT")
    t.path(element, "cac:Price/cbc:PriceAmount", decimal_text(line.unit_price), currencyID=currency)
