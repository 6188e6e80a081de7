"""What a user may set on a server, checked as Nova checks it. Pure."""

import ipaddress
from dataclasses import dataclass

from andromede.kernel.errors import ValidationFailed

__all__ = [
    "MAX_TAGS",
    "MAX_TAG_LENGTH",
    "UNSET",
    "RebuildChanges",
    "clean_tags",
    "description_field",
    "ip_field",
    "metadata_field",
]

MAX_TAGS = 50  # as Nova
MAX_TAG_LENGTH = 60
UNSET: object = object()  # a field the request did not name (None would clear it)


@dataclass(frozen=True)
class RebuildChanges:
    """What a rebuild may change besides the image, name and metadata, each from a
    microversion on: the description (2.19), the keypair (2.54, None to remove it), the
    user data (2.57, None to remove it)."""

    description: object = UNSET
    key_name: object = UNSET
    user_data: object = UNSET


def description_field(value: object) -> str | None:
    """Nova's: up to 255 printable characters, or none."""
    if value is None:
        return None
    if not isinstance(value, str) or len(value) > 255:
        raise ValidationFailed.one("description", "text of at most 255 characters")
    if not all(c.isprintable() or c in "\n\t" for c in value):
        raise ValidationFailed.one("description", "printable characters only")
    return value


def clean_tags(tags: list[str]) -> list[str]:
    """Nova's rules: at most 50, each 1 to 60 printable characters without ``,`` or
    ``/``; duplicates fold into one; kept sorted."""
    if not all(isinstance(t, str) for t in tags):
        raise ValidationFailed.one("tags", "each tag is a string")
    found = sorted({t.strip() for t in tags})
    if len(found) > MAX_TAGS:
        raise ValidationFailed.one("tags", f"at most {MAX_TAGS} tags on a server")
    for tag in found:
        if not tag or len(tag) > MAX_TAG_LENGTH or not tag.isprintable():
            raise ValidationFailed.one(
                "tags", f"a tag is 1 to {MAX_TAG_LENGTH} printable characters"
            )
        if "," in tag or "/" in tag:
            raise ValidationFailed.one("tags", f"a tag holds no ',' or '/': {tag!r}")
    return found


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
