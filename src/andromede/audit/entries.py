"""The canonical bytes of an audit entry: what its Merkle leaf commits to. Pure."""

import json
from datetime import UTC, datetime
from typing import Any

__all__ = ["FIELDS", "OPTIONAL_FIELDS", "canonical"]

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
# Fields added after the first entries were written: present in the canonical bytes only
# when set, so every entry written before them keeps its leaf hash.
OPTIONAL_FIELDS = ("grant_id",)

_QUOTE = json.encoder.encode_basestring
_SORTED = tuple(sorted(FIELDS))
_WITH_GRANT = tuple(sorted(FIELDS + OPTIONAL_FIELDS))
_TEMPLATE = "{" + ",".join(f'"{name}":%s' for name in _SORTED) + "}"
_TEMPLATE_WITH_GRANT = "{" + ",".join(f'"{name}":%s' for name in _WITH_GRANT) + "}"


def _json(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, datetime):
        value = (value if value.tzinfo is UTC else value.astimezone(UTC)).isoformat()
    return str(_QUOTE(str(value)))


def canonical(values: dict[str, Any]) -> bytes:
    """Sorted keys, no spaces, times as ISO 8601 UTC: the same entry always gives the
    same bytes, whichever database stored it. (The same bytes as ``json.dumps`` with
    sorted keys and compact separators, written out directly: verification runs it a
    million times.)"""
    if values.get("grant_id") is None:
        return (_TEMPLATE % tuple(_json(values.get(name)) for name in _SORTED)).encode()
    return (_TEMPLATE_WITH_GRANT % tuple(_json(values.get(name)) for name in _WITH_GRANT)).encode()
