"""Time-based one-time passwords (RFC 6238 over RFC 4226 HOTP, HMAC-SHA1, 30 s, 6 digits):
what every authenticator app speaks. Pure: the time is given."""

import base64
import hmac
import secrets
from datetime import datetime
from urllib.parse import quote

__all__ = ["code_at", "new_secret", "otpauth_uri", "verify"]

STEP_SECONDS = 30
DIGITS = 6


def new_secret() -> str:
    """160 random bits, base32 without padding (what authenticator apps expect)."""
    return base64.b32encode(secrets.token_bytes(20)).decode().rstrip("=")


def _key(secret: str) -> bytes:
    padded = secret.upper() + "=" * (-len(secret) % 8)
    return base64.b32decode(padded)


def hotp(secret: str, counter: int) -> str:
    digest = hmac.digest(_key(secret), counter.to_bytes(8, "big"), "sha1")
    offset = digest[-1] & 0x0F
    value = int.from_bytes(digest[offset : offset + 4], "big") & 0x7FFFFFFF
    return str(value % 10**DIGITS).zfill(DIGITS)


def code_at(secret: str, at: datetime) -> str:
    return hotp(secret, int(at.timestamp()) // STEP_SECONDS)


def verify(secret: str, code: str, at: datetime, window: int = 1) -> bool:
    """Accepts the codes of the step before and after too: phones drift by a few seconds."""
    code = code.strip().replace(" ", "")
    if len(code) != DIGITS or not code.isdigit():
        return False
    step = int(at.timestamp()) // STEP_SECONDS
    return any(
        hmac.compare_digest(hotp(secret, step + delta), code)
        for delta in range(-window, window + 1)
    )


def otpauth_uri(secret: str, account: str, issuer: str) -> str:
    label = quote(f"{issuer}:{account}")
    return f"otpauth://totp/{label}?secret={secret}&issuer={quote(issuer)}&digits={DIGITS}&period={STEP_SECONDS}"
