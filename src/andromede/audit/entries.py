"""The canonical bytes of an audit entry: what its Merkle leaf commits to. Pure."""

import json
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

__all__ = [
    "FIELDS",
    "OPTIONAL_AT",
    "OPTIONAL_FIELDS",
    "ROW_ORDER",
    "canonical",
    "canonical_values",
    "iso_utc",
]

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
# when set, so every entry written before them keeps its leaf hash. ``realm`` (staff,
# partner, customer, system) and ``source`` (the client's address) came with SecNumCloud
# 12.6 (issue 21).
OPTIONAL_FIELDS = ("grant_id", "realm", "source")

# Every field in sorted order: the layout of ``canonical_values``' argument.
ROW_ORDER = tuple(sorted(FIELDS + OPTIONAL_FIELDS))
OPTIONAL_AT = tuple((ROW_ORDER.index(name), f',"{name}":') for name in OPTIONAL_FIELDS)

_QUOTE = json.encoder.encode_basestring


def _template() -> str:
    """One %s per field in ROW_ORDER; an optional field's slot carries its own key and
    comma, so that an entry without it has no trace of it."""
    parts: list[str] = []
    for name in ROW_ORDER:
        if name in OPTIONAL_FIELDS:
            parts[-1] += "%s"  # no optional field sorts first
        else:
            parts.append(f'"{name}":%s')
    return "{" + ",".join(parts) + "}"


_TEMPLATE = _template()


def iso_utc(value: datetime) -> str:
    return (value if value.tzinfo is UTC else value.astimezone(UTC)).isoformat()


def canonical(values: dict[str, Any]) -> bytes:
    """Sorted keys, no spaces, times as ISO 8601 UTC: the same entry always gives the
    same bytes, whichever database stored it (the same bytes as ``json.dumps`` with
    sorted keys and compact separators)."""
    row = []
    for name in ROW_ORDER:
        value = values.get(name)
        if isinstance(value, datetime):
            value = iso_utc(value)
        row.append(None if value is None else str(value))
    return canonical_values(row)


def canonical_values(row: Sequence[str | None]) -> bytes:
    """``canonical`` over the values alone, in ROW_ORDER, the time already in ISO form:
    verification runs this a million times, so it is written for speed."""
    quote = _QUOTE
    values = ["null" if v is None else quote(v) for v in row]
    for at, key in OPTIONAL_AT:
        values[at] = "" if row[at] is None else key + values[at]
    return (_TEMPLATE % tuple(values)).encode()
