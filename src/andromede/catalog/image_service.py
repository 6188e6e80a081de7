"""Customers' own images, as Glance keeps them: made by a project (private, or shared
with member projects that accept them), their bytes uploaded once into the store of the
region the project's residency policy allows first, downloaded, changed by JSON patch,
deactivated, deleted. The operator's catalog images stay public and read-only here.

A project sees the public images, its own, and those shared with it; anything else is a
404, as another tenant's object. Only the owner changes an image. Bytes count against a
per-customer quota; an upload past it is refused and leaves nothing stored.
"""

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from andromede.audit.actions import AuditAction
from andromede.catalog import image_store
from andromede.catalog.image_bytes import ImageBytes, Stored
from andromede.catalog.service import ImageSpec
from andromede.catalog.store import Image, ImageMember
from andromede.kernel.clock import Clock
from andromede.kernel.errors import (
    Conflict,
    Forbidden,
    NotFound,
    StorageQuotaExceeded,
    ValidationFailed,
)
from andromede.kernel.ids import is_uuid, new_id
from andromede.kernel.names import display_name
from andromede.kernel.tenants import TenantRef
from andromede.tenancy.scope import (
    Actor,
    Caller,
    Role,
    may_change_resources,
    resource_scope,
    visible,
)
from andromede.tenancy.service import Project, TenancyService

__all__ = ["Image", "ImageDraft", "ImageService", "SnapshotSource", "UploadTicket"]

DISK_FORMATS = ("ami", "ari", "aki", "vhd", "vhdx", "vmdk", "raw", "qcow2", "vdi", "iso", "ploop")
CONTAINER_FORMATS = ("ami", "ari", "aki", "bare", "ovf", "ova", "docker", "compressed")
VISIBILITIES = ("private", "shared")  # public is the operator's; community is not offered
MEMBER_STATUSES = ("pending", "accepted", "rejected")
GIB = 1024**3
RegionFor = Callable[[Session, Caller, str], str]
CheckRegion = Callable[[Session, Caller, str, str], None]  # (…, project id, region)
NewKey = Callable[[Session, str, str], tuple[str, bytes]]  # (…, partner, customer)


@dataclass(frozen=True)
class ImageDraft:
    name: str
    disk_format: str = "raw"
    container_format: str = "bare"
    visibility: str = "shared"  # Glance's default: private until members are added
    min_disk: int = 0
    min_ram: int = 0
    protected: bool = False
    properties: tuple[tuple[str, Any], ...] = ()
    image_id: str | None = None
    tags: object = ()  # as sent: checked to be a list of words
    region: str | None = None  # else the first region the project's policy allows
    snapshot_of: str | None = None  # a server: its bytes come from the region's driver


@dataclass(frozen=True)
class SnapshotSource:
    """The server a snapshot is taken of, as compute knows it."""

    server_id: str
    project_id: str
    region: str
    image_id: str
    disk_gib: int


SNAPSHOTS = Caller(Actor("system", "system:snapshots", Role.OPERATOR_ADMIN, system=True))


@dataclass(frozen=True)
class UploadTicket:
    """What the byte stream needs, read in the transaction that marked the image saving."""

    image_id: str
    region: str
    limit: int


def _choice(field: str, value: object, allowed: tuple[str, ...]) -> str:
    if value not in allowed:
        raise ValidationFailed.one(field, f"must be one of {', '.join(allowed)}")
    assert isinstance(value, str)
    return value


def _count(field: str, value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ValidationFailed.one(field, "must be a whole number, 0 or more")
    return value


def _tags(value: object) -> list[str]:
    """Glance's tags: a set of short words (kept in the order first given)."""
    if not isinstance(value, list | tuple) or not all(isinstance(t, str) for t in value):
        raise ValidationFailed.one("tags", "a list of words")
    if any(not t or len(t) > 255 for t in value) or len(set(value)) > 128:
        raise ValidationFailed.one("tags", "at most 128 tags of 1 to 255 characters")
    return list(dict.fromkeys(value))


def _visibility(value: object) -> str:
    if value == "public":
        raise Forbidden("public images are the operator's catalog")
    return _choice("visibility", value, VISIBILITIES)


def _flag(value: object) -> bool:
    if not isinstance(value, bool):
        raise ValidationFailed.one("protected", "must be true or false")
    return value


# a patchable field → (the image's attribute, the check its new value passes); any other
# key is a property
FIELDS: dict[str, tuple[str, Callable[[Any], object]]] = {
    "name": ("name", lambda v: display_name("name", v, 200)),
    "min_disk": ("min_disk_gib", lambda v: _count("min_disk", v)),
    "min_ram": ("min_ram_mib", lambda v: _count("min_ram", v)),
    "visibility": ("visibility", _visibility),
    "protected": ("protected", _flag),
    "tags": ("tags", _tags),
    "disk_format": ("disk_format", lambda v: _choice("disk_format", v, DISK_FORMATS)),
    "container_format": (
        "container_format",
        lambda v: _choice("container_format", v, CONTAINER_FORMATS),
    ),
}
FIXED_WITH_DATA = ("disk_format", "container_format")


def _ref(image: Image) -> TenantRef:
    return TenantRef(image.partner_id, image.customer_id, image.owner_project_id)


class ImageService:
    def __init__(
        self,
        clock: Clock,
        tenancy: TenancyService,
        store: ImageBytes,
        region_for: RegionFor,
        quota_bytes: int,
        check_region: CheckRegion | None = None,
        new_key: NewKey | None = None,
    ) -> None:
        self.clock = clock
        self.tenancy = tenancy
        self.bytes = store
        self.region_for = region_for
        self.quota_bytes = quota_bytes
        self.check_region = check_region  # a region a customer names must be allowed
        self.new_key = new_key  # (KEK id, a data key wrapped by it) for a customer's image

    # -- reading ---------------------------------------------------------------
    def visible(
        self,
        session: Session,
        caller: Caller,
        member_status: str | None,
        project_id: str | None = None,
    ) -> list[Image]:
        """Public, own, and shared-with-us images (accepted ones, or those of the status
        asked for), oldest first; of the token's project, or of ``project_id`` (native
        API) when the caller sees it."""
        project = (
            self._project(session, caller, project_id).id if project_id else caller.actor.project_id
        )
        return image_store.visible_to(session, project, member_status or "accepted")

    def _acting_for(self, session: Session, caller: Caller, image: Image) -> str | None:
        """The project the caller looks from: its token's, or (native API, no project in
        the token) the image's owner when the caller sees that project."""
        if caller.actor.project_id is not None or image.owner_project_id is None:
            return caller.actor.project_id
        if not visible(resource_scope(caller.actor), _ref(image)):
            return None  # staff: a customer's images only under its grant
        try:
            return self.tenancy.get_project(session, caller, image.owner_project_id).id
        except NotFound:
            return None

    def get(self, session: Session, caller: Caller, image_id: str) -> Image:
        image = image_store.live(session, image_id)
        if image is None or not image_store.sees(
            session, image, self._acting_for(session, caller, image)
        ):
            raise NotFound("image", image_id)
        return image

    def owned(self, session: Session, caller: Caller, image_id: str) -> Image:
        """The image if the caller's project owns it and may change it; a shared or public
        image is a 403 (it is seen, not the caller's), another's a 404."""
        image = self.get(session, caller, image_id)
        acting = self._acting_for(session, caller, image)
        if image.owner_project_id is None or image.owner_project_id != acting:
            raise Forbidden("only the image's owner changes it")
        if not may_change_resources(caller.actor, _ref(image)):
            raise Forbidden(f"role {caller.actor.role} may not change images")
        return image

    # -- writing ---------------------------------------------------------------
    def create(
        self, session: Session, caller: Caller, draft: ImageDraft, project_id: str | None = None
    ) -> Image:
        project = self._project(session, caller, project_id)
        ref = TenantRef(project.partner_id, project.customer_id, project.id)
        if not may_change_resources(caller.actor, ref):
            raise Forbidden(f"role {caller.actor.role} may not create images")
        self.tenancy.require_active(session, project.customer_id)
        if draft.image_id is not None and not is_uuid(draft.image_id):
            raise ValidationFailed.one("id", "must be a UUID")
        if draft.region is not None and draft.snapshot_of is None and self.check_region:
            self.check_region(session, caller, project.id, draft.region)
        properties = dict(draft.properties)
        now = self.clock.now()
        image = Image(
            id=draft.image_id or new_id(),
            name=display_name("name", draft.name, 200),
            os_distro=str(properties.get("os_distro", ""))[:50],
            os_version=str(properties.get("os_version", ""))[:50],
            min_disk_gib=_count("min_disk", draft.min_disk),
            min_ram_mib=_count("min_ram", draft.min_ram),
            properties=properties,
            created_at=now,
            updated_at=now,
            owner_project_id=project.id,
            partner_id=project.partner_id,
            customer_id=project.customer_id,
            visibility=_visibility(draft.visibility),
            status="queued",
            disk_format=_choice("disk_format", draft.disk_format, DISK_FORMATS),
            container_format=_choice("container_format", draft.container_format, CONTAINER_FORMATS),
            protected=draft.protected is True,
            region_code=draft.region or self.region_for(session, caller, project.id),
            tags=_tags(draft.tags),
            snapshot_of=draft.snapshot_of,
        )
        if self.new_key is not None:
            key_id, wrapped = self.new_key(session, project.partner_id, project.customer_id)
            image.key_id, image.wrapped_key = key_id, wrapped.hex()
        if draft.snapshot_of is not None:
            image.status = "saving"  # the reconciler asks the region for its bytes
        if draft.image_id is not None and session.get(Image, draft.image_id) is not None:
            raise Conflict(f"image {draft.image_id} exists")
        session.add(image)
        self._audit(session, caller, AuditAction.IMAGE_CREATE, image)
        return image

    def _project(self, session: Session, caller: Caller, project_id: str | None) -> Project:
        wanted = project_id or caller.actor.project_id
        if wanted is None:
            raise Forbidden("images belong to a project: use a project-scoped token")
        project = self.tenancy.get_project(session, caller, wanted)
        ref = TenantRef(project.partner_id, project.customer_id, project.id)
        if not visible(resource_scope(caller.actor), ref):
            raise NotFound("project", wanted)  # staff: a customer without a grant
        return project

    def update(
        self, session: Session, caller: Caller, image_id: str, changes: dict[str, Any]
    ) -> Image:
        """Changes already read from a JSON patch: a field to its new value (None removes
        a property)."""
        image = self.owned(session, caller, image_id)
        properties = dict(image.properties or {})
        for key, value in changes.items():
            if key in FIXED_WITH_DATA and image.status != "queued":
                raise Forbidden(f"{key} is fixed once the image has data")
            if key in FIELDS:
                attribute, check = FIELDS[key]
                setattr(image, attribute, check(value))
            elif value is None:
                properties.pop(key, None)
            else:
                properties[key] = value
        image.properties = properties
        image.updated_at = self.clock.now()
        self._audit(session, caller, AuditAction.IMAGE_UPDATE, image)
        return image

    def tag(self, session: Session, caller: Caller, image_id: str, tag: str, on: bool) -> None:
        """Glance's tag calls: a tag added is there once; removing one it lacks is a 404."""
        image = self.owned(session, caller, image_id)
        if on:
            image.tags = _tags([*image.tags, tag])
        elif tag not in image.tags:
            raise NotFound("image tag", tag)
        else:
            image.tags = [t for t in image.tags if t != tag]
        image.updated_at = self.clock.now()
        self._audit(session, caller, AuditAction.IMAGE_UPDATE, image)

    def delete(self, session: Session, caller: Caller, image_id: str) -> tuple[str, str]:
        """The image is gone for everyone; servers built from it keep running. Its bytes are
        removed by the caller once this commits (``drop_bytes`` of the (region, id) this
        returns)."""
        image = self.owned(session, caller, image_id)
        if image.protected:
            raise Forbidden("the image is protected: unprotect it first")
        image.status = "deleted"
        image.updated_at = self.clock.now()
        image_store.drop_members(session, image.id)
        self._audit(session, caller, AuditAction.IMAGE_DELETE, image)
        return image.region_code or "", image.id

    def stored_for(self, session: Session, customer_id: str) -> list[Image]:
        """The customer's own images whose bytes are stored in a region (the
        data-location report)."""
        query = select(Image).where(
            Image.customer_id == customer_id,
            Image.status != "deleted",
            Image.region_code.is_not(None),
        )
        return list(session.scalars(query.order_by(Image.created_at)))

    def drop_bytes(self, where: tuple[str, str]) -> None:
        region, image_id = where
        if region:
            self.bytes.delete(region, image_id)

    def set_active(self, session: Session, caller: Caller, image_id: str, active: bool) -> None:
        """Glance's deactivate and reactivate: a deactivated image boots nothing and
        cannot be downloaded."""
        image = self.owned(session, caller, image_id)
        if image.status not in ("active", "deactivated"):
            raise Conflict(f"the image is {image.status}")
        image.status = "active" if active else "deactivated"
        image.updated_at = self.clock.now()
        action = AuditAction.IMAGE_REACTIVATE if active else AuditAction.IMAGE_DEACTIVATE
        self._audit(session, caller, action, image)

    # -- bytes -----------------------------------------------------------------
    def start_upload(
        self, session: Session, caller: Caller, image_id: str, declared: int | None
    ) -> UploadTicket:
        """The image goes from queued to saving (one upload at a time); the stream may
        hold what is left of the customer's quota."""
        image = self.owned(session, caller, image_id)
        if image.status != "queued":
            raise Conflict(f"the image is {image.status}: its data is set once")
        assert image.customer_id is not None and image.region_code is not None
        used = image_store.bytes_of_customer(session, image.customer_id)
        left = max(self.quota_bytes - used, 0)
        if declared is not None and declared > left:
            raise StorageQuotaExceeded(
                f"the image's {declared} bytes exceed what is left of the customer's image "
                f"quota ({left} of {self.quota_bytes} bytes)"
            )
        image.status = "saving"
        image.updated_at = self.clock.now()
        return UploadTicket(image.id, image.region_code, left)

    def finish_upload(
        self, session: Session, caller: Caller, image_id: str, stored: Stored | None
    ) -> Image:
        """The stream's end: active with its size and checksums, or back to queued when
        the stream failed or another upload of the customer took the quota meanwhile (the
        caller then drops the bytes)."""
        image = image_store.live(session, image_id)
        if image is None or image.status != "saving":
            raise Conflict("the image is no longer waiting for its data")
        image.updated_at = self.clock.now()
        assert image.customer_id is not None
        used = image_store.bytes_of_customer(session, image.customer_id)
        if stored is None or used + stored.size > self.quota_bytes:
            image.status = "queued"
            return image
        image.status = "active"
        image.size_bytes = stored.size
        image.checksum = stored.md5
        image.os_hash_value = stored.sha512
        self._audit(session, caller, AuditAction.IMAGE_UPLOAD, image)
        return image

    # -- snapshots -------------------------------------------------------------
    def start_snapshot(
        self, session: Session, caller: Caller, source: SnapshotSource, name: str, metadata: Any
    ) -> Image:
        """A private image of the server's project, in the server's region, saving until the
        reconciler has the region's driver copy the disk. It keeps what the image the
        server booted from said of itself, names its server and base image, and takes the
        metadata asked for over both (Nova's order)."""
        base = image_store.live(session, source.image_id)
        if metadata is not None and not isinstance(metadata, dict):
            raise ValidationFailed.one("metadata", "must be an object")
        properties = dict(base.properties or {}) if base else {}
        properties |= {
            "image_type": "snapshot",
            "instance_uuid": source.server_id,
            "base_image_ref": source.image_id,
        }
        properties |= {str(k): str(v) for k, v in (metadata or {}).items()}  # as Nova: last
        draft = ImageDraft(
            name=name,
            disk_format=base.disk_format if base else "qcow2",
            visibility="private",
            min_disk=max(source.disk_gib, base.min_disk_gib if base else 0),
            min_ram=base.min_ram_mib if base else 0,
            properties=tuple(properties.items()),
            region=source.region,
            snapshot_of=source.server_id,
        )
        return self.create(session, caller, draft, source.project_id)

    def pending_snapshots(self, session: Session, limit: int) -> list[tuple[str, str, str]]:
        """(image, region, server) of the snapshots waiting for their bytes."""
        return image_store.saving_snapshots(session, limit)

    def finish_snapshot(self, session: Session, image_id: str, stored: Stored | None) -> bool:
        """Active with its size and checksums, or killed (the region failed, or the
        customer's image quota has no room for it). False when the image went meanwhile
        (deleted): the caller drops the bytes."""
        image = image_store.live(session, image_id)
        if image is None or image.status != "saving":
            return False
        assert image.customer_id is not None
        used = image_store.bytes_of_customer(session, image.customer_id)
        image.updated_at = self.clock.now()
        if stored is None or used + stored.size > self.quota_bytes:
            image.status = "killed"
            return False
        image.status = "active"
        image.size_bytes = stored.size
        image.checksum = stored.md5
        image.os_hash_value = stored.sha512
        self._audit(session, SNAPSHOTS, AuditAction.IMAGE_UPLOAD, image)
        return True

    def readable(self, session: Session, caller: Caller, image_id: str) -> Image:
        image = self.get(session, caller, image_id)
        owner = image.owner_project_id == self._acting_for(session, caller, image)
        if image.status == "deactivated" and not owner:
            raise Forbidden("the image is deactivated")
        return image

    # -- members ---------------------------------------------------------------
    def add_member(
        self, session: Session, caller: Caller, image_id: str, member_id: str
    ) -> ImageMember:
        image = self.owned(session, caller, image_id)
        if image.visibility != "shared":
            raise Forbidden("only a shared image has members")
        if member_id == image.owner_project_id:
            raise ValidationFailed.one("member", "the owner is not a member of its own image")
        if image_store.member(session, image.id, member_id) is not None:
            raise Conflict(f"project {member_id} is a member already")
        now = self.clock.now()
        member = ImageMember(
            image_id=image.id, member_id=member_id, status="pending", created_at=now, updated_at=now
        )
        session.add(member)
        self._audit(session, caller, AuditAction.IMAGE_SHARE, image)
        return member

    def members(self, session: Session, caller: Caller, image_id: str) -> list[ImageMember]:
        """The owner sees every member; a member sees itself only."""
        image = self.get(session, caller, image_id)
        found = image_store.members_of(session, image.id)
        if image.owner_project_id == caller.actor.project_id:
            return found
        return [m for m in found if m.member_id == caller.actor.project_id]

    def set_member_status(
        self, session: Session, caller: Caller, image_id: str, member_id: str, status: str
    ) -> ImageMember:
        """Only the member project itself accepts or rejects what it was offered."""
        image = self.get(session, caller, image_id)
        member = image_store.member(session, image.id, member_id)
        if member is None or member_id != caller.actor.project_id:
            raise NotFound("image member", member_id)
        member.status = _choice("status", status, MEMBER_STATUSES)
        member.updated_at = self.clock.now()
        return member

    def remove_member(
        self, session: Session, caller: Caller, image_id: str, member_id: str
    ) -> None:
        image = self.owned(session, caller, image_id)
        member = image_store.member(session, image.id, member_id)
        if member is None:
            raise NotFound("image member", member_id)
        session.delete(member)

    # -- offboarding -----------------------------------------------------------
    def customer_images(self, session: Session, customer_id: str) -> list[Image]:
        """A customer's own images (its export lists them; their bytes are downloaded
        through Glance)."""
        return image_store.of_customer(session, customer_id)

    def erase_customer(self, session: Session, customer_id: str) -> list[str]:
        """Erasure: every image of the customer deleted, its shares ended, its bytes
        removed from the store now and its rows (the key of past usage) stripped of names
        and properties (an erasure that fails is run again, and finds the
        bytes gone already)."""
        erased = []
        for image in image_store.of_customer(session, customer_id):
            image.status = "deleted"
            image.updated_at = self.clock.now()
            image_store.drop_members(session, image.id)
            self.drop_bytes((image.region_code or "", image.id))
            erased.append(image.id)
        image_store.scrub_customer(session, customer_id)
        return erased

    # -- booting ---------------------------------------------------------------
    def bootable(self, session: Session, project_id: str, ref: str) -> tuple[Image, int] | None:
        """A customer image a server of the project may boot (own, or shared with it and
        accepted; active), by id or unique name, with the disk it needs in GiB."""
        image = image_store.bootable(session, project_id, ref)
        if image is None:
            return None
        needed = max(image.min_disk_gib, math.ceil((image.size_bytes or 0) / GIB), 1)
        return image, needed

    def spec_for(
        self,
        session: Session,
        public: Callable[[Session, str], ImageSpec | None],
        project_id: str,
        ref: str,
        region: str,
    ) -> ImageSpec | None:
        """A catalog image (``public``: the catalog's lookup), or one of the project's own
        (or shared with it) — which boots, or fills a volume, only in the region that
        stores its bytes."""
        found = public(session, ref)
        if found is not None:
            return found
        own = self.bootable(session, project_id, ref)
        if own is None:
            return None
        image, disk = own
        if region and image.region_code != region:
            raise ValidationFailed.one(
                "image", f"image {image.name!r} is stored in region {image.region_code}"
            )
        return ImageSpec(image.id, image.name, disk)

    def _audit(self, session: Session, caller: Caller, action: AuditAction, image: Image) -> None:
        self.tenancy.audit(session, caller, action, "image", image.id, _ref(image))
