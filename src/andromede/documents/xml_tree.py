"""A small helper over ``xml.etree`` for the two XML syntaxes: elements in namespace
order, amounts with two decimals, the same bytes for the same input (no time, no ids)."""

from decimal import Decimal
from xml.etree import ElementTree as ET

__all__ = ["Tree", "amount", "decimal_text"]


def amount(value: Decimal) -> str:
    return f"{value.quantize(Decimal('0.01')):f}"


def decimal_text(value: Decimal) -> str:
    """The shortest exact form: 720.5000 → 720.5, 20.00 → 20."""
    text = f"{value.normalize():f}"
    return text


class Tree:
    """Prefix-qualified element building: ``tree.add(parent, "ram:ID", "x", schemeID="0002")``."""

    def __init__(self, namespaces: dict[str, str]) -> None:
        self.namespaces = namespaces
        for prefix, uri in namespaces.items():
            ET.register_namespace(prefix, uri)

    def qname(self, name: str) -> str:
        prefix, local = name.split(":")
        return f"{{{self.namespaces[prefix]}}}{local}"

    def root(self, name: str) -> ET.Element:
        return ET.Element(self.qname(name))

    def add(
        self, parent: ET.Element, name: str, text: str | None = None, **attrs: str
    ) -> ET.Element:
        element = ET.SubElement(parent, self.qname(name), attrs)
        if text is not None:
            element.text = text
        return element

    def path(self, parent: ET.Element, names: str, text: str, **attrs: str) -> ET.Element:
        """Nested elements "a/b/c" with the text (and attributes) on the last."""
        *outer, last = names.split("/")
        for name in outer:
            parent = self.add(parent, name)
        return self.add(parent, last, text, **attrs)

    @staticmethod
    def serialize(root: ET.Element) -> bytes:
        ET.indent(root)
        data: bytes = ET.tostring(root, encoding="UTF-8", xml_declaration=True)
        return data
