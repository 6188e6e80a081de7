"""What e-invoicing asks of partners and customers, checked at the door. Pure.

- An invoice number is at most 20 characters for Chorus Pro and uses only letters, digits
  and ``+ - _ /`` (BR-FR-02): the issuer's prefix is 1 to 8 capitals or digits, which
  leaves room for ``-YYYY-NNNNNN``.
- A SIRET is 14 digits, Luhn-valid, and starts with the entity's SIREN (BR-FR-09).
- Chorus Pro's service code (BT-10) and commitment number (BT-13) are short references of
  printable characters.
"""

import re

from stdnum.exceptions import ValidationError
from stdnum.fr import siret as fr_siret

from andromede.kernel.errors import FieldError

__all__ = ["check_prefix", "check_reference", "check_siret", "chorus_fields", "default_prefix"]

PREFIX = re.compile(r"^[A-Z0-9]{1,8}$")
RESERVED_PREFIXES = frozenset({"AND"})  # the operator's own
REFERENCE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9 ._/+-]*$")
REFERENCE_LIMITS = {"service_code": 100, "commitment_number": 50}


def default_prefix(partner_id: str) -> str:
    """ "P" and six characters of the partner's id: 19-character numbers."""
    return "P" + partner_id.replace("-", "")[:6].upper()


def check_prefix(prefix: str) -> list[FieldError]:
    if not PREFIX.match(prefix):
        return [FieldError("invoice_prefix", "1 to 8 capital letters or digits")]
    if prefix in RESERVED_PREFIXES:
        return [FieldError("invoice_prefix", f"{prefix} is the operator's prefix")]
    return []


def check_siret(siret: str, siren: str | None) -> list[FieldError]:
    compact = "".join(siret.split())
    try:
        fr_siret.validate(compact)
    except ValidationError:
        return [FieldError("siret", "a SIRET is 14 digits with a valid check digit")]
    if siren and not compact.startswith(siren):
        return [FieldError("siret", "a SIRET starts with the SIREN of the same entity")]
    return []


def check_reference(field: str, value: str) -> list[FieldError]:
    limit = REFERENCE_LIMITS[field]
    if len(value) > limit or not REFERENCE.match(value):
        return [FieldError(field, f"up to {limit} letters, digits, spaces and . _ / + -")]
    return []


def chorus_fields(
    values: dict[str, str | None], siren: str | None = None
) -> tuple[dict[str, str | None], list[FieldError]]:
    """SIRET and Chorus Pro references, spaces trimmed, each checked; an empty value
    clears one."""
    checked: dict[str, str | None] = {}
    errors: list[FieldError] = []
    for field, raw in values.items():
        value = " ".join(raw.split()) if raw else None
        if value and field == "siret":
            value = value.replace(" ", "")
            errors.extend(check_siret(value, siren))
        elif value:
            errors.extend(check_reference(field, value))
        checked[field] = value
    return checked, errors
