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


def canonical(values: dict[str, Any]) -> bytes:
    """Sorted keys, no spaces, times as ISO 8601 UTC: the same entry always gives the
    same bytes, whichever database stored it."""
    doc = {}
    for name in FIELDS:
        value = values.get(name)
        doc[name] = value.astimezone(UTC).isoformat() if isinstance(value, datetime) else value
    return json.dumps(doc, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()
