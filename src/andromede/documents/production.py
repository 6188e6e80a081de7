"""Producing one invoice's documents from its JSON, in any process: the close's worker
pool and the benchmark call ``produce`` on plain dicts, so no session or service crosses
a process boundary. Each format is a pure function of the stored invoice, except the
Factur-X's production stamp (see ``rendering``)."""

from dataclasses import dataclass
from typing import Any

from andromede.documents.cii import cii_xml
from andromede.documents.from_invoice import einvoice_of
from andromede.documents.rendering import facturx_pdf, readable_pdf
from andromede.documents.ubl import ubl_xml

__all__ = ["FORMATS", "Produced", "produce", "produce_one"]

FORMATS = {  # format → (media type, file suffix)
    "facturx": ("application/pdf", ".pdf"),
    "cii": ("application/xml", ".cii.xml"),
    "ubl": ("application/xml", ".ubl.xml"),
    "pdf": ("application/pdf", ".readable.pdf"),
}


@dataclass(frozen=True)
class Produced:
    number: str
    facturx: bytes
    cii: bytes
    ubl: bytes


def produce_one(doc: dict[str, Any], fmt: str, lang: str = "fr") -> bytes:
    invoice = einvoice_of(doc)
    if fmt == "cii":
        return cii_xml(invoice)
    if fmt == "ubl":
        return ubl_xml(invoice)
    if fmt == "pdf":
        return readable_pdf(invoice, lang)
    if fmt == "facturx":
        return facturx_pdf(invoice, cii_xml(invoice))
    raise ValueError(f"format {fmt!r}: one of {', '.join(FORMATS)}")


def produce(doc: dict[str, Any]) -> Produced:
    """The legal Factur-X and both XML syntaxes of one invoice."""
    invoice = einvoice_of(doc)
    cii = cii_xml(invoice)
    return Produced(doc["number"], facturx_pdf(invoice, cii), cii, ubl_xml(invoice))
