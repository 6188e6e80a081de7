"""Names people type: NFC-normalised, trimmed, bounded, and free of what makes two names
look alike while differing (control characters, bidi overrides, zero-width characters)."""

import unicodedata

from andromede.kernel.errors import ValidationFailed

__all__ = ["display_name"]

# Cc control, Cf format (bidi overrides, zero-width joiners and spaces, BOM), Cs surrogates,
# Co private use, Cn unassigned, Zl/Zp line and paragraph separators.
_REFUSED = frozenset({"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"})


def display_name(field: str, value: object, max_len: int = 200) -> str:
    """A name as stored and shown: NFC, trimmed, 1 to ``max_len`` characters, no
    invisible or direction-changing characters, not whitespace only."""
    if not isinstance(value, str):
        raise ValidationFailed.one(field, "must be text")
    name = unicodedata.normalize("NFC", value).strip()
    if not name or len(name) > max_len:
        raise ValidationFailed.one(field, f"must be 1 to {max_len} characters")
    bad = next((c for c in name if unicodedata.category(c) in _REFUSED), None)
    if bad is not None:
        raise ValidationFailed.one(
            field, f"must not contain invisible or control characters (U+{ord(bad):04X})"
        )
    return name
