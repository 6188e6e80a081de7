"""Which passwords are accepted: NIST SP 800-63B rev. 4 (5.1.1.2), no composition rules.

At least 15 characters for an account whose password is its only factor, 8 where a second
factor is in force; up to 256 (well past the 64 the guideline asks to allow); any Unicode,
compared after NFC normalisation (the same password typed on two keyboards is the same
password); refused if it is a known common or breached password (the 30,000-entry list
zxcvbn ships, from public breach corpora), one character repeated, the username or the
service's name."""

import unicodedata
from functools import cache

from zxcvbn.frequency_lists import FREQUENCY_LISTS

from andromede.kernel.errors import ValidationFailed

__all__ = ["MAX_LENGTH", "MIN_WITHOUT_MFA", "MIN_WITH_MFA", "acceptable_password", "normal"]

MIN_WITHOUT_MFA = 15
MIN_WITH_MFA = 8
MAX_LENGTH = 256
SERVICE_WORDS = frozenset({"andromede", "andromède", "andromede-cloud"})


@cache
def _blocklist() -> frozenset[str]:
    return frozenset(FREQUENCY_LISTS["passwords"])


def normal(password: str) -> str:
    """What is hashed and verified: NFC, nothing else (no trimming, no case folding)."""
    return unicodedata.normalize("NFC", password)


def acceptable_password(password: object, *, username: str, second_factor: bool) -> str:
    """The normalised password, or a field error saying why it is refused."""
    if not isinstance(password, str):
        raise ValidationFailed.one("password", "must be text")
    value = normal(password)
    minimum = MIN_WITH_MFA if second_factor else MIN_WITHOUT_MFA
    if not minimum <= len(value) <= MAX_LENGTH:
        raise ValidationFailed.one(
            "password", f"must be {minimum} to {MAX_LENGTH} characters (a passphrase works)"
        )
    folded = value.casefold()
    if folded in _blocklist() or len(set(folded)) == 1:
        raise ValidationFailed.one("password", "is a commonly used or breached password")
    if folded in {username.casefold(), *SERVICE_WORDS}:
        raise ValidationFailed.one("password", "must not be the username or the service name")
    return value
