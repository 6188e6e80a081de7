"""Glance v2 at /image, reading: versions, the images a project sees (the operator's
public catalog, its own, those shared with it) listed and shown. Changes are in
``image_changes``, bytes in ``image_data``."""

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from andromede.api.context import app_of, run
from andromede.api.openstack.compute import PAGE_MAX, integer
from andromede.api.openstack.envelopes import declares
from andromede.api.openstack.identity import base_url
from andromede.api.openstack.nova_views import iso
from andromede.kernel.errors import NotFound

router = APIRouter(prefix="/image", tags=["openstack image"])


@router.get("", status_code=300, **declares("Versions", 300))
@router.get("/", status_code=300, **declares("Versions", 300))
def versions(request: Request) -> JSONResponse:
    value = {
        "id": "v2.16",
        "status": "CURRENT",
        "links": [{"rel": "self", "href": f"{base_url(request)}/image/v2/"}],
    }
    return JSONResponse({"versions": [value]}, status_code=300)


def image_view(i: Any) -> dict[str, Any]:
    """Glance's image: its own properties at the top level (where the SCS image-metadata
    checks look), then the fields Glance defines."""
    view: dict[str, Any] = {
        key: value for key, value in (i.properties or {}).items() if not isinstance(value, dict)
    }
    view |= {
        "id": i.id,
        "name": i.name,
        "status": i.status,
        "visibility": i.visibility,
        "protected": i.protected,
        "os_hidden": False,
        "owner": i.owner_project_id,
        "checksum": i.checksum,
        "os_hash_algo": "sha512" if i.os_hash_value else None,
        "os_hash_value": i.os_hash_value,
        "size": i.size_bytes,
        "virtual_size": None,
        "min_disk": i.min_disk_gib,
        "min_ram": i.min_ram_mib,
        "disk_format": i.disk_format,
        "container_format": i.container_format,
        "tags": list(i.tags or []),
        "created_at": iso(i.created_at),
        "updated_at": iso(i.updated_at or i.created_at),
        "self": f"/v2/images/{i.id}",
        "file": f"/v2/images/{i.id}/file",
        "schema": "/v2/schemas/image",
    }
    if i.os_distro:
        view["os_distro"] = i.os_distro
    if i.os_version:
        view["os_version"] = i.os_version
    return view


FILTERS = (
    "name",
    "visibility",
    "status",
    "owner",
    "disk_format",
    "container_format",
    "size",
)
SIZES = {
    "size_min": lambda size, bound: size >= bound,
    "size_max": lambda size, bound: size <= bound,
}


def _within(size: int | None, low: int | None, high: int | None) -> bool:
    return size is not None and (low is None or size >= low) and (high is None or size <= high)


@router.get("/v2/images", **declares("Images"))
def list_images(request: Request) -> Any:
    """Glance's filters (name, id=in:…, visibility, status, owner, formats, size and its
    bounds, tag, member_status) and paging by marker."""
    app = app_of(request)
    params = request.query_params
    limit = integer(params, "limit", PAGE_MAX, PAGE_MAX)
    ids = params.get("id", "")
    wanted_ids = set(ids.removeprefix("in:").split(",")) if ids.startswith("in:") else None
    if ids and wanted_ids is None:
        wanted_ids = {ids}

    def work(session: Any, caller: Any) -> dict[str, Any]:
        found = app.images.visible(session, caller, params.get("member_status"))
        views = [image_view(i) for i in sorted(found, key=lambda i: i.id)]
        if params.get("tag"):
            views = [v for v in views if params["tag"] in v["tags"]]
        for key in FILTERS:
            if params.get(key):
                views = [v for v in views if str(v[key]) == params[key]]
        low, high = (integer(params, key, -1) if params.get(key) else None for key in SIZES)
        if low is not None or high is not None:
            views = [v for v in views if _within(v["size"], low, high)]
        if wanted_ids is not None:
            views = [v for v in views if v["id"] in wanted_ids]
        if params.get("marker"):
            views = [v for v in views if v["id"] > params["marker"]]
        body: dict[str, Any] = {
            "images": views[:limit],
            "schema": "/v2/schemas/images",
            "first": "/v2/images",
        }
        if len(views) > limit:
            body["next"] = f"/v2/images?marker={views[limit - 1]['id']}&limit={limit}"
        return body

    return run(request, work)


@router.get("/v2/images/", include_in_schema=False)
@router.delete("/v2/images/", include_in_schema=False)
def no_image() -> None:
    """An image path without its id is not the list (Glance answers 404, not a redirect)."""
    raise NotFound("image", "")


@router.get("/v2/images/{image_id}", **declares("Image"))
def show_image(image_id: str, request: Request) -> Any:
    """By id only (names go through the list); another project's image is not found."""
    app = app_of(request)
    return run(request, lambda s, c: image_view(app.images.get(s, c, image_id)))
