"""Bounds of every number, amount, instant and cursor a request may carry, in one place.

Both faces (the native API's schemas and the OpenStack face's hand-read bodies) and the
services check against these, so a value the database cannot hold (an integer past 64
bits, ``1e1000``, year 9999) is refused as a field error before any row is touched.
"""

import re
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation

from andromede.kernel.errors import FieldError, ValidationFailed

__all__ = [
    "AMOUNT_MAX",
    "COUNT_MAX",
    "INSTANT_MAX",
    "INSTANT_MIN",
    "INT32_MAX",
    "RATE_PLACES",
    "SEQ_MAX",
    "bounded_decimal",
    "bounded_instant",
    "bounded_int",
    "positive",
]

INT32_MAX = 2**31 - 1  # an Integer column on both engines
SEQ_MAX = 2**63 - 1  # a BigInteger column (audit sequence numbers, cursors)
COUNT_MAX = 10_000  # servers of one reservation, months of one commitment, …
AMOUNT_MAX = Decimal("999999999999.99")  # fits Numeric(16, 2) with room for sums
RATE_PLACES = 8  # prices are stored as Numeric(18, 8)
INSTANT_MIN = datetime(2000, 1, 1, tzinfo=UTC)
INSTANT_MAX = datetime(2199, 12, 31, 23, 59, 59, tzinfo=UTC)
_INTEGER = re.compile(r"[+-]?[0-9]+")  # ASCII digits only: int() also reads "²" and "٣"


def bounded_int(field: str, value: object, *, low: int = 0, high: int = INT32_MAX) -> int:
    """A whole number in [low, high]; text of digits is accepted (query strings, Nova
    bodies), booleans and fractions are not."""
    if isinstance(value, bool):
        raise ValidationFailed.one(field, "must be an integer")
    if isinstance(value, str):
        text = value.strip()
        if not _INTEGER.fullmatch(text) or len(text) > 30:
            raise ValidationFailed.one(field, "must be an integer")
        value = int(text)
    if not isinstance(value, int):
        raise ValidationFailed.one(field, "must be an integer")
    if not low <= value <= high:
        raise ValidationFailed.one(field, f"must be between {low} and {high}")
    return value


def bounded_decimal(
    field: str,
    value: object,
    *,
    low: Decimal = Decimal(0),
    high: Decimal = AMOUNT_MAX,
    places: int = RATE_PLACES,
) -> Decimal:
    """An exact decimal in [low, high] with at most ``places`` decimals. Floats are
    refused (money never passes through binary floating point)."""
    if isinstance(value, bool | float) or not isinstance(value, str | int | Decimal):
        raise ValidationFailed.one(field, "must be a decimal number written as a string")
    text = str(value).strip()
    if len(text) > 40:
        raise ValidationFailed.one(field, "must be a decimal number of at most 40 characters")
    try:
        parsed = Decimal(text)
    except InvalidOperation:
        raise ValidationFailed.one(field, "must be a decimal number") from None
    if not parsed.is_finite():
        raise ValidationFailed.one(field, "must be a finite decimal number")
    if not low <= parsed <= high:
        raise ValidationFailed.one(field, f"must be between {low} and {high}")
    exponent = parsed.normalize().as_tuple().exponent  # trailing zeros are not places
    if isinstance(exponent, int) and -exponent > places:
        raise ValidationFailed.one(field, f"at most {places} decimal places")
    return parsed + 0  # normalises -0 and a positive exponent (1E+2 → 100)


def bounded_instant(field: str, value: datetime) -> datetime:
    """A timezone-aware instant between 2000 and 2199, in UTC."""
    if value.tzinfo is None:
        raise ValidationFailed.one(field, "must carry a time zone (e.g. Z for UTC)")
    value = value.astimezone(UTC)
    if not INSTANT_MIN <= value <= INSTANT_MAX:
        raise ValidationFailed.one(
            field, f"must be between {INSTANT_MIN.date()} and {INSTANT_MAX.date()}"
        )
    return value


def positive(errors: list[FieldError], **values: float) -> None:
    """Collects every non-positive value, so one answer names all the fields to fix."""
    for name, value in values.items():
        if value is None or value <= 0:
            errors.append(FieldError(name, "must be greater than zero"))
