"""The bytes of customers' images, in each region's store: a folder per region under the
state directory (the embedded default's store; a region on OpenStack keeps its own Glance).

Written as they arrive, never held whole in memory: each chunk is hashed (MD5 for
Glance's ``checksum``, SHA-512 for ``os_hash_value``) and appended to a ``.part`` file
that becomes the image only once complete, so a store never shows half an image. The two
digests run in threads of their own while the chunk is written (hashlib lets go of the
interpreter lock on large buffers), rather than one after the other.

A customer's image is encrypted at rest (SecNumCloud 10.1): each chunk sealed with the
image's data key (AES-256-GCM, a fresh nonce, the image id and the chunk's place as
associated data, so chunks cannot be moved within or between images), written as a
length-prefixed record. The digests are of the plain bytes, as Glance gives them. Public
images, and those stored before, have no key and are stored plain.
"""

import hashlib
import os
import struct
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.ciphers.aead import AESGCM

__all__ = ["ImageBytes", "Stored", "TooLarge", "Upload"]

CHUNK = 1024 * 1024
NONCE = 12
KeyOf = Callable[[str], bytes | None]  # an image's data key, None for a plain image


def _associated(image_id: str, index: int) -> bytes:
    return f"{image_id}:{index}".encode()


class TooLarge(Exception):
    """More bytes arrived than the upload may hold."""


@dataclass(frozen=True)
class Stored:
    size: int
    md5: str
    sha512: str


@dataclass
class Upload:
    """One image's bytes on their way in: ``add`` each chunk, then ``finish``."""

    path: Path
    limit: int
    key: bytes | None = None
    size: int = 0
    _records: int = 0
    _cipher: AESGCM | None = None
    _md5: Any = field(default_factory=hashlib.md5)
    _sha512: Any = field(default_factory=hashlib.sha512)
    _file: Any = None
    _hashing: ThreadPoolExecutor = field(
        default_factory=lambda: ThreadPoolExecutor(2, thread_name_prefix="image-hash")
    )

    def __post_init__(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._file = open(self._part, "wb")  # closed by finish or abort

    @property
    def _part(self) -> Path:
        return self.path.with_suffix(".part")

    def add(self, chunk: bytes) -> None:
        self.size += len(chunk)
        if self.size > self.limit:
            self.abort()
            raise TooLarge(f"more than {self.limit} bytes")
        digests = [self._hashing.submit(h.update, chunk) for h in (self._md5, self._sha512)]
        if self.key is None:
            self._file.write(chunk)
        else:
            self._write_sealed(chunk)
        for digest in digests:
            digest.result()

    def _write_sealed(self, chunk: bytes) -> None:
        """One record: its length, the nonce, the sealed chunk (written apart: no copy of
        the chunk is made to join them)."""
        assert self.key is not None
        nonce = os.urandom(NONCE)  # the file is named for its image: path.name is its id
        self._cipher = self._cipher or AESGCM(self.key)
        sealed = self._cipher.encrypt(nonce, chunk, _associated(self.path.name, self._records))
        self._records += 1
        self._file.write(struct.pack(">I", NONCE + len(sealed)))
        self._file.write(nonce)
        self._file.write(sealed)

    def finish(self) -> Stored:
        self._file.flush()
        os.fsync(self._file.fileno())
        self._file.close()
        self._hashing.shutdown()
        self._part.replace(self.path)
        return Stored(self.size, self._md5.hexdigest(), self._sha512.hexdigest())

    def abort(self) -> None:
        self._file.close()
        self._hashing.shutdown()
        self._part.unlink(missing_ok=True)


def _plain(path: Path) -> Iterator[bytes]:
    with open(path, "rb") as source:
        while chunk := source.read(CHUNK):
            yield chunk


def _opened(path: Path, key: bytes) -> Iterator[bytes]:
    cipher = AESGCM(key)
    with open(path, "rb") as source:
        index = 0
        while header := source.read(4):
            record = source.read(struct.unpack(">I", header)[0])
            nonce, sealed = record[:NONCE], record[NONCE:]
            yield cipher.decrypt(nonce, sealed, _associated(path.name, index))
            index += 1


class ImageBytes:
    def __init__(self, root: Path, key_of: KeyOf = lambda image_id: None) -> None:
        self.root = root
        self.key_of = key_of

    def _path(self, region: str, image_id: str) -> Path:
        if "/" in region or "/" in image_id or image_id.startswith("."):
            raise ValueError("not a region or an image id")
        return self.root / region / image_id

    def upload(self, region: str, image_id: str, limit: int) -> Upload:
        return Upload(self._path(region, image_id), limit, self.key_of(image_id))

    def read(self, region: str, image_id: str) -> Iterator[bytes]:
        """The plain bytes; the key is asked now, so a destroyed one fails before any
        byte is sent."""
        key = self.key_of(image_id)
        path = self._path(region, image_id)
        return _plain(path) if key is None else _opened(path, key)

    def delete(self, region: str, image_id: str) -> None:
        self._path(region, image_id).unlink(missing_ok=True)
