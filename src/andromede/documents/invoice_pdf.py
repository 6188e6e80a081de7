"""The readable invoice drawn directly in PDF: a few milliseconds a document where an HTML
engine takes tens, which is what lets a month close of thousands of invoices produce its
documents at close speed. Same content as the HTML template (``templates/invoice.html``,
kept for invoices with characters outside Windows-1252): title and facts, seller and
buyer, the mandate box, the lines (over as many pages as needed, header repeated),
totals with the VAT breakdown, then the payment terms and legal mentions."""

from collections.abc import Callable
from datetime import date
from decimal import Decimal

from andromede.documents.fonts import ENCODING, Font, font, fonts_available
from andromede.documents.labels import LABELS, MANDATE_OPENING
from andromede.documents.model import EInvoice, EParty
from andromede.documents.pdf_file import Attachment, Meta, pdf_bytes

__all__ = ["drawable", "invoice_pdf"]

WIDTH, HEIGHT = 595.28, 841.89
LEFT, RIGHT, TOP, BOTTOM = 40.0, 555.28, 800.0, 60.0
SYMBOLS = {"EUR": "€"}
GREY = b"0.55 0.55 0.55 RG"
# the lines table: description from LEFT, then right edges of the number columns
COLUMNS = (("quantity", 370.0), ("unit_price", 455.0), ("vat_rate", 492.0), ("amount", RIGHT))
DESCRIPTION_WIDTH = 262.0


def number_text(value: Decimal, lang: str, places: int | None = None) -> str:
    """French: 1 234,5 (a no-break space groups thousands); English: 1,234.5. Written
    here rather than by a locale library: it runs for every cell of every invoice, and
    the PDF's font encoding has the no-break space but not the narrow one."""
    text = f"{abs(value):,.{places}f}" if places is not None else f"{abs(value.normalize()):,f}"
    sign = "-" if value < 0 else ""
    if lang == "fr":
        text = text.replace(",", "\u00a0").replace(".", ",")
    return sign + text


def money_text(value: Decimal, currency: str, lang: str) -> str:
    symbol = SYMBOLS.get(currency, currency)
    if lang == "fr":
        return f"{number_text(value, lang, 2)}\u00a0{symbol}"
    sign = "-" if value < 0 else ""
    return f"{sign}{symbol}{number_text(abs(value), lang, 2)}"


def _escape(text: str) -> bytes:
    raw = text.encode(ENCODING, errors="replace")
    return raw.replace(b"\\", b"\\\\").replace(b"(", b"\\(").replace(b")", b"\\)")


def drawable(invoice: EInvoice) -> bool:
    """True when the fonts are on the system and every text of the invoice has a glyph
    in them; otherwise the invoice goes the HTML way (fontconfig finds a font)."""
    if not fonts_available():
        return False
    texts = [invoice.number, invoice.buyer_reference or "", invoice.order_reference or ""]
    for party in (invoice.seller, invoice.buyer, invoice.invoicer):
        if party is not None:
            texts += [party.name, party.address.line, party.address.city or ""]
            texts += [party.legal_details or ""]
    texts += [line.name for line in invoice.lines] + [note.text for note in invoice.notes]
    try:
        "".join(texts).encode(ENCODING)
    except UnicodeEncodeError:
        return False
    return True


class _Pages:
    """Content streams of A4 pages, with a cursor that opens a new page when full."""

    def __init__(self, regular: Font, bold: Font) -> None:
        self.fonts = {"R": regular, "B": bold}
        self.pages: list[list[bytes]] = [[]]
        self.y = TOP
        self.on_new_page: Callable[[], None] | None = None

    @property
    def ops(self) -> list[bytes]:
        return self.pages[-1]

    def need(self, height: float) -> None:
        if self.y - height < BOTTOM:
            self.pages.append([])
            self.y = TOP
            if self.on_new_page is not None:
                self.on_new_page()

    def text(self, x: float, y: float, text: str, size: float = 8.5, bold: bool = False) -> None:
        key = "B" if bold else "R"
        self.ops.append(
            b"BT /%s %.1f Tf %.2f %.2f Td (%s) Tj ET" % (key.encode(), size, x, y, _escape(text))
        )

    def right(self, x: float, y: float, text: str, size: float = 8.5, bold: bool = False) -> None:
        self.text(x - self.width(text, size, bold), y, text, size, bold)

    def width(self, text: str, size: float, bold: bool = False) -> float:
        return self.fonts["B" if bold else "R"].width(text, size)

    def rule(
        self, x1: float, y1: float, x2: float, y2: float, grey: bool = False, weight: float = 0.5
    ) -> None:
        colour = GREY if grey else b"0 0 0 RG"
        self.ops.append(b"%s %.2f w %.2f %.2f m %.2f %.2f l S" % (colour, weight, x1, y1, x2, y2))

    def box(self, x: float, y: float, w: float, h: float) -> None:
        self.ops.append(b"%s 0.6 w %.2f %.2f %.2f %.2f re S" % (GREY, x, y, w, h))

    def wrap(self, text: str, width: float, size: float, bold: bool = False) -> list[str]:
        lines: list[str] = []
        current = ""
        for word in text.split():
            candidate = f"{current} {word}" if current else word
            if self.width(candidate, size, bold) <= width or not current:
                current = candidate
            else:
                lines.append(current)
                current = word
        return [*lines, current] if current else lines or [""]


class _Layout:
    def __init__(self, invoice: EInvoice, lang: str) -> None:
        self.e = invoice
        self.t = LABELS[lang]
        self.lang = lang
        self.p = _Pages(font("regular"), font("bold"))

    def money(self, value: Decimal) -> str:
        return money_text(value, self.e.currency, self.lang)

    def number(self, value: Decimal) -> str:
        return number_text(value, self.lang)

    def day(self, value: date) -> str:
        return value.strftime("%d/%m/%Y") if self.lang == "fr" else value.isoformat()

    def draw(self) -> list[bytes]:
        self._title()
        self._parties()
        if self.e.invoicer is not None:
            self._mandate()
        self._lines()
        self._totals()
        self._mentions()
        return self._finish()

    def _title(self) -> None:
        e, t, p = self.e, self.t, self.p
        heading = t["credit_note"] if e.is_credit_note else t["title"]
        p.text(LEFT, p.y, f"{heading} {e.number}", 16, bold=True)
        p.y -= 22
        facts = [
            (t["issue_date"], self.day(e.issue_date)),
            (t["period"], f"{self.day(e.period[0])} – {self.day(e.period[1])}"),
            (t["due_date"], self.day(e.due_date)),
        ]
        if e.preceding:
            facts.append((t["preceding"], f"{e.preceding[0]} ({self.day(e.preceding[1])})"))
        if e.buyer_reference:
            facts.append((t["service_code"], e.buyer_reference))
        if e.order_reference:
            facts.append((t["commitment_number"], e.order_reference))
        facts.append((t["operation"], t["services"]))
        for label, value in facts:
            p.text(LEFT, p.y, label)
            p.text(LEFT + 120, p.y, value)
            p.y -= 11

    def _party_lines(self, party: EParty) -> list[tuple[str, bool]]:
        a = party.address
        rows = [(party.name, True), (a.line, False)]
        if a.postcode or a.city:
            rows.append((f"{a.postcode or ''} {a.city or ''}".strip(), False))
        rows.append((a.country, False))
        if party.siren:
            rows.append((f"SIREN {party.siren}", False))
        if party.siret:
            rows.append((f"SIRET {party.siret}", False))
        if party.vat_number:
            rows.append((f"{self.t['vat_number']} {party.vat_number}", False))
        if party.legal_details:
            rows += [(line, False) for line in self.p.wrap(party.legal_details, 230, 8.5)]
        return rows

    def _parties(self) -> None:
        p = self.p
        p.y -= 8
        width = (RIGHT - LEFT - 16) / 2
        blocks = [
            (self.t["seller"], self._party_lines(self.e.seller)),
            (self.t["buyer"], self._party_lines(self.e.buyer)),
        ]
        height = 20 + 11 * max(len(rows) for _, rows in blocks)
        top = p.y
        for i, (role, rows) in enumerate(blocks):
            x = LEFT + i * (width + 16)
            p.box(x, top - height, width, height)
            p.text(x + 7, top - 12, role.upper(), 7.5, bold=True)
            y = top - 24
            for text, bold in rows:
                p.text(x + 7, y, text, 8.5, bold)
                y -= 11
        p.y = top - height - 16

    def _mandate(self) -> None:
        p, e = self.p, self.e
        assert e.invoicer is not None
        text = self.t["mandate"].format(invoicer=e.invoicer.name, seller=e.seller.name)
        rows = p.wrap(text, RIGHT - LEFT - 10, 8.5)
        p.rule(LEFT + 1, p.y + 8, LEFT + 1, p.y - 11 * len(rows) + 8, weight=2)
        for row in rows:
            p.text(LEFT + 8, p.y, row)
            p.y -= 11
        p.y -= 6

    def _header(self) -> None:
        p, t = self.p, self.t
        p.text(LEFT, p.y, t["description"], 7.5, bold=True)
        for key, edge in COLUMNS:
            p.right(edge, p.y, t[key], 7.5, bold=True)
        p.rule(LEFT, p.y - 3, RIGHT, p.y - 3, weight=0.8)
        p.y -= 14

    def _lines(self) -> None:
        p = self.p
        p.need(40)
        self._header()
        p.on_new_page = self._header
        for line in self.e.lines:
            rows = p.wrap(line.name, DESCRIPTION_WIDTH, 8.5)
            p.need(11 * len(rows) + 4)
            cells = (
                self.number(line.quantity),
                f"{self.number(line.unit_price)} {self.e.currency}",
                f"{self.number(line.vat_rate)} %",
                self.money(line.net_amount),
            )
            for (_, edge), cell in zip(COLUMNS, cells, strict=True):
                p.right(edge, p.y, cell)
            for row in rows:
                p.text(LEFT, p.y, row)
                p.y -= 11
            p.rule(LEFT, p.y + 7, RIGHT, p.y + 7, grey=True, weight=0.3)
            p.y -= 3
        p.on_new_page = None

    def _totals(self) -> None:
        p, t, e = self.p, self.t, self.e
        rows = [(t["total_excl"], self.money(e.tax_basis), False)]
        for g in e.vat_groups:
            reverse = f" ({t['reverse_charge']})" if g.exemption_reason else ""
            label = f"{t['vat']} {self.number(g.rate)} %{reverse} {t['on']} {self.money(g.base)}"
            rows.append((label, self.money(g.amount), False))
        rows += [(t["total_incl"], self.money(e.grand_total), True)]
        rows += [(t["due"], self.money(e.due_payable), False)]
        p.need(14 * len(rows) + 10)
        p.y -= 6
        for label, value, bold in rows:
            if bold:
                p.rule(330, p.y + 10, RIGHT, p.y + 10, weight=0.8)
            p.text(330, p.y, label, 8.5, bold)
            p.right(RIGHT, p.y, value, 8.5, bold)
            p.y -= 13

    def _mentions(self) -> None:
        p, e = self.p, self.e
        p.y -= 10
        texts = [e.payment_terms] if e.payment_terms else []
        texts += [
            n.text for n in e.notes if n.subject != "BAR" and not n.text.startswith(MANDATE_OPENING)
        ]
        for text in texts:
            rows = p.wrap(text, RIGHT - LEFT, 7.5)
            p.need(10 * len(rows) + 4)
            for row in rows:
                p.text(LEFT, p.y, row, 7.5)
                p.y -= 10
            p.y -= 4

    def _finish(self) -> list[bytes]:
        total = len(self.p.pages)
        streams = []
        for number, ops in enumerate(self.p.pages, start=1):
            footer = f"{self.e.number} — {number} / {total}"
            width = self.p.width(footer, 7.5)
            ops.append(
                b"BT /R 7.5 Tf %.2f 30 Td (%s) Tj ET" % ((WIDTH - width) / 2, _escape(footer))
            )
            streams.append(b"\n".join(ops))
        return streams


def invoice_pdf(invoice: EInvoice, lang: str = "fr", attachment: Attachment | None = None) -> bytes:
    """The readable invoice as PDF/A-3b; with ``attachment``, the Factur-X."""
    pages = _Layout(invoice, lang).draw()
    author = invoice.invoicer.name if invoice.invoicer else invoice.seller.name
    heading = LABELS[lang]["credit_note" if invoice.is_credit_note else "title"]
    meta = Meta(
        title=f"{heading} {invoice.number}",
        author=author,
        subject=f"{invoice.seller.name} → {invoice.buyer.name}",
        lang="fr-FR" if lang == "fr" else "en-GB",
        produced=invoice.issue_date,
    )
    return pdf_bytes(pages, {"R": font("regular"), "B": font("bold")}, meta, attachment)
