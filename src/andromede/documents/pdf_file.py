"""A PDF/A-3b file written object by object: pages of text and rules in the embedded fonts,
the sRGB output intent, XMP metadata, and for a Factur-X the CII attached as
``factur-x.xml`` (``/AF``, relationship ``Data``) with the Factur-X XMP extension schema.

Everything in the file comes from its inputs, the production date included (the
invoice's issue date): the same invoice gives the same bytes, every time, anywhere."""

import hashlib
import importlib.util
import zlib
from dataclasses import dataclass
from datetime import date
from functools import cache
from pathlib import Path

from andromede.documents.fonts import FIRST, Font

__all__ = ["Attachment", "Meta", "pdf_bytes"]

PRODUCER = "Andromède"
FACTURX_NS = "urn:factur-x:pdfa:CrossIndustryDocument:invoice:1p0#"


@dataclass(frozen=True)
class Attachment:
    name: str  # factur-x.xml
    data: bytes
    level: str  # the Factur-X conformance level named in the XMP: EN 16931, EXTENDED


@dataclass(frozen=True)
class Meta:
    title: str
    author: str
    subject: str
    lang: str  # fr-FR
    produced: date


def _literal(text: str) -> bytes:
    """A PDF text string: UTF-16 with its BOM, escaped, safe for any character."""
    raw = b"\xfe\xff" + text.encode("utf-16-be")
    escaped = raw.replace(b"\\", b"\\\\").replace(b"(", b"\\(").replace(b")", b"\\)")
    return b"(" + escaped + b")"


def _pdf_date(day: date) -> bytes:
    return f"(D:{day:%Y%m%d}000000Z)".encode()


def _xml_escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _xmp(meta: Meta, attachment: Attachment | None) -> bytes:
    when = f"{meta.produced.isoformat()}T00:00:00Z"
    factur_x = ""
    if attachment is not None:
        factur_x = f"""
  <rdf:Description rdf:about="" xmlns:fx="{FACTURX_NS}">
   <fx:DocumentType>INVOICE</fx:DocumentType>
   <fx:DocumentFileName>{attachment.name}</fx:DocumentFileName>
   <fx:Version>1.0</fx:Version>
   <fx:ConformanceLevel>{attachment.level}</fx:ConformanceLevel>
  </rdf:Description>
  <rdf:Description rdf:about="" xmlns:pdfaExtension="http://www.aiim.org/pdfa/ns/extension/"
    xmlns:pdfaSchema="http://www.aiim.org/pdfa/ns/schema#"
    xmlns:pdfaProperty="http://www.aiim.org/pdfa/ns/property#">
   <pdfaExtension:schemas><rdf:Bag><rdf:li rdf:parseType="Resource">
    <pdfaSchema:schema>Factur-X PDFA Extension Schema</pdfaSchema:schema>
    <pdfaSchema:namespaceURI>{FACTURX_NS}</pdfaSchema:namespaceURI>
    <pdfaSchema:prefix>fx</pdfaSchema:prefix>
    <pdfaSchema:property><rdf:Seq>{
            "".join(
                _xmp_property(n, d)
                for n, d in (
                    ("DocumentFileName", "The name of the embedded XML document"),
                    (
                        "DocumentType",
                        "The type of the hybrid document in capital letters, e.g. INVOICE",
                    ),
                    (
                        "Version",
                        "The version of the standard applying to the embedded XML document",
                    ),
                    ("ConformanceLevel", "The conformance level of the embedded XML document"),
                )
            )
        }</rdf:Seq></pdfaSchema:property>
   </rdf:li></rdf:Bag></pdfaExtension:schemas>
  </rdf:Description>"""
    return f"""<?xpacket begin="\ufeff" id="W5M0MpCehiHzreSzNTczkc9d"?>
<x:xmpmeta xmlns:x="adobe:ns:meta/">
 <rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
  <rdf:Description rdf:about="" xmlns:pdfaid="http://www.aiim.org/pdfa/ns/id/">
   <pdfaid:part>3</pdfaid:part>
   <pdfaid:conformance>B</pdfaid:conformance>
  </rdf:Description>
  <rdf:Description rdf:about="" xmlns:dc="http://purl.org/dc/elements/1.1/">
   <dc:title>{_alt(meta.title)}</dc:title>
   <dc:creator><rdf:Seq><rdf:li>{_xml_escape(meta.author)}</rdf:li></rdf:Seq></dc:creator>
   <dc:description>{_alt(meta.subject)}</dc:description>
  </rdf:Description>
  <rdf:Description rdf:about="" xmlns:pdf="http://ns.adobe.com/pdf/1.3/">
   <pdf:Producer>{PRODUCER}</pdf:Producer>
  </rdf:Description>
  <rdf:Description rdf:about="" xmlns:xmp="http://ns.adobe.com/xap/1.0/">
   <xmp:CreatorTool>{PRODUCER}</xmp:CreatorTool>
   <xmp:CreateDate>{when}</xmp:CreateDate>
   <xmp:ModifyDate>{when}</xmp:ModifyDate>
  </rdf:Description>{factur_x}
 </rdf:RDF>
</x:xmpmeta>
<?xpacket end="w"?>""".encode()


def _alt(text: str) -> str:
    return f'<rdf:Alt><rdf:li xml:lang="x-default">{_xml_escape(text)}</rdf:li></rdf:Alt>'


def _xmp_property(name: str, description: str) -> str:
    return (
        '<rdf:li rdf:parseType="Resource"><pdfaProperty:name>'
        f"{name}</pdfaProperty:name><pdfaProperty:valueType>Text</pdfaProperty:valueType>"
        "<pdfaProperty:category>external</pdfaProperty:category>"
        f"<pdfaProperty:description>{description}</pdfaProperty:description></rdf:li>"
    )


class _Writer:
    def __init__(self) -> None:
        self.objects: list[bytes] = []

    def reserve(self) -> int:
        self.objects.append(b"")
        return len(self.objects)

    def set(self, number: int, body: bytes) -> int:
        self.objects[number - 1] = body
        return number

    def add(self, body: bytes) -> int:
        return self.set(self.reserve(), body)

    def stream(self, data: bytes, entries: bytes = b"", *, deflate: bool = True) -> int:
        payload = zlib.compress(data, 6) if deflate else data
        flate = b"/Filter /FlateDecode " if deflate else b""
        head = b"<< " + entries + flate + b"/Length %d >>" % len(payload)
        return self.add(head + b"\nstream\n" + payload + b"\nendstream")

    def raw_stream(self, payload: bytes, entries: bytes) -> int:
        head = b"<< " + entries + b"/Length %d >>" % len(payload)
        return self.add(head + b"\nstream\n" + payload + b"\nendstream")

    def serialize(self, root: int, info: int) -> bytes:
        out = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
        offsets = []
        for number, body in enumerate(self.objects, start=1):
            offsets.append(len(out))
            out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
        digest = hashlib.md5(bytes(out), usedforsecurity=False).hexdigest().encode()
        xref = len(out)
        out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(self.objects) + 1)
        out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
        out += b"trailer\n<< /Size %d /Root %d 0 R /Info %d 0 R /ID [<%s> <%s>] >>\n" % (
            len(self.objects) + 1,
            root,
            info,
            digest,
            digest,
        )
        out += b"startxref\n%d\n%%%%EOF\n" % xref
        return bytes(out)


def _font(writer: _Writer, font: Font) -> int:
    program = writer.raw_stream(
        font.program, b"/Filter /FlateDecode /Length1 %d " % font.program_length
    )
    descriptor = writer.add(
        b"<< /Type /FontDescriptor /FontName /%s /Flags 32 /FontBBox [%d %d %d %d] "
        b"/ItalicAngle 0 /Ascent %d /Descent %d /CapHeight %d /StemV %d /FontFile2 %d 0 R >>"
        % (
            font.name.encode(),
            *font.bbox,
            font.ascent,
            font.descent,
            font.cap_height,
            font.stem_v,
            program,
        )
    )
    widths = b" ".join(b"%d" % w for w in font.widths)
    return writer.add(
        b"<< /Type /Font /Subtype /TrueType /BaseFont /%s /FirstChar %d /LastChar %d "
        b"/Widths [%s] /FontDescriptor %d 0 R /Encoding /WinAnsiEncoding >>"
        % (font.name.encode(), FIRST, FIRST + len(font.widths) - 1, widths, descriptor)
    )


@cache
def _icc() -> bytes:
    """The sRGB profile of the output intent, as WeasyPrint (a dependency) ships it, read
    from its folder without importing it (which would parse its stylesheets and look for
    system libraries a directly drawn PDF does not need)."""
    spec = importlib.util.find_spec("weasyprint")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("WeasyPrint is not installed: it ships the sRGB profile")
    folder = Path(next(iter(spec.submodule_search_locations)))
    return (folder / "pdf" / "sRGB2014.icc").read_bytes()


def pdf_bytes(
    pages: list[bytes], fonts: dict[str, Font], meta: Meta, attachment: Attachment | None
) -> bytes:
    """``pages``: each page's content stream (A4), using the fonts by their keys."""
    w = _Writer()
    catalog, page_tree = w.reserve(), w.reserve()
    font_refs = b" ".join(b"/%s %d 0 R" % (k.encode(), _font(w, f)) for k, f in fonts.items())
    kids = []
    for content in pages:
        stream = w.stream(content)
        kids.append(
            w.add(
                b"<< /Type /Page /Parent %d 0 R /MediaBox [0 0 595.28 841.89] "
                b"/Resources << /Font << %s >> >> /Contents %d 0 R >>"
                % (page_tree, font_refs, stream)
            )
        )
    w.set(
        page_tree,
        b"<< /Type /Pages /Kids [%s] /Count %d >>"
        % (b" ".join(b"%d 0 R" % k for k in kids), len(kids)),
    )
    icc = w.stream(_icc(), b"/N 3 ")
    intent = w.add(
        b"<< /Type /OutputIntent /S /GTS_PDFA1 /OutputConditionIdentifier (sRGB IEC61966-2.1) "
        b"/Info (sRGB IEC61966-2.1) /DestOutputProfile %d 0 R >>" % icc
    )
    metadata = w.stream(_xmp(meta, attachment), b"/Type /Metadata /Subtype /XML ", deflate=False)
    extra = b""
    if attachment is not None:
        name = attachment.name.encode()
        embedded = w.stream(
            attachment.data,
            b"/Type /EmbeddedFile /Subtype /text#2Fxml /Params << /ModDate %s /Size %d >> "
            % (_pdf_date(meta.produced), len(attachment.data)),
        )
        spec = w.add(
            b"<< /Type /Filespec /F (%s) /UF (%s) /EF << /F %d 0 R /UF %d 0 R >> "
            b"/AFRelationship /Data /Desc (Factur-X invoice) >>" % (name, name, embedded, embedded)
        )
        extra = b"/AF [%d 0 R] /Names << /EmbeddedFiles << /Names [(%s) %d 0 R] >> >> " % (
            spec,
            name,
            spec,
        )
    w.set(
        catalog,
        b"<< /Type /Catalog /Pages %d 0 R /Metadata %d 0 R /OutputIntents [%d 0 R] /Lang %s %s>>"
        % (page_tree, metadata, intent, _literal(meta.lang), extra),
    )
    info = w.add(
        b"<< /Title %s /Author %s /Subject %s /Creator %s /Producer %s "
        b"/CreationDate %s /ModDate %s >>"
        % (
            _literal(meta.title),
            _literal(meta.author),
            _literal(meta.subject),
            _literal(PRODUCER),
            _literal(PRODUCER),
            _pdf_date(meta.produced),
            _pdf_date(meta.produced),
        )
    )
    return w.serialize(catalog, info)
