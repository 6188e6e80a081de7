"""Identifiers: UUID4 strings everywhere, so they stay valid on the OpenStack face too."""

import uuid

__all__ = ["is_uuid", "new_id"]


def new_id() -> str:
    return str(uuid.uuid4())


def is_uuid(value: str) -> bool:
    """Lets lookups tell an id from a name without a query (name-shaped ids are common)."""
    try:
        uuid.UUID(value)
    except (ValueError, AttributeError, TypeError):
        return False
    return True
