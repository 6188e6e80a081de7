"""Nova's image API at /compute/v2.1/images (the proxy to Glance that microversion 2.1
still offers): list, detail, show and delete of the images the caller sees, in Nova's
shape (``minDisk``, ``metadata``, upper-case status, the server of a snapshot). Gone from
microversion 2.36, as Nova's proxy APIs are."""

from typing import Any

from fastapi import APIRouter, Depends, Request, Response

from andromede.api.context import app_of, run
from andromede.api.openstack.envelopes import declares
from andromede.api.openstack.identity import base_url
from andromede.api.openstack.image_data import remove_image
from andromede.api.openstack.microversion import gone_from
from andromede.api.openstack.nova_views import iso

router = APIRouter(
    prefix="/compute/v2.1",
    tags=["openstack compute"],
    dependencies=[Depends(gone_from((2, 36), "/compute/v2.1/images"))],
)

STATUS = {
    "active": "ACTIVE",
    "queued": "SAVING",
    "saving": "SAVING",
    "killed": "ERROR",
    "deactivated": "ERROR",
    "deleted": "DELETED",
    "pending_delete": "DELETED",
}
PROGRESS = {"ACTIVE": 100, "SAVING": 25}


def _links(base: str, kind: str, obj_id: str) -> list[dict[str, str]]:
    return [
        {"rel": "self", "href": f"{base}/compute/v2.1/{kind}/{obj_id}"},
        {"rel": "bookmark", "href": f"{base}/compute/{kind}/{obj_id}"},
    ]


def nova_image(base: str, i: Any, detail: bool = True) -> dict[str, Any]:
    view: dict[str, Any] = {"id": i.id, "name": i.name, "links": _links(base, "images", i.id)}
    if not detail:
        return view
    status = STATUS.get(i.status, "UNKNOWN")
    view |= {
        "status": status,
        "progress": PROGRESS.get(status, 0),
        "minDisk": i.min_disk_gib,
        "minRam": i.min_ram_mib,
        "metadata": {str(k): str(v) for k, v in (i.properties or {}).items()},
        "created": iso(i.created_at),
        "updated": iso(i.updated_at or i.created_at),
        "OS-EXT-IMG-SIZE:size": i.size_bytes or 0,
    }
    if i.snapshot_of:
        view["server"] = {"id": i.snapshot_of, "links": _links(base, "servers", i.snapshot_of)}
    return view


def _listed(request: Request, detail: bool) -> dict[str, Any]:
    app = app_of(request)
    base = base_url(request)
    name = request.query_params.get("name")
    server = request.query_params.get("server")
    views = run(
        request,
        lambda s, c: [
            nova_image(base, i, detail)
            for i in app.images.visible(s, c, None)
            if (name is None or i.name == name) and (server is None or i.snapshot_of == server)
        ],
    )
    return {"images": views}


@router.get("/images", **declares("NovaImages"))
def list_images(request: Request) -> Any:
    return _listed(request, detail=False)


@router.get("/images/detail", **declares("NovaImages"))
def list_images_detail(request: Request) -> Any:
    return _listed(request, detail=True)


@router.get("/images/{image_id}", **declares("NovaImage"))
def show_image(image_id: str, request: Request) -> Any:
    app = app_of(request)
    base = base_url(request)
    return run(request, lambda s, c: {"image": nova_image(base, app.images.get(s, c, image_id))})


@router.delete("/images/{image_id}", status_code=204, response_class=Response)
def delete_image(image_id: str, request: Request) -> Response:
    return remove_image(request, image_id)
