"""Small secrets kept encrypted at rest (TOTP seeds): a copy of the database alone does
not let anyone generate a user's one-time codes. The key lives in a file outside the
database (``ANDROMEDE_SECRETS_KEY_FILE``, made on first use, mode 0600); Fernet
(AES-128-CBC with HMAC-SHA256) from the ``cryptography`` package does the work."""

import os
from pathlib import Path

from cryptography.fernet import Fernet, InvalidToken

from andromede.kernel.errors import Conflict

__all__ = ["SecretBox"]

PREFIX = "fernet:"


class SecretBox:
    def __init__(self, key_file: Path | None) -> None:
        self.key_file = key_file
        self._fernet: Fernet | None = None

    def _box(self) -> Fernet:
        if self._fernet is None:
            if self.key_file is None:
                raise Conflict("no secrets key: set ANDROMEDE_SECRETS_KEY_FILE on the server")
            if not self.key_file.exists():
                self.key_file.parent.mkdir(parents=True, exist_ok=True)
                fd = os.open(self.key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
                with os.fdopen(fd, "wb") as out:
                    out.write(Fernet.generate_key())
            self._fernet = Fernet(self.key_file.read_bytes().strip())
        return self._fernet

    def seal(self, plain: str) -> str:
        return PREFIX + self._box().encrypt(plain.encode()).decode()

    def open(self, stored: str) -> str:
        """Seeds written before encryption existed are read as they are (and sealed the
        next time they are written)."""
        if not stored.startswith(PREFIX):
            return stored
        try:
            return self._box().decrypt(stored[len(PREFIX) :].encode()).decode()
        except InvalidToken:
            raise Conflict("a stored secret does not open with this server's key") from None
