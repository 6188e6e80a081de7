"""Keypairs' public halves: OpenSSH keys (parse, check the blob matches the declared type,
fingerprint) and X.509 certificates in PEM (Nova's ``x509`` keypairs)."""

import base64
import binascii
import hashlib
import struct

__all__ = [
    "KEY_TYPES",
    "fingerprint",
    "parse_certificate",
    "parse_public_key",
    "x509_fingerprint",
]

KEY_TYPES = frozenset(
    {
        "ssh-rsa",
        "ssh-ed25519",
        "ecdsa-sha2-nistp256",
        "ecdsa-sha2-nistp384",
        "ecdsa-sha2-nistp521",
    }
)


def parse_public_key(text: str) -> tuple[str, bytes]:
    """Returns (type, blob); raises ValueError with a reason a user can act on."""
    parts = text.strip().split()
    if len(parts) < 2:
        raise ValueError("expected '<type> <base64 key> [comment]'")
    key_type, encoded = parts[0], parts[1]
    if key_type not in KEY_TYPES:
        raise ValueError(f"unsupported key type {key_type!r}")
    try:
        blob = base64.b64decode(encoded, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise ValueError("key is not valid base64") from exc
    if len(blob) < 4:
        raise ValueError("key blob is truncated")
    (length,) = struct.unpack(">I", blob[:4])
    if blob[4 : 4 + length].decode("ascii", "replace") != key_type:
        raise ValueError("key blob does not match its declared type")
    return key_type, blob


def fingerprint(blob: bytes) -> str:
    """MD5 colon form, as Nova shows keypair fingerprints."""
    digest = hashlib.md5(blob, usedforsecurity=False).hexdigest()
    return ":".join(digest[i : i + 2] for i in range(0, len(digest), 2))


BEGIN, END = "-----BEGIN CERTIFICATE-----", "-----END CERTIFICATE-----"


def parse_certificate(text: str) -> bytes:
    """The DER bytes of one PEM certificate; raises ValueError with the reason."""
    lines = [line.strip() for line in text.strip().splitlines() if line.strip()]
    if len(lines) < 3 or lines[0] != BEGIN or lines[-1] != END:
        raise ValueError("expected one PEM certificate (-----BEGIN CERTIFICATE----- ...)")
    try:
        der = base64.b64decode("".join(lines[1:-1]), validate=True)
    except (binascii.Error, ValueError) as exc:
        raise ValueError("the certificate is not valid base64") from exc
    if len(der) < 16 or der[0] != 0x30:
        raise ValueError("the certificate is not DER inside its PEM armour")
    return der


def x509_fingerprint(der: bytes) -> str:
    """SHA-1 colon form, as Nova shows an x509 keypair's fingerprint."""
    digest = hashlib.sha1(der, usedforsecurity=False).hexdigest()
    return ":".join(digest[i : i + 2] for i in range(0, len(digest), 2))
