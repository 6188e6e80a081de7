"""A volume copied into a new image of its project (Cinder's ``os-volume_upload_image``).

The image lives in the volume's region, like the volume: its bytes never leave the place
the residency policy allowed, and the image is checked against that policy like any image
the project creates. The upload is three steps so that no transaction is held while bytes
are written: the image made and marked saving (``start``), its bytes streamed into the
region's image store (``content``), then the size and checksums recorded by the image
service's own ``finish_upload`` — or the image put back to queued if the stream failed.

The embedded backend keeps no guest writes: a volume's content is the bytes of the image
it was filled from when the region's store holds them, else a simulated disk (a header
naming the volume, then bytes derived from it, the same on every call), as the simulated
hypervisors do for server snapshots.
"""

import hashlib
from collections.abc import Iterator
from dataclasses import dataclass

from sqlalchemy.orm import Session

from andromede.catalog.image_service import ImageDraft
from andromede.kernel.errors import ValidationFailed
from andromede.storage import volume_rules as rules
from andromede.storage.volume_service import VolumeService
from andromede.tenancy.scope import Caller

__all__ = ["ImageJob", "ImageWanted", "VolumeImageService"]

SIMULATED_BYTES = 256 * 1024  # a simulated volume's content after its header


@dataclass(frozen=True)
class ImageWanted:
    name: str
    disk_format: str = "raw"
    container_format: str = "bare"
    visibility: str = "private"
    protected: bool = False
    force: bool = False  # an attached volume is copied only when forced, as Cinder does


@dataclass(frozen=True)
class VolumeBytes:
    """What a volume's byte stream needs, read in a transaction."""

    volume_id: str
    region: str
    source_image: str | None  # the image the volume was filled from
    size_gib: int


@dataclass(frozen=True)
class ImageJob:
    """What the byte stream needs, read in the transaction that made the image."""

    image_id: str
    limit: int  # what is left of the customer's image quota
    source: VolumeBytes

    @property
    def region(self) -> str:
        return self.source.region


class VolumeImageService:
    def __init__(self, volumes: VolumeService) -> None:
        self.volumes = volumes
        self.images = volumes.images

    def start(
        self, session: Session, caller: Caller, volume_id: str, wanted: ImageWanted
    ) -> ImageJob:
        volume = self.volumes.writable(session, caller, volume_id)
        if volume.status == rules.IN_USE and not wanted.force:
            raise ValidationFailed.one("force", "the volume is attached: upload it with force")
        if volume.status not in (rules.AVAILABLE, rules.IN_USE):
            raise ValidationFailed.one("volume", f"the volume is {volume.status}")
        draft = ImageDraft(
            name=wanted.name,
            disk_format=wanted.disk_format,
            container_format=wanted.container_format,
            visibility=wanted.visibility,
            protected=wanted.protected,
            min_disk=volume.size_gib,
            properties=(("volume_id", volume.id),),
            region=volume.region_code,
        )
        image = self.images.create(session, caller, draft, volume.project_id)
        session.flush()
        ticket = self.images.start_upload(session, caller, image.id, None)
        source = VolumeBytes(volume.id, ticket.region, volume.image_id, volume.size_gib)
        return ImageJob(image.id, ticket.limit, source)

    def readable(self, session: Session, caller: Caller, volume_id: str) -> VolumeBytes:
        """A volume whose contents the caller may download (raw): the export's link."""
        volume = self.volumes.get_volume(session, caller, volume_id)
        if volume.status not in (rules.AVAILABLE, rules.IN_USE):
            raise ValidationFailed.one("volume", f"the volume is {volume.status}")
        return VolumeBytes(volume.id, volume.region_code, volume.image_id, volume.size_gib)

    def content(self, source: VolumeBytes) -> Iterator[bytes]:
        if source.source_image is not None:
            try:
                yield from self.images.bytes.read(source.region, source.source_image)
                return
            except FileNotFoundError:  # a catalog image: its bytes are not in our store
                pass
        header = f"andromede-volume volume={source.volume_id} size_gib={source.size_gib}\n"
        yield from simulated_disk(header.encode(), SIMULATED_BYTES)


def simulated_disk(header: bytes, size: int) -> Iterator[bytes]:
    yield header
    seed = hashlib.sha256(header).digest()
    for block in range(0, size, 32 * 1024):
        words = range(block // 32, min(block + 32 * 1024, size) // 32)
        yield b"".join(hashlib.sha256(seed + i.to_bytes(8, "big")).digest() for i in words)
