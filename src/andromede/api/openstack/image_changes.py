"""Glance v2 at /image, changing images: create, JSON-patch update, delete, deactivate and
reactivate, members; the image schemas clients read before a patch."""

import json
from typing import Any

from fastapi import APIRouter, Body, Request, Response
from starlette.concurrency import run_in_threadpool

from andromede.api.context import app_of, run
from andromede.api.openstack.envelopes import declares
from andromede.api.openstack.image import image_view
from andromede.api.openstack.image_data import remove_image
from andromede.api.openstack.nova_views import iso
from andromede.api.resource_routes import remove
from andromede.audit.actions import AuditAction
from andromede.catalog.image_service import CONTAINER_FORMATS, DISK_FORMATS, ImageDraft
from andromede.kernel.errors import Forbidden, NotFound, ValidationFailed

router = APIRouter(prefix="/image/v2", tags=["openstack image"])

READ_ONLY = {
    "id",
    "status",
    "owner",
    "checksum",
    "os_hash_algo",
    "os_hash_value",
    "size",
    "virtual_size",
    "created_at",
    "updated_at",
    "self",
    "file",
    "schema",
    "locations",
    "direct_url",
}
CREATE_FIELDS = {
    "name",
    "disk_format",
    "container_format",
    "visibility",
    "min_disk",
    "min_ram",
    "protected",
    "id",
    "tags",
    "os_hidden",
}
PATCH_MEDIA = "application/openstack-images-v2.1-json-patch"
LEGACY_PATCH_MEDIA = "application/openstack-images-v2.0-json-patch"  # {"replace": "/name"}


def _draft(body: dict[str, Any]) -> ImageDraft:
    """Glance's create: its fields, and every other key an image property."""
    if "name" not in body or not isinstance(body.get("name"), str):
        raise ValidationFailed.one("name", "an image needs a name")
    read_only = sorted(set(body) & (READ_ONLY - {"id"}))
    if read_only:
        raise Forbidden(f"attribute {read_only[0]!r} is read-only")
    properties = tuple((k, v) for k, v in body.items() if k not in CREATE_FIELDS)
    return ImageDraft(
        name=body["name"],
        disk_format=body.get("disk_format") or "raw",
        container_format=body.get("container_format") or "bare",
        visibility=body.get("visibility") or "shared",
        min_disk=body.get("min_disk", 0),
        min_ram=body.get("min_ram", 0),
        protected=body.get("protected", False),
        properties=properties,
        image_id=body.get("id"),
        tags=body.get("tags", []),
    )


@router.post("/images", status_code=201, **declares("Image", 201))
def create_image(request: Request, body: dict[str, Any] = Body(...)) -> Any:
    app = app_of(request)
    draft = _draft(body)
    return run(
        request,
        lambda s, c: image_view(app.images.create(s, c, draft)),
        write=True,
        action=AuditAction.IMAGE_CREATE,
        target_type="image",
    )


def _legacy(op: Any) -> Any:
    """Glance's 2.0 form of an operation (``{"replace": "/name", "value": …}``) in 2.1's."""
    if isinstance(op, dict) and "op" not in op:
        named = [k for k in ("add", "replace", "remove") if k in op]
        if len(named) == 1:
            return {
                "op": named[0],
                "path": op[named[0]],
                **{k: v for k, v in op.items() if k == "value"},
            }
    return op


def _changes(ops: Any, legacy: bool) -> dict[str, Any]:
    """A JSON patch (RFC 6902, as Glance takes it) read into field → new value; a removed
    property is None."""
    if not isinstance(ops, list):
        raise ValidationFailed.one("patch", "a JSON patch is a list of operations")
    changes: dict[str, Any] = {}
    for op in map(_legacy, ops) if legacy else ops:
        if not isinstance(op, dict) or op.get("op") not in ("add", "replace", "remove"):
            raise ValidationFailed.one("patch", "each operation is add, replace or remove")
        path = op.get("path")
        if not isinstance(path, str) or not path.startswith("/") or path.count("/") != 1:
            raise ValidationFailed.one("patch", f"not a path of an image: {path!r}")
        key = path[1:]
        if key in READ_ONLY:
            raise Forbidden(f"attribute {key!r} is read-only")
        if op["op"] != "remove" and "value" not in op:
            raise ValidationFailed.one("patch", f"{op['op']} needs a value")
        changes[key] = None if op["op"] == "remove" else op["value"]
    return changes


@router.patch("/images/{image_id}", **declares("Image"))
async def update_image(image_id: str, request: Request) -> Any:
    """The body is a JSON patch in Glance's own media type, read here rather than by the
    framework (which reads JSON media types only)."""
    app = app_of(request)
    media = request.headers.get("content-type", "").split(";")[0].strip()
    if media not in (PATCH_MEDIA, LEGACY_PATCH_MEDIA):
        raise ValidationFailed.one("Content-Type", f"an image is patched with {PATCH_MEDIA}")
    try:
        changes = _changes(json.loads(await request.body()), media == LEGACY_PATCH_MEDIA)
    except json.JSONDecodeError:
        raise ValidationFailed.one("patch", "the body is not JSON") from None
    return await run_in_threadpool(
        run,
        request,
        lambda s, c: image_view(app.images.update(s, c, image_id, changes)),
        write=True,
        action=AuditAction.IMAGE_UPDATE,
        target_type="image",
        target_id=image_id,
    )


@router.delete("/images/{image_id}", status_code=204, response_class=Response)
def delete_image(image_id: str, request: Request) -> Response:
    return remove_image(request, image_id)


@router.put("/images/{image_id}/tags/{tag}", status_code=204, response_class=Response)
def add_tag(image_id: str, tag: str, request: Request) -> Response:
    return remove(
        request,
        lambda a, s, c: a.images.tag(s, c, image_id, tag, True),
        AuditAction.IMAGE_UPDATE,
        image_id,
    )


@router.delete("/images/{image_id}/tags/{tag}", status_code=204, response_class=Response)
def delete_tag(image_id: str, tag: str, request: Request) -> Response:
    return remove(
        request,
        lambda a, s, c: a.images.tag(s, c, image_id, tag, False),
        AuditAction.IMAGE_UPDATE,
        image_id,
    )


def _activation(request: Request, image_id: str, active: bool) -> Response:
    action = AuditAction.IMAGE_REACTIVATE if active else AuditAction.IMAGE_DEACTIVATE
    return remove(
        request, lambda a, s, c: a.images.set_active(s, c, image_id, active), action, image_id
    )


@router.post("/images/{image_id}/actions/deactivate", status_code=204, response_class=Response)
def deactivate(image_id: str, request: Request) -> Response:
    return _activation(request, image_id, False)


@router.post("/images/{image_id}/actions/reactivate", status_code=204, response_class=Response)
def reactivate(image_id: str, request: Request) -> Response:
    return _activation(request, image_id, True)


def member_view(m: Any) -> dict[str, Any]:
    return {
        "image_id": m.image_id,
        "member_id": m.member_id,
        "status": m.status,
        "created_at": iso(m.created_at),
        "updated_at": iso(m.updated_at),
        "schema": "/v2/schemas/member",
    }


@router.post("/images/{image_id}/members", **declares("Member"))
def add_member(image_id: str, request: Request, body: dict[str, Any] = Body(...)) -> Any:
    app = app_of(request)
    member = body.get("member")
    if not isinstance(member, str) or not member:
        raise ValidationFailed.one("member", "the project to share with is required")
    return run(
        request,
        lambda s, c: member_view(app.images.add_member(s, c, image_id, member)),
        write=True,
        action=AuditAction.IMAGE_SHARE,
        target_type="image",
        target_id=image_id,
    )


@router.get("/images/{image_id}/members", **declares("Members"))
def list_members(image_id: str, request: Request) -> Any:
    app = app_of(request)
    members = run(request, lambda s, c: app.images.members(s, c, image_id))
    return {"members": [member_view(m) for m in members], "schema": "/v2/schemas/members"}


@router.get("/images/{image_id}/members/{member_id}", **declares("Member"))
def show_member(image_id: str, member_id: str, request: Request) -> Any:
    app = app_of(request)

    def work(session: Any, caller: Any) -> Any:
        found = [
            m for m in app.images.members(session, caller, image_id) if m.member_id == member_id
        ]
        if not found:
            raise NotFound("image member", member_id)
        return member_view(found[0])

    return run(request, work)


@router.put("/images/{image_id}/members/{member_id}", **declares("Member"))
def update_member(
    image_id: str, member_id: str, request: Request, body: dict[str, Any] = Body(...)
) -> Any:
    app = app_of(request)
    status = body.get("status")
    return run(
        request,
        lambda s, c: member_view(
            app.images.set_member_status(s, c, image_id, member_id, str(status))
        ),
        write=True,
        action=AuditAction.IMAGE_SHARE,
        target_type="image",
        target_id=image_id,
    )


@router.delete("/images/{image_id}/members/{member_id}", status_code=204, response_class=Response)
def delete_member(image_id: str, member_id: str, request: Request) -> Response:
    return remove(
        request,
        lambda a, s, c: a.images.remove_member(s, c, image_id, member_id),
        AuditAction.IMAGE_SHARE,
        image_id,
    )


def _schema(name: str) -> dict[str, Any]:
    properties: dict[str, Any] = {
        "id": {"type": "string", "readOnly": True},
        "name": {"type": ["null", "string"], "maxLength": 255},
        "status": {
            "type": "string",
            "readOnly": True,
            "enum": ["queued", "saving", "active", "deactivated", "deleted"],
        },
        "visibility": {"type": "string", "enum": ["public", "private", "shared"]},
        "protected": {"type": "boolean"},
        "owner": {"type": ["null", "string"], "readOnly": True},
        "checksum": {"type": ["null", "string"], "readOnly": True},
        "os_hash_algo": {"type": ["null", "string"], "readOnly": True},
        "os_hash_value": {"type": ["null", "string"], "readOnly": True},
        "size": {"type": ["null", "integer"], "readOnly": True},
        "min_disk": {"type": "integer"},
        "min_ram": {"type": "integer"},
        "disk_format": {"type": ["null", "string"], "enum": [None, *DISK_FORMATS]},
        "container_format": {"type": ["null", "string"], "enum": [None, *CONTAINER_FORMATS]},
        "created_at": {"type": "string", "readOnly": True},
        "updated_at": {"type": "string", "readOnly": True},
        "self": {"type": "string", "readOnly": True},
        "file": {"type": "string", "readOnly": True},
        "schema": {"type": "string", "readOnly": True},
    }
    return {
        "name": name,
        "properties": properties,
        "additionalProperties": {"type": "string"},
        "links": [
            {"rel": "self", "href": "{self}"},
            {"rel": "enclosure", "href": "{file}"},
            {"rel": "describedby", "href": "{schema}"},
        ],
    }


@router.get("/schemas/image", **declares("Schema"))
def image_schema() -> Any:
    return _schema("image")


@router.get("/schemas/images", **declares("Schema"))
def images_schema() -> Any:
    return {
        "name": "images",
        "properties": {"images": {"type": "array", "items": _schema("image")}},
        "links": [{"rel": "first", "href": "{first}"}, {"rel": "next", "href": "{next}"}],
    }
