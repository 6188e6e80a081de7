"""Glance v2 at /image: versions, image list (name, id=in:…, limit, marker) and show,
with the image's properties at the top level (where the SCS image-metadata checks look)."""

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
    view: dict[str, Any] = {
        key: value for key, value in (i.properties or {}).items() if not isinstance(value, dict)
    }
    view |= {
        "id": i.id,
        "name": i.name,
        "status": "active",
        "visibility": "public",
        "protected": False,
        "os_hidden": False,
        "owner": None,
        "checksum": None,
        "size": None,
        "virtual_size": None,
        "min_disk": i.min_disk_gib,
        "min_ram": i.min_ram_mib,
        "disk_format": "qcow2",
        "container_format": "bare",
        "os_distro": i.os_distro,
        "os_version": i.os_version,
        "tags": [],
        "created_at": iso(i.created_at),
        "updated_at": iso(i.created_at),
        "self": f"/v2/images/{i.id}",
        "file": f"/v2/images/{i.id}/file",
        "schema": "/v2/schemas/image",
    }
    return view


@router.get("/v2/images", **declares("Images"))
def list_images(request: Request) -> Any:
    app = app_of(request)
    params = request.query_params
    limit = integer(params, "limit", PAGE_MAX, PAGE_MAX)
    ids = params.get("id", "")
    wanted_ids = set(ids.removeprefix("in:").split(",")) if ids.startswith("in:") else None
    if ids and wanted_ids is None:
        wanted_ids = {ids}

    def work(session: Any, caller: Any) -> dict[str, Any]:
        rows = sorted(app.catalog.all_images(session), key=lambda i: i.id)
        if params.get("name"):
            rows = [i for i in rows if i.name == params["name"]]
        if wanted_ids is not None:
            rows = [i for i in rows if i.id in wanted_ids]
        if params.get("marker"):
            rows = [i for i in rows if i.id > params["marker"]]
        page = rows[:limit]
        body: dict[str, Any] = {
            "images": [image_view(i) for i in page],
            "schema": "/v2/schemas/images",
            "first": "/v2/images",
        }
        if len(rows) > limit:
            body["next"] = f"/v2/images?marker={page[-1].id}&limit={limit}"
        return body

    return run(request, work)


@router.get("/v2/images/{image_id}", **declares("Image"))
def show_image(image_id: str, request: Request) -> Any:
    app = app_of(request)

    def work(session: Any, caller: Any) -> dict[str, Any]:
        image = app.catalog.image(session, image_id)
        if image.id != image_id:  # Glance finds by id only; names go through the list
            raise NotFound("image", image_id)
        return image_view(image)

    return run(request, work)
