"""Every e-invoice a test fetches goes through here: the XMLs against the XSDs and the
Schematrons, the Factur-X's XML read back and compared with the JSON invoice, amount by
amount, and the readable PDF's text read with pdftotext and its first page rendered to
PNG with pdftoppm (Debian's poppler-utils)."""

import subprocess
from decimal import Decimal
from pathlib import Path
from typing import Any

from facturx import get_xml_from_pdf
from fastapi.testclient import TestClient
from lxml import etree

from andromede.documents.validation import validator
from tests.integration.builders import auth

RAM = "{urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100}"
RSM = "{urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100}"
CBC = "{urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2}"


def fetch(client: TestClient, token: str, invoice_id: str, fmt: str, **params: str) -> bytes:
    """A document from the API; an XML (or a Factur-X's XML) is validated on the way."""
    path = {"facturx": "facturx.pdf", "cii": "cii.xml", "ubl": "ubl.xml", "pdf": "pdf"}[fmt]
    response = client.get(f"/v1/invoices/{invoice_id}/{path}", headers=auth(token), params=params)
    assert response.status_code == 200, response.text
    xml = get_xml_from_pdf(response.content, check_xsd=False)[1] if fmt == "facturx" else None
    if fmt in ("cii", "ubl"):
        xml = response.content
    if xml is not None:
        report = validator().check(xml)
        assert report.errors == [], (fmt, report.errors)
    return response.content


def amounts_match(xml: bytes, invoice: dict[str, Any]) -> None:
    """The CII carries exactly the JSON's amounts (a credit note's as positive figures)."""
    sign = Decimal(-1) if invoice["kind"] == "credit_note" else Decimal(1)
    root = etree.fromstring(xml)
    sums = root.find(f".//{RAM}SpecifiedTradeSettlementHeaderMonetarySummation")
    assert sums is not None
    assert Decimal(sums.findtext(f"{RAM}TaxBasisTotalAmount")) == sign * Decimal(
        invoice["total_excl_vat"]
    )
    assert Decimal(sums.findtext(f"{RAM}TaxTotalAmount")) == sign * Decimal(invoice["vat_total"])
    assert Decimal(sums.findtext(f"{RAM}GrandTotalAmount")) == sign * Decimal(
        invoice["total_incl_vat"]
    )
    amounts = [Decimal(a.text) for a in root.iter(f"{RAM}LineTotalAmount")][:-1]
    assert amounts == [sign * Decimal(line["amount"]) for line in invoice["lines"]]
    assert root.findtext(f"{RSM}ExchangedDocument/{RAM}ID") == invoice["number"]


def checked_documents(
    client: TestClient, token: str, invoice: dict[str, Any], workdir: Path
) -> dict[str, bytes]:
    """All four documents of an invoice (with lines), each checked; returns them."""
    docs = {
        fmt: fetch(client, token, invoice["id"], fmt) for fmt in ("facturx", "cii", "ubl", "pdf")
    }
    name, embedded = get_xml_from_pdf(docs["facturx"], check_xsd=False)
    assert name == "factur-x.xml" and embedded == docs["cii"]
    amounts_match(embedded, invoice)
    assert Decimal(etree.fromstring(docs["ubl"]).findtext(f".//{CBC}PayableAmount")) == abs(
        Decimal(invoice["total_incl_vat"])
    )
    text = pdf_text(docs["pdf"], workdir)
    assert invoice["number"] in text
    assert invoice["recipient"]["name"] in text
    return docs


def pdf_text(pdf: bytes, workdir: Path) -> str:
    """The text pdftotext reads, after pdftoppm rendered the first page to a PNG."""
    source = workdir / "invoice.pdf"
    source.write_bytes(pdf)
    subprocess.run(
        ["pdftoppm", "-png", "-r", "50", "-f", "1", "-l", "1", str(source), str(workdir / "page")],
        check=True,
        capture_output=True,
    )
    png = next(workdir.glob("page*.png"))
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and png.stat().st_size > 2000
    done = subprocess.run(
        ["pdftotext", "-layout", str(source), "-"], check=True, capture_output=True, text=True
    )
    return done.stdout
