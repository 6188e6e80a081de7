"""The Factur-X and the readable PDF: the XML inside is the CII, byte for byte; the same
invoice gives the same file; names outside the fonts' encoding go the HTML way."""

import io
from decimal import Decimal

import pytest
from facturx import get_xml_from_pdf
from pypdf import PdfReader

from andromede.documents import fonts
from andromede.documents.cii import cii_xml
from andromede.documents.from_invoice import einvoice_of
from andromede.documents.invoice_pdf import drawable, money_text, number_text
from andromede.documents.production import produce, produce_one
from tests.unit.documents.samples import direct, line, resale


def _text(pdf: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


def test_the_facturx_carries_the_cii_and_is_the_same_file_every_time() -> None:
    made = produce(resale())
    name, xml = get_xml_from_pdf(made.facturx, check_xsd=False)
    assert name == "factur-x.xml" and xml == made.cii
    assert produce(resale()).facturx == made.facturx
    reader = PdfReader(io.BytesIO(made.facturx))
    assert reader.metadata is not None and reader.metadata.creation_date is not None
    assert reader.metadata.creation_date.year == 2026  # the issue date: no clock inside
    xmp = reader.xmp_metadata.stream.get_data() if reader.xmp_metadata else b""
    assert b"<pdfaid:part>3</pdfaid:part>" in xmp
    assert b"<fx:ConformanceLevel>EXTENDED</fx:ConformanceLevel>" in xmp


def test_a_long_invoice_runs_over_pages_with_every_line() -> None:
    doc = direct()
    doc["lines"] = [line(f"Client {i:03d} — serveur", "720", "0.01", "7.20") for i in range(120)]
    pdf = produce_one(doc, "pdf")
    text = _text(pdf)
    assert len(PdfReader(io.BytesIO(pdf)).pages) >= 3
    assert all(f"Client {i:03d}" in text for i in range(120))
    assert "AND-2026-000042 — 3 /" in text


def test_english_on_request() -> None:
    text = _text(produce_one(direct(), "pdf", "en"))
    assert "Invoice AND-2026-000042" in text and "Total incl. VAT" in text and "€130.67" in text
    french = _text(produce_one(direct(), "pdf", "fr"))
    assert "Facture AND-2026-000042" in french and "130,67" in french


def test_a_name_outside_windows_1252_is_drawn_through_html() -> None:
    doc = direct()
    doc["recipient"] = {**doc["recipient"], "name": "Łódź Cloud sp. z o.o."}
    invoice = einvoice_of(doc)
    assert not drawable(invoice)
    pdf = produce_one(doc, "facturx")
    _, xml = get_xml_from_pdf(pdf, check_xsd=False)
    assert xml == cii_xml(invoice)
    assert "Łódź" in _text(pdf)


def test_numbers_as_each_language_writes_them() -> None:
    assert number_text(Decimal("12345.678"), "fr") == "12\u00a0345,678"
    assert number_text(Decimal("12345.678"), "en") == "12,345.678"
    assert money_text(Decimal("-1234.5"), "EUR", "fr") == "-1\u00a0234,50\u00a0€"
    assert money_text(Decimal("-1234.5"), "EUR", "en") == "-€1,234.50"


def test_without_the_system_fonts_the_invoice_goes_the_html_way(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(fonts, "FONT_DIRS", ())  # a machine without fonts-dejavu-core
    assert not drawable(einvoice_of(direct()))
