"""The canonical bytes of an audit entry: what its Merkle leaf commits to. Pure."""

import json
from datetime import UTC, datetime
from typing import Any

__all__ = ["FIELDS", "canonical"]

FIELDS = (
    "id",
    "at",
    "actor",
    "actor_id",
    "on_behalf_of",
    "action",
    "target_type",
    "target_id",
    "tenant_path",
    "outcome",
    "request_id",
)


_SORTED = tuple(sorted(FIELDS))
_ENCODER = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False)


def canonical(values: dict[str, Any]) -> bytes:
    """Sorted keys, no spaces, times as ISO 8601 UTC: the same entry always gives the
    same bytes, whichever database stored it."""
    doc = {}
    for name in _SORTED:
        value = values.get(name)
        if isinstance(value, datetime):
            value = (value if value.tzinfo is UTC else value.astimezone(UTC)).isoformat()
        doc[name] = value
    return _ENCODER.encode(doc).encode()
