"""What a user may set on a server, checked as Nova checks it. Pure."""

import ipaddress

from andromede.kernel.errors import ValidationFailed

__all__ = ["ip_field", "metadata_field"]


def ip_field(value: str, version: int, field_name: str) -> str | None:
    if value == "":
        return None
    try:
        address = ipaddress.ip_address(value)
    except ValueError:
        raise ValidationFailed.one(field_name, f"not an IPv{version} address") from None
    if address.version != version:
        raise ValidationFailed.one(field_name, f"not an IPv{version} address")
    return str(address)  # in its shortest form, as Nova answers it


def metadata_field(pairs: tuple[tuple[str, str], ...]) -> dict[str, str]:
    """Nova's limits: at most 128 items, keys and values of 1–255 and 0–255 characters."""
    if len(pairs) > 128:
        raise ValidationFailed.one("metadata", "at most 128 items")
    for key, value in pairs:
        if not 1 <= len(key) <= 255 or len(value) > 255:
            raise ValidationFailed.one("metadata", "keys of 1 to 255, values up to 255 characters")
    return dict(pairs)
