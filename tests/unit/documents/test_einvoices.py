"""The XML e-invoices of every stream pass the XSD, the EN 16931 (or EXTENDED-CTC-FR)
Schematron and the French BR-FR rules, offline; the validator itself fails broken ones."""

from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from lxml import etree

from andromede.documents.cii import cii_xml
from andromede.documents.from_invoice import address_of, einvoice_of
from andromede.documents.model import EXTENDED_CTC_FR
from andromede.documents.ubl import ubl_xml
from andromede.documents.validation import validator
from tests.unit.documents.samples import STREAMS, direct, line

RAM = "{urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100}"
WRITERS: dict[str, Callable[[Any], bytes]] = {"cii": cii_xml, "ubl": ubl_xml}


@pytest.mark.parametrize("syntax", sorted(WRITERS))
@pytest.mark.parametrize("stream", sorted(STREAMS))
def test_every_stream_is_a_valid_einvoice(stream: str, syntax: str) -> None:
    xml = WRITERS[syntax](einvoice_of(STREAMS[stream]()))
    report = validator().check(xml)
    assert report.errors == [], report.errors
    assert report.syntax.startswith(syntax)


def test_the_mandate_is_extended_ctc_fr_with_the_operator_as_invoicer() -> None:
    invoice = einvoice_of(STREAMS["resale"]())
    assert invoice.profile == EXTENDED_CTC_FR and invoice.type_code == "380"
    root = etree.fromstring(cii_xml(invoice))
    invoicer = root.find(f".//{RAM}InvoicerTradeParty/{RAM}Name")
    seller = root.find(f".//{RAM}SellerTradeParty/{RAM}Name")
    assert invoicer is not None and invoicer.text == "Andromède Cloud SAS"
    assert seller is not None and seller.text == "Numeria"
    assert root.findtext(f".//{RAM}BuyerReference") == "SERV-FIN-01"
    assert root.findtext(f".//{RAM}BuyerOrderReferencedDocument/{RAM}IssuerAssignedID") == (
        "EJ-2026-0042"
    )
    assert root.findtext(f".//{RAM}BuyerTradeParty/{RAM}GlobalID") == "55210055400013"
    assert root.findtext(f".//{RAM}ApplicableTradeTax/{RAM}DueDateTypeCode") == "5"
    # BT-23: services, an ordinary invoice
    assert (
        root.findtext(f".//{RAM}BusinessProcessSpecifiedDocumentContextParameter/{RAM}ID") == "S1"
    )


def test_a_credit_note_references_its_invoice_with_positive_amounts() -> None:
    root = etree.fromstring(cii_xml(einvoice_of(STREAMS["credit_note"]())))
    assert root.findtext(f".//{RAM}TypeCode") == "381"
    reference = root.find(f".//{RAM}InvoiceReferencedDocument")
    assert reference is not None
    assert reference.findtext(f"{RAM}IssuerAssignedID") == "AND-2026-000042"
    assert root.findtext(f".//{RAM}GrandTotalAmount") == "130.67"


def test_a_draw_keeps_a_positive_price_and_takes_money_off() -> None:
    draw = einvoice_of(STREAMS["resale"]()).lines[-1]
    assert draw.unit_price == Decimal("10.000000") and draw.quantity == -1
    assert draw.net_amount == Decimal("-10.00")


def test_same_invoice_same_bytes() -> None:
    assert cii_xml(einvoice_of(direct())) == cii_xml(einvoice_of(direct()))
    assert ubl_xml(einvoice_of(direct())) == ubl_xml(einvoice_of(direct()))


def test_the_validator_fails_what_the_french_rules_refuse() -> None:
    doc = direct()
    doc["recipient"] = {**doc["recipient"], "siren": None}  # B2B without the buyer's SIREN
    report = validator().check(cii_xml(einvoice_of(doc)))
    assert any("BR-FR-11" in e for e in report.errors)
    doc = direct()
    doc["total_excl_vat"] = "1.00"  # a total that is not the sum of the lines
    report = validator().check(ubl_xml(einvoice_of(doc)))
    assert any("BR-CO-10" in e for e in report.errors)
    doc = direct()
    doc["number"] = "AND 2026 #42"  # characters BR-FR-02 refuses
    assert any("BR-FR-02" in e for e in validator().check(cii_xml(einvoice_of(doc))).errors)


def test_xsd_errors_stop_before_the_schematron() -> None:
    broken = cii_xml(einvoice_of(direct())).replace(b"<ram:TypeCode>380", b"<ram:Nonsense>380")
    broken = broken.replace(b"</ram:TypeCode>", b"</ram:Nonsense>", 1)
    report = validator().check(broken)
    assert report.errors and all(e.startswith("XSD") for e in report.errors)


def test_addresses_are_split_where_they_follow_the_usual_form() -> None:
    paris = address_of("12 rue de la Souveraineté, 75002 Paris, France", "FR")
    assert (paris.line, paris.postcode, paris.city) == (
        "12 rue de la Souveraineté",
        "75002",
        "Paris",
    )
    hamburg = address_of("Hafenstraße 1, Hamburg", "DE")
    assert (hamburg.line, hamburg.postcode, hamburg.city) == ("Hafenstraße 1", None, "Hamburg")
    assert address_of("HQ", "FR").line == "HQ"


cents = st.integers(min_value=1, max_value=10_000_000)


@settings(max_examples=25, deadline=None)
@given(st.lists(st.tuples(cents, st.integers(1, 900_000)), min_size=1, max_size=6))
def test_any_invoice_the_close_makes_is_valid_and_carries_its_amounts(
    parts: list[tuple[int, int]],
) -> None:
    """Lines with any amounts: the XML totals are the JSON's, and the rules hold."""
    doc = direct()
    doc["lines"] = [
        line(f"Serveur {i}", f"{hours / 1000:.6f}", "0.010000", f"{Decimal(c) / 100:.2f}")
        for i, (c, hours) in enumerate(parts)
    ]
    excl = sum((Decimal(c) for c, _ in parts), Decimal(0)) / 100
    vat = (excl * Decimal("0.2")).quantize(Decimal("0.01"))
    doc.update(
        total_excl_vat=f"{excl:.2f}",
        vat_total=f"{vat:.2f}",
        total_incl_vat=f"{excl + vat:.2f}",
        vat_breakdown={"0.2000": f"{vat:.2f}"},
    )
    xml = cii_xml(einvoice_of(doc))
    root = etree.fromstring(xml)
    assert root.findtext(f".//{RAM}TaxBasisTotalAmount") == f"{excl:.2f}"
    assert root.findtext(f".//{RAM}GrandTotalAmount") == f"{excl + vat:.2f}"
    assert validator().check(xml).errors == []
