"""The fields a customer writes on volumes, snapshots and backups, checked as Cinder
checks them: an optional name, a short description, string metadata."""

from andromede.kernel.errors import ValidationFailed
from andromede.kernel.names import display_name

__all__ = ["description_field", "metadata_field", "name_field"]

MAX_METADATA = 128


def name_field(value: object) -> str:
    if value is None or value == "":
        return ""
    return display_name("name", value, 255)


def description_field(value: object) -> str:
    if value is None:
        return ""
    if not isinstance(value, str) or len(value) > 255:
        raise ValidationFailed.one("description", "text of at most 255 characters")
    return value


def metadata_field(value: object) -> dict[str, str]:
    if value is None:
        return {}
    if not isinstance(value, dict) or len(value) > MAX_METADATA:
        raise ValidationFailed.one("metadata", f"an object of at most {MAX_METADATA} keys")
    for key, item in value.items():
        if not (isinstance(key, str) and isinstance(item, str)):
            raise ValidationFailed.one("metadata", "keys and values must be text")
        if not 1 <= len(key) <= 255 or len(item) > 255:
            raise ValidationFailed.one(
                "metadata", "keys of 1 to 255, values of at most 255 characters"
            )
    return dict(value)
