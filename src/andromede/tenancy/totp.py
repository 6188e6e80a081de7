"""Time-based one-time passwords (RFC 6238, HMAC-SHA1, 30 s, 6 digits): what every
authenticator app speaks. The algorithm is pyotp's (maintained, checked against the RFC's
vectors in our tests); this module only fixes our parameters and takes the time as given,
so the business clock decides which step is current."""

from datetime import datetime

import pyotp

__all__ = ["code_at", "new_secret", "otpauth_uri", "verify"]

STEP_SECONDS = 30
DIGITS = 6


def _totp(secret: str) -> pyotp.TOTP:
    return pyotp.TOTP(secret, digits=DIGITS, interval=STEP_SECONDS)


def new_secret() -> str:
    """160 random bits, base32 (what authenticator apps expect)."""
    return pyotp.random_base32(32)


def code_at(secret: str, at: datetime) -> str:
    return _totp(secret).at(at)


def verify(secret: str, code: str, at: datetime, window: int = 1) -> bool:
    """Accepts the codes of the step before and after too: phones drift by a few seconds."""
    code = code.strip().replace(" ", "")
    if len(code) != DIGITS or not code.isdigit():
        return False
    return _totp(secret).verify(code, for_time=at, valid_window=window)


def otpauth_uri(secret: str, account: str, issuer: str) -> str:
    return _totp(secret).provisioning_uri(name=account, issuer_name=issuer)
