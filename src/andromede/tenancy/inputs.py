"""What a partner or a customer is created from, as the entry points hand it over. Pure."""

from dataclasses import dataclass
from datetime import date

__all__ = ["PARTNER_KINDS", "PARTNER_TIERS", "CustomerInput", "PartnerInput"]

PARTNER_KINDS = ("reseller", "msp", "isv", "house")
PARTNER_TIERS = ("registered", "silver", "gold", "platinum", "house")


@dataclass(frozen=True)
class PartnerInput:
    name: str
    kind: str
    tier: str
    country: str
    address: str
    siren: str | None = None
    vat_number: str | None = None
    invoice_prefix: str | None = None
    billing_mandate_accepted_on: date | None = None
    vat_on_debits: bool = False


@dataclass(frozen=True)
class CustomerInput:
    name: str
    country: str
    address: str
    siren: str | None = None
    vat_number: str | None = None
    public_sector: bool = False
    siret: str | None = None
    service_code: str | None = None
    commitment_number: str | None = None
    requires_service_code: bool = False
    requires_commitment_number: bool = False
