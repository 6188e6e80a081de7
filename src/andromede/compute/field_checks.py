"""The checks of the plain fields Neutron's resources share (names, descriptions, flags),
with Neutron's wording, so each resource's service states only what is its own."""

from andromede.kernel.errors import ValidationFailed
from andromede.kernel.names import display_name

__all__ = ["flag", "text"]


def text(field: str, value: object, limit: int = 255) -> str:
    """A name or description: empty when absent, else a displayable string."""
    if value is None or value == "":
        return ""
    if not isinstance(value, str):
        raise ValidationFailed.one(field, "must be a string")
    return display_name(field, value, limit)


def flag(field: str, value: object) -> bool:
    if not isinstance(value, bool):
        raise ValidationFailed.one(field, f"'{value}' is not a valid boolean value")
    return value
