"""Key-encryption keys held outside the database (SecNumCloud 10.1, 10.5): the KMS
adapter's few verbs, and the file-based one of the embedded default.

Each customer has its own key-encryption key (KEK); each volume has its own data key,
stored only wrapped by its customer's KEK (AES key wrap, RFC 3394). The KEKs live in a
folder apart from the database, one file each (mode 0600): the database alone never
yields a data key, and destroying a customer's KEK makes every data key it wrapped
unreadable — the crypto-erase of an erased customer. A PKCS#11 adapter (an HSM) would
implement the same verbs."""

import os
from pathlib import Path
from typing import Protocol

from cryptography.hazmat.primitives.keywrap import InvalidUnwrap, aes_key_unwrap, aes_key_wrap

from andromede.kernel.errors import Conflict
from andromede.kernel.ids import new_id

__all__ = ["FileKms", "KeyDestroyed", "Kms"]

KEK_BYTES = 32  # AES-256


class KeyDestroyed(Conflict):
    """The key is gone: what it wrapped can no longer be read, by design."""

    def __init__(self, key_id: str) -> None:
        super().__init__(f"key {key_id} was destroyed: what it protected is unreadable")


class Kms(Protocol):
    def create(self) -> str: ...
    def wrap(self, key_id: str, data_key: bytes) -> bytes: ...
    def unwrap(self, key_id: str, wrapped: bytes) -> bytes: ...
    def destroy(self, key_id: str) -> None: ...


class FileKms:
    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def _path(self, key_id: str) -> Path:
        if not key_id.startswith("kek-") or "/" in key_id or ".." in key_id:
            raise ValueError(f"not a key id: {key_id!r}")
        return self.folder / key_id

    def _kek(self, key_id: str) -> bytes:
        try:
            return self._path(key_id).read_bytes()
        except FileNotFoundError:
            raise KeyDestroyed(key_id) from None

    def create(self) -> str:
        self.folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        key_id = f"kek-{new_id()}"
        descriptor = os.open(self._path(key_id), os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "wb") as out:
            out.write(os.urandom(KEK_BYTES))
        return key_id

    def wrap(self, key_id: str, data_key: bytes) -> bytes:
        return aes_key_wrap(self._kek(key_id), data_key)

    def unwrap(self, key_id: str, wrapped: bytes) -> bytes:
        try:
            return aes_key_unwrap(self._kek(key_id), wrapped)
        except InvalidUnwrap:
            raise KeyDestroyed(key_id) from None

    def destroy(self, key_id: str) -> None:
        """Overwritten, then removed: gone from this folder for good."""
        path = self._path(key_id)
        if path.exists():
            path.write_bytes(b"\0" * KEK_BYTES)
            path.unlink()
