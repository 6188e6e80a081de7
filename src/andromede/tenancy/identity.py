"""Legal identity of businesses: SIREN and VAT numbers, checked offline.

Business only: every partner and customer is a legal entity of an EU member state. A
French entity needs a Luhn-valid SIREN and an FR VAT number whose key matches it; other
member states need a valid VAT number of their own country. python-stdnum holds the
per-country check algorithms (a pure library, no I/O).
"""

from dataclasses import dataclass

from stdnum.eu import vat as eu_vat
from stdnum.exceptions import ValidationError
from stdnum.fr import siren as fr_siren

from andromede.kernel.errors import FieldError

__all__ = ["EU_COUNTRIES", "LegalIdentity", "check_identity", "fr_vat_key"]

EU_COUNTRIES = frozenset(
    "AT BE BG CY CZ DE DK EE ES FI FR GR HR HU IE IT LT LU LV MT NL PL PT RO SE SI SK".split()
)


@dataclass(frozen=True)
class LegalIdentity:
    country: str
    siren: str | None
    vat_number: str | None


def fr_vat_key(siren: str) -> str:
    """The two-digit key of a French VAT number: (12 + 3 × (SIREN mod 97)) mod 97."""
    return f"{(12 + 3 * (int(siren) % 97)) % 97:02d}"


def _compact(value: str | None) -> str | None:
    if value is None:
        return None
    cleaned = "".join(value.split()).replace(".", "").replace("-", "").upper()
    return cleaned or None


def _check_fr(siren: str | None, vat: str | None) -> list[FieldError]:
    errors: list[FieldError] = []
    if siren is None:
        errors.append(FieldError("siren", "a French entity needs a SIREN"))
    elif not (len(siren) == 9 and siren.isdigit()):
        errors.append(FieldError("siren", "a SIREN is 9 digits"))
    else:
        try:
            fr_siren.validate(siren)
        except ValidationError:
            errors.append(FieldError("siren", "SIREN check digit (Luhn) is wrong"))
    if vat is None:
        errors.append(FieldError("vat_number", "a French entity needs an intra-EU VAT number"))
    elif not (len(vat) == 13 and vat.startswith("FR") and vat[2:].isdigit()):
        errors.append(FieldError("vat_number", "a French VAT number is FR + 2-digit key + SIREN"))
    elif siren is not None and not errors:
        if vat[4:] != siren:
            errors.append(FieldError("vat_number", "VAT number does not contain the SIREN"))
        elif vat[2:4] != fr_vat_key(siren):
            errors.append(FieldError("vat_number", "VAT key does not match the SIREN"))
    return errors


def _check_other(country: str, vat: str | None) -> list[FieldError]:
    if vat is None:
        return [FieldError("vat_number", "a business of an EU member state needs a VAT number")]
    if not vat.startswith(country if country != "GR" else "EL"):
        return [FieldError("vat_number", f"VAT number must start with the {country} prefix")]
    if not eu_vat.is_valid(vat):
        return [FieldError("vat_number", "VAT number is not valid")]
    return []


def check_identity(
    country: str, siren: str | None, vat_number: str | None
) -> tuple[LegalIdentity, list[FieldError]]:
    """Normalises the identifiers and lists every field that is wrong (empty list: valid)."""
    country = (country or "").strip().upper()
    siren_c, vat_c = _compact(siren), _compact(vat_number)
    identity = LegalIdentity(country, siren_c, vat_c)
    if country not in EU_COUNTRIES:
        return identity, [FieldError("country", "must be an EU member state (ISO 3166-1 alpha-2)")]
    if country == "FR":
        return identity, _check_fr(siren_c, vat_c)
    if siren_c is not None:
        return identity, [FieldError("siren", "a SIREN only exists for French entities")]
    return identity, _check_other(country, vat_c)
