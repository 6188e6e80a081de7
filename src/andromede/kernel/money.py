"""Money is Decimal, rounded once, half-up, to the cent. Floats are refused at the door."""

from decimal import ROUND_HALF_UP, Decimal

__all__ = ["CENT", "round_cents", "to_decimal"]

CENT = Decimal("0.01")


def to_decimal(value: Decimal | int | str) -> Decimal:
    """Converting through ``str`` keeps what the user wrote; a float would carry binary noise."""
    if isinstance(value, float):
        raise TypeError("money must not be a float")
    return value if isinstance(value, Decimal) else Decimal(value)


def round_cents(amount: Decimal) -> Decimal:
    return amount.quantize(CENT, rounding=ROUND_HALF_UP)
