import base64
import struct

import pytest

from andromede.compute.keys import fingerprint, parse_public_key


def blob(key_type: str, payload: bytes = b"\x00" * 32) -> str:
    raw = struct.pack(">I", len(key_type)) + key_type.encode() + struct.pack(">I", 32) + payload
    return base64.b64encode(raw).decode()


def test_valid_ed25519_key() -> None:
    key_type, raw = parse_public_key(f"ssh-ed25519 {blob('ssh-ed25519')} me@laptop")
    assert key_type == "ssh-ed25519"
    assert len(fingerprint(raw).split(":")) == 16


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("", "expected"),
        ("ssh-ed25519", "expected"),
        ("ssh-dss AAAA", "unsupported"),
        ("ssh-ed25519 not*base64", "base64"),
        (f"ssh-rsa {blob('ssh-ed25519')}", "does not match"),
        ("ssh-ed25519 AAE=", "truncated"),
    ],
)
def test_invalid_keys_are_refused_with_a_reason(text: str, reason: str) -> None:
    with pytest.raises(ValueError, match=reason):
        parse_public_key(text)
