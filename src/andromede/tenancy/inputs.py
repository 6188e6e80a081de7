"""What a partner or a customer is created from, as the entry points hand it over. Pure."""

from dataclasses import dataclass

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


@dataclass(frozen=True)
class CustomerInput:
    name: str
    country: str
    address: str
    siren: str | None = None
    vat_number: str | None = None
    public_sector: bool = False
