"""The bytes of customers' images, in each region's store: a folder per region under the
state directory (the embedded default's store; a region on OpenStack keeps its own Glance).

Written as they arrive, never held whole in memory: each chunk is hashed (MD5 for
Glance's ``checksum``, SHA-512 for ``os_hash_value``) and appended to a ``.part`` file
that becomes the image only once complete, so a store never shows half an image. The two
digests run in threads of their own while the chunk is written (hashlib lets go of the
interpreter lock on large buffers), rather than one after the other.
"""

import hashlib
import os
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

__all__ = ["ImageBytes", "Stored", "TooLarge", "Upload"]

CHUNK = 1024 * 1024


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
    size: int = 0
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
        self._file.write(chunk)
        for digest in digests:
            digest.result()

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


class ImageBytes:
    def __init__(self, root: Path) -> None:
        self.root = root

    def _path(self, region: str, image_id: str) -> Path:
        if "/" in region or "/" in image_id or image_id.startswith("."):
            raise ValueError("not a region or an image id")
        return self.root / region / image_id

    def upload(self, region: str, image_id: str, limit: int) -> Upload:
        return Upload(self._path(region, image_id), limit)

    def read(self, region: str, image_id: str) -> Iterator[bytes]:
        with open(self._path(region, image_id), "rb") as source:
            while chunk := source.read(CHUNK):
                yield chunk

    def delete(self, region: str, image_id: str) -> None:
        self._path(region, image_id).unlink(missing_ok=True)
