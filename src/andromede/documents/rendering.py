"""The readable invoice (HTML → PDF/A-3b with WeasyPrint, French or English) and the
Factur-X: that PDF with its CII XML attached. The fonts are the system's DejaVu, embedded
in the PDF: nothing is fetched. WeasyPrint writes the same bytes for the same page;
the Factur-X step stamps the time of production, so that file is kept once made."""

from datetime import date
from decimal import Decimal
from importlib import resources
from typing import Any

from babel.numbers import format_currency, format_decimal
from jinja2 import Environment, FileSystemLoader, select_autoescape

from andromede.documents.invoice_pdf import drawable, invoice_pdf
from andromede.documents.labels import LABELS, LANGUAGES, MANDATE_OPENING
from andromede.documents.model import EXTENDED_CTC_FR, EInvoice
from andromede.documents.pdf_file import Attachment

__all__ = ["LANGUAGES", "facturx_pdf", "readable_pdf"]

LOCALES = {"fr": "fr_FR", "en": "en_GB"}


def _environment() -> Environment:
    folder = resources.files("andromede.documents").joinpath("templates")
    return Environment(
        loader=FileSystemLoader(str(folder)),
        autoescape=select_autoescape(["html"]),
        keep_trailing_newline=True,
    )


_ENV = _environment()


def _html(invoice: EInvoice, lang: str) -> str:
    locale = LOCALES[lang]

    def money(value: Decimal) -> str:
        return format_currency(value, invoice.currency, locale=locale)

    def number(value: Decimal) -> str:
        return format_decimal(value.normalize(), locale=locale, decimal_quantization=False)

    def price(value: Decimal) -> str:
        return f"{number(value)} {invoice.currency}"

    def day(value: date) -> str:
        return value.strftime("%d/%m/%Y") if lang == "fr" else value.isoformat()

    template = _ENV.get_template("invoice.html")
    return template.render(
        e=invoice,
        t=LABELS[lang],
        lang=lang,
        MANDATE=MANDATE_OPENING,
        money=money,
        number=number,
        price=price,
        day=day,
    )


def readable_pdf(invoice: EInvoice, lang: str = "fr") -> bytes:
    """Drawn directly (about a millisecond), or through HTML when a name has characters
    the embedded fonts' encoding lacks (tens of milliseconds, any script)."""
    if lang not in LABELS:
        raise ValueError(f"language {lang!r}: one of {', '.join(LANGUAGES)}")
    if drawable(invoice):
        return invoice_pdf(invoice, lang)
    return _html_pdf(invoice, lang)


def _html_pdf(invoice: EInvoice, lang: str) -> bytes:
    from weasyprint import HTML  # loads cairo and pango: only where they are needed

    pdf: bytes = HTML(string=_html(invoice, lang)).write_pdf(pdf_variant="pdf/a-3b")
    return pdf


def facturx_pdf(invoice: EInvoice, cii: bytes) -> bytes:
    """PDF/A-3 with the CII as ``factur-x.xml``; the XMP names the EN 16931 level, or
    EXTENDED for the French extended profile (the invoicer under a mandate). Drawn
    directly, it is the same bytes for the same invoice; through HTML, the ``factur-x``
    package attaches the XML and stamps the time it ran."""
    extended = invoice.profile == EXTENDED_CTC_FR
    if drawable(invoice):
        attachment = Attachment("factur-x.xml", cii, "EXTENDED" if extended else "EN 16931")
        return invoice_pdf(invoice, "fr", attachment)
    from facturx import generate_from_binary

    metadata: dict[str, Any] = {
        "author": invoice.invoicer.name if invoice.invoicer else invoice.seller.name,
        "keywords": "Factur-X",
        "title": f"{invoice.seller.name}: {invoice.number}",
        "subject": f"Factur-X {invoice.number}",
    }
    result: bytes = generate_from_binary(
        _html_pdf(invoice, "fr"),
        cii,
        flavor="factur-x",
        level="extended" if extended else "en16931",
        check_xsd=False,
        pdf_metadata=metadata,
        lang="fr-FR",
    )
    return result
