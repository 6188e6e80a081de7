"""Queries of images as projects see them: the operator's public catalog, a project's own
images and those shared with it."""

from sqlalchemy import ColumnElement, and_, bindparam, delete, func, or_, select, update
from sqlalchemy.orm import Session

from andromede.catalog.store import Image, ImageMember
from andromede.kernel.ids import is_uuid

__all__ = ["PUBLIC", "bootable", "live", "sees", "visible_to"]

PUBLIC = Image.owner_project_id.is_(None)  # the operator's catalog
LIVE = Image.status != "deleted"


def live(session: Session, image_id: str) -> Image | None:
    if not is_uuid(image_id):
        return None
    found = session.get(Image, image_id)
    return found if found is not None and found.status != "deleted" else None


def member(session: Session, image_id: str, project_id: str) -> ImageMember | None:
    return session.get(ImageMember, (image_id, project_id))


def members_of(session: Session, image_id: str) -> list[ImageMember]:
    query = select(ImageMember).where(ImageMember.image_id == image_id)
    return list(session.scalars(query.order_by(ImageMember.created_at)))


def sees(session: Session, image: Image, project_id: str | None) -> bool:
    """A project sees public images, its own, and any shared with it (whatever it answered:
    the member must see what it is asked to accept)."""
    if image.owner_project_id is None:
        return True
    if project_id is None:
        return False
    return image.owner_project_id == project_id or member(session, image.id, project_id) is not None


def _shared_with(project_id: str | None, status: str) -> ColumnElement[bool]:
    members = select(ImageMember.image_id).where(
        ImageMember.member_id == project_id, ImageMember.status == status
    )
    return Image.id.in_(members)


def visible_to(session: Session, project_id: str | None, member_status: str) -> list[Image]:
    query = select(Image).where(
        LIVE,
        or_(
            PUBLIC,
            Image.owner_project_id == project_id,
            _shared_with(project_id, member_status),
        ),
    )
    return list(session.scalars(query.order_by(Image.created_at, Image.id)))


def bootable(session: Session, project_id: str, ref: str) -> Image | None:
    """An active customer image the project owns or accepted, by id or by a name only one
    of them carries."""
    mine = and_(
        Image.status == "active",
        or_(Image.owner_project_id == project_id, _shared_with(project_id, "accepted")),
    )
    by = Image.id == ref if is_uuid(ref) else Image.name == ref
    rows = list(session.scalars(select(Image).where(mine, by).limit(2)))
    return rows[0] if len(rows) == 1 else None


def drop_members(session: Session, image_id: str) -> None:
    session.execute(delete(ImageMember).where(ImageMember.image_id == image_id))


def of_customer(session: Session, customer_id: str) -> list[Image]:
    query = select(Image).where(Image.customer_id == customer_id, LIVE)
    return list(session.scalars(query.order_by(Image.created_at, Image.id)))


def wrapped_key_of(session: Session, image_id: str) -> tuple[str, bytes] | None:
    """The KEK id and the wrapped data key an image's bytes are sealed with, if any."""
    image = session.get(Image, image_id)
    if image is None or image.key_id is None or image.wrapped_key is None:
        return None
    return image.key_id, bytes.fromhex(image.wrapped_key)


def scrub_customer(session: Session, customer_id: str) -> None:
    stripped = {"name": "erased", "properties": {}}
    session.execute(update(Image).where(Image.customer_id == customer_id).values(**stripped))


def bytes_of_customer(session: Session, customer_id: str) -> int:
    """What a customer's images hold (those being uploaded count as nothing yet)."""
    query = select(func.coalesce(func.sum(Image.size_bytes), 0)).where(
        Image.customer_id == customer_id, LIVE
    )
    return int(session.scalar(query) or 0)


def saving_snapshots(session: Session, limit: int) -> list[tuple[str, str, str]]:
    rows = session.execute(_SAVING, {"limit": limit})
    return [(i, r or "", s or "") for i, r, s in rows]


_SAVING = (  # built once: every reconcile pass asks
    select(Image.id, Image.region_code, Image.snapshot_of)
    .where(Image.status == "saving", Image.snapshot_of.is_not(None))
    .order_by(Image.created_at)
    .limit(bindparam("limit"))
)
