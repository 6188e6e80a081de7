"""An e-invoice as plain data, in the vocabulary of EN 16931 (the BT numbers name the
business terms): what the CII and UBL writers and the readable PDF all read, so the three
can never disagree about an amount."""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

__all__ = ["Address", "EInvoice", "ELine", "EParty", "Note", "VatGroup"]

INVOICE = "380"  # commercial invoice
CREDIT_NOTE = "381"
EN16931 = "urn:cen.eu:en16931:2017"
EXTENDED_CTC_FR = "urn:cen.eu:en16931:2017#conformant#urn.cpro.gouv.fr:1p0:extended-ctc-fr"


@dataclass(frozen=True)
class Address:
    line: str
    postcode: str | None
    city: str | None
    country: str


@dataclass(frozen=True)
class EParty:
    name: str
    address: Address
    siren: str | None = None  # BT-30 / BT-47, scheme 0002
    siret: str | None = None  # BT-29 / BT-46, scheme 0009
    vat_number: str | None = None  # BT-31 / BT-48
    legal_details: str | None = None  # BT-33: legal form, capital, registry
    endpoint: tuple[str, str] | None = None  # BT-34 / BT-49: (scheme, identifier)


@dataclass(frozen=True)
class ELine:
    position: int
    name: str
    sku: str
    quantity: Decimal
    unit_code: str  # UN/ECE Rec 20: HUR hours, C62 one, GB-month as E49? see from_invoice
    unit_price: Decimal  # net price, up to 6 decimals
    net_amount: Decimal  # BT-131, to the cent
    vat_category: str  # S standard, AE reverse charge
    vat_rate: Decimal  # percent, e.g. 20.00


@dataclass(frozen=True)
class VatGroup:
    category: str
    rate: Decimal  # percent
    base: Decimal
    amount: Decimal
    exemption_reason: str | None = None
    exemption_code: str | None = None


@dataclass(frozen=True)
class Note:
    subject: str  # UNTDID 4451: PMT, PMD, AAB, BAR, REG, ...
    text: str


@dataclass(frozen=True)
class EInvoice:
    number: str  # BT-1
    type_code: str  # BT-3
    issue_date: date  # BT-2
    due_date: date  # BT-9
    period: tuple[date, date]  # BG-14
    currency: str  # BT-5
    profile: str  # BT-24
    business_process: str  # BT-23 "cadre de facturation": S1 services, ordinary invoice
    seller: EParty
    buyer: EParty
    invoicer: EParty | None  # EXT-FR-FE-BG-05: who issues under a billing mandate
    lines: tuple[ELine, ...]
    vat_groups: tuple[VatGroup, ...]
    notes: tuple[Note, ...]
    line_total: Decimal  # BT-106
    tax_basis: Decimal  # BT-109
    vat_total: Decimal  # BT-110
    grand_total: Decimal  # BT-112
    due_payable: Decimal  # BT-115
    vat_on_debits: bool  # BT-8: VAT due at issue (CII 5, UBL 3)
    buyer_reference: str | None = None  # BT-10: Chorus Pro service code
    order_reference: str | None = None  # BT-13: commitment number
    preceding: tuple[str, date] | None = None  # BT-25 / BT-26 on a credit note
    payment_terms: str | None = None  # BT-20

    @property
    def is_credit_note(self) -> bool:
        return self.type_code == CREDIT_NOTE
