"""RFC 6238 appendix B vectors (SHA-1 secret "12345678901234567890"), last six digits."""

import base64
from datetime import UTC, datetime

import pytest

from andromede.tenancy import totp

SECRET = base64.b32encode(b"12345678901234567890").decode()


@pytest.mark.parametrize(
    ("unix", "code"),
    [
        (59, "287082"),
        (1111111109, "081804"),
        (1111111111, "050471"),
        (1234567890, "005924"),
        (2000000000, "279037"),
        (20000000000, "353130"),
    ],
)
def test_rfc6238_vectors(unix: int, code: str) -> None:
    at = datetime.fromtimestamp(unix, UTC)
    assert totp.code_at(SECRET, at) == code
    assert totp.verify(SECRET, code, at)


def test_neighbour_steps_pass_and_further_ones_fail() -> None:
    at = datetime.fromtimestamp(1234567890, UTC)
    previous = totp.code_at(SECRET, datetime.fromtimestamp(1234567890 - 30, UTC))
    far = totp.code_at(SECRET, datetime.fromtimestamp(1234567890 - 90, UTC))
    assert totp.verify(SECRET, previous, at)
    assert not totp.verify(SECRET, far, at)
    assert not totp.verify(SECRET, "12345", at) and not totp.verify(SECRET, "abcdef", at)


def test_new_secrets_are_base32_of_160_bits_and_differ() -> None:
    a, b = totp.new_secret(), totp.new_secret()
    assert a != b and len(base64.b32decode(a)) == 20
    uri = totp.otpauth_uri(a, "admin", "Andromede")
    assert uri.startswith("otpauth://totp/Andromede:admin?") and f"secret={a}" in uri
