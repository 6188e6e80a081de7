"""UN/CEFACT Cross Industry Invoice (D16B as Factur-X EN 16931 profiles it; D22B elements
for EXTENDED-CTC-FR) from an ``EInvoice``. Pure and deterministic."""

from datetime import date
from xml.etree.ElementTree import Element

from andromede.documents.model import EInvoice, ELine, EParty
from andromede.documents.xml_tree import Tree, amount, decimal_text

__all__ = ["cii_xml"]

NAMESPACES = {
    "rsm": "urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100",
    "qdt": "urn:un:unece:uncefact:data:standard:QualifiedDataType:100",
    "ram": "urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100",
    "udt": "urn:un:unece:uncefact:data:standard:UnqualifiedDataType:100",
}
SIREN_SCHEME = "0002"
SIRET_SCHEME = "0009"
VAT_ON_ISSUE = "5"  # UNTDID 2005: tax due on the invoice's date (VAT on debits)


def cii_xml(invoice: EInvoice) -> bytes:
    t = Tree(NAMESPACES)
    root = t.root("rsm:CrossIndustryInvoice")
    context = t.add(root, "rsm:ExchangedDocumentContext")
    t.path(
        context,
        "ram:BusinessProcessSpecifiedDocumentContextParameter/ram:ID",
        invoice.business_process,
    )
    t.path(context, "ram:GuidelineSpecifiedDocumentContextParameter/ram:ID", invoice.profile)
    document = t.add(root, "rsm:ExchangedDocument")
    t.add(document, "ram:ID", invoice.number)
    t.add(document, "ram:TypeCode", invoice.type_code)
    t.path(document, "ram:IssueDateTime/udt:DateTimeString", _day(invoice.issue_date), format="102")
    for note in invoice.notes:
        included = t.add(document, "ram:IncludedNote")
        t.add(included, "ram:Content", note.text)
        t.add(included, "ram:SubjectCode", note.subject)
    transaction = t.add(root, "rsm:SupplyChainTradeTransaction")
    for line in invoice.lines:
        _line(t, transaction, line)
    _agreement(t, transaction, invoice)
    t.add(transaction, "ram:ApplicableHeaderTradeDelivery")
    _settlement(t, transaction, invoice)
    return t.serialize(root)


def _day(value: date) -> str:
    return value.strftime("%Y%m%d")


def _line(t: Tree, parent: Element, line: ELine) -> None:
    item = t.add(parent, "ram:IncludedSupplyChainTradeLineItem")
    t.path(item, "ram:AssociatedDocumentLineDocument/ram:LineID", str(line.position))
    product = t.add(item, "ram:SpecifiedTradeProduct")
    t.add(product, "ram:SellerAssignedID", line.sku)
    t.add(product, "ram:Name", line.name)
    t.path(
        item,
        "ram:SpecifiedLineTradeAgreement/ram:NetPriceProductTradePrice/ram:ChargeAmount",
        decimal_text(line.unit_price),
    )
    t.path(
        item,
        "ram:SpecifiedLineTradeDelivery/ram:BilledQuantity",
        decimal_text(line.quantity),
        unitCode=line.unit_code,
    )
    settlement = t.add(item, "ram:SpecifiedLineTradeSettlement")
    tax = t.add(settlement, "ram:ApplicableTradeTax")
    t.add(tax, "ram:TypeCode", "VAT")
    t.add(tax, "ram:CategoryCode", line.vat_category)
    t.add(tax, "ram:RateApplicablePercent", amount(line.vat_rate))
    t.path(
        settlement,
        "ram:SpecifiedTradeSettlementLineMonetarySummation/ram:LineTotalAmount",
        amount(line.net_amount),
    )


def _party(t: Tree, parent: Element, name: str, party: EParty, *, global_siret: bool) -> None:
    element = t.add(parent, name)
    if global_siret and party.siret:
        t.add(element, "ram:GlobalID", party.siret, schemeID=SIRET_SCHEME)
    t.add(element, "ram:Name", party.name)
    if party.legal_details:
        t.add(element, "ram:Description", party.legal_details)
    if party.siren:
        t.path(element, "ram:SpecifiedLegalOrganization/ram:ID", party.siren, schemeID=SIREN_SCHEME)
    address = t.add(element, "ram:PostalTradeAddress")
    if party.address.postcode:
        t.add(address, "ram:PostcodeCode", party.address.postcode)
    t.add(address, "ram:LineOne", party.address.line)
    if party.address.city:
        t.add(address, "ram:CityName", party.address.city)
    t.add(address, "ram:CountryID", party.address.country)
    if party.endpoint:
        scheme, identifier = party.endpoint
        t.path(element, "ram:URIUniversalCommunication/ram:URIID", identifier, schemeID=scheme)
    if party.vat_number:
        t.path(element, "ram:SpecifiedTaxRegistration/ram:ID", party.vat_number, schemeID="VA")


def _agreement(t: Tree, parent: Element, invoice: EInvoice) -> None:
    agreement = t.add(parent, "ram:ApplicableHeaderTradeAgreement")
    if invoice.buyer_reference:
        t.add(agreement, "ram:BuyerReference", invoice.buyer_reference)
    _party(t, agreement, "ram:SellerTradeParty", invoice.seller, global_siret=True)
    _party(t, agreement, "ram:BuyerTradeParty", invoice.buyer, global_siret=True)
    if invoice.order_reference:
        t.path(
            agreement,
            "ram:BuyerOrderReferencedDocument/ram:IssuerAssignedID",
            invoice.order_reference,
        )


def _settlement(t: Tree, parent: Element, invoice: EInvoice) -> None:
    settlement = t.add(parent, "ram:ApplicableHeaderTradeSettlement")
    t.add(settlement, "ram:InvoiceCurrencyCode", invoice.currency)
    if invoice.invoicer is not None:
        _party(t, settlement, "ram:InvoicerTradeParty", invoice.invoicer, global_siret=False)
    for group in invoice.vat_groups:
        tax = t.add(settlement, "ram:ApplicableTradeTax")
        t.add(tax, "ram:CalculatedAmount", amount(group.amount))
        t.add(tax, "ram:TypeCode", "VAT")
        if group.exemption_reason:
            t.add(tax, "ram:ExemptionReason", group.exemption_reason)
        t.add(tax, "ram:BasisAmount", amount(group.base))
        t.add(tax, "ram:CategoryCode", group.category)
        if group.exemption_code:
            t.add(tax, "ram:ExemptionReasonCode", group.exemption_code)
        if invoice.vat_on_debits and group.category == "S":
            t.add(tax, "ram:DueDateTypeCode", VAT_ON_ISSUE)
        t.add(tax, "ram:RateApplicablePercent", amount(group.rate))
    period = t.add(settlement, "ram:BillingSpecifiedPeriod")
    t.path(period, "ram:StartDateTime/udt:DateTimeString", _day(invoice.period[0]), format="102")
    t.path(period, "ram:EndDateTime/udt:DateTimeString", _day(invoice.period[1]), format="102")
    terms = t.add(settlement, "ram:SpecifiedTradePaymentTerms")
    if invoice.payment_terms:
        t.add(terms, "ram:Description", invoice.payment_terms)
    t.path(terms, "ram:DueDateDateTime/udt:DateTimeString", _day(invoice.due_date), format="102")
    sums = t.add(settlement, "ram:SpecifiedTradeSettlementHeaderMonetarySummation")
    t.add(sums, "ram:LineTotalAmount", amount(invoice.line_total))
    t.add(sums, "ram:TaxBasisTotalAmount", amount(invoice.tax_basis))
    t.add(sums, "ram:TaxTotalAmount", amount(invoice.vat_total), currencyID=invoice.currency)
    t.add(sums, "ram:GrandTotalAmount", amount(invoice.grand_total))
    t.add(sums, "ram:DuePayableAmount", amount(invoice.due_payable))
    if invoice.preceding is not None:
        reference = t.add(settlement, "ram:InvoiceReferencedDocument")
        t.add(reference, "ram:IssuerAssignedID", invoice.preceding[0])
        t.path(
            reference,
            "ram:FormattedIssueDateTime/qdt:DateTimeString",
            _day(invoice.preceding[1]),
            format="102",
        )
