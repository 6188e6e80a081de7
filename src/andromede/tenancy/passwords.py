"""Argon2id password hashing and opaque API tokens (only their SHA-256 is stored)."""

import hashlib
import secrets
import threading

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

__all__ = ["Passwords", "hash_token", "new_token"]

TOKEN_PREFIX = "adt_"


class Passwords:
    def __init__(self, time_cost: int = 3, memory_kib: int = 65536) -> None:
        self._hasher = PasswordHasher(time_cost=time_cost, memory_cost=memory_kib)
        self._decoy: str | None = None
        self._decoy_lock = threading.Lock()

    def decoy(self) -> str:
        """The hash of a random secret nobody knows: a sign-in under an unknown name is
        checked against it, so it costs what a known name costs and gets the same answer.
        Made once, on first use (a service that signs people in makes it at start-up):
        every command that built the application paid two of them, 0.1-0.2 s each."""
        if self._decoy is None:
            with self._decoy_lock:
                if self._decoy is None:
                    self._decoy = self.hash("decoy:" + secrets.token_urlsafe(32))
        return self._decoy

    def hash(self, password: str) -> str:
        return self._hasher.hash(password)

    def verify(self, password_hash: str, password: str) -> bool:
        try:
            return self._hasher.verify(password_hash, password)
        except (VerificationError, InvalidHashError):
            return False


def new_token() -> str:
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


def hash_token(token: str) -> str:
    """Tokens carry 256 random bits, so a fast hash is enough to make a leaked table useless."""
    return hashlib.sha256(token.encode()).hexdigest()
