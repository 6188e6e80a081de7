"""/v1 customers' own images: a project's images (with the public catalog and those
shared with it), a new image, its bytes streamed in and out, its deletion. The same
service as Glance's API at /image."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from fastapi import Request, Response
from pydantic import Field

from andromede.api.context import app_of, page, run
from andromede.api.openstack.image_data import (
    BYTES,
    copy_volume,
    receive_image,
    remove_image,
    send_image,
)
from andromede.api.resource_routes import create
from andromede.api.v1.responses import OwnImageOut, Page, answers
from andromede.api.v1.router import v1_router
from andromede.api.v1.schemas import Body, Limit
from andromede.audit.actions import AuditAction
from andromede.catalog.image_service import ImageDraft
from andromede.storage.volume_image_service import ImageWanted

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from andromede.tenancy.scope import Caller

router = v1_router(tags=["images"])


class OwnImageBody(Body):
    name: str
    disk_format: str = "qcow2"
    container_format: str = "bare"
    visibility: str = "private"
    min_disk_gib: int = Field(default=0, ge=0)
    min_ram_mib: int = Field(default=0, ge=0)
    protected: bool = False
    properties: dict[str, str] = Field(default_factory=dict)
    region: str | None = None  # where its bytes live; else the first the policy allows


def own_image_view(i: Any) -> dict[str, Any]:
    return {
        "id": i.id,
        "name": i.name,
        "project_id": i.owner_project_id,
        "status": i.status,
        "visibility": i.visibility,
        "disk_format": i.disk_format,
        "container_format": i.container_format,
        "size": i.size_bytes,
        "checksum": i.checksum,
        "sha512": i.os_hash_value,
        "region": i.region_code,
        "min_disk_gib": i.min_disk_gib,
        "min_ram_mib": i.min_ram_mib,
        "protected": i.protected,
        "properties": dict(i.properties or {}),
        "created_at": i.created_at.isoformat(),
    }


@router.get("/projects/{project_id}/images", **answers(Page[OwnImageOut]))
def list_project_images(
    project_id: str, request: Request, limit: int = Limit, marker: str | None = None
) -> Any:
    """The images the project may boot: the operator's catalog, its own, and those shared
    with it and accepted."""
    app = app_of(request)

    def work(session: Session, caller: Caller) -> Any:
        found = sorted(app.images.visible(session, caller, None, project_id), key=lambda i: i.id)
        after = [i for i in found if marker is None or i.id > marker][:limit]
        return page(after, limit, own_image_view)

    return run(request, work)


@router.post("/projects/{project_id}/images", status_code=201, **answers(OwnImageOut))
def create_own_image(project_id: str, body: OwnImageBody, request: Request) -> Any:
    draft = ImageDraft(
        name=body.name,
        disk_format=body.disk_format,
        container_format=body.container_format,
        visibility=body.visibility,
        min_disk=body.min_disk_gib,
        min_ram=body.min_ram_mib,
        protected=body.protected,
        properties=tuple(body.properties.items()),
        region=body.region,
    )
    return create(
        request,
        lambda a, s, c: a.images.create(s, c, draft, project_id),
        own_image_view,
        AuditAction.IMAGE_CREATE,
    )


class SnapshotBody(Body):
    name: str
    properties: dict[str, str] = Field(default_factory=dict)


@router.post(
    "/servers/{server_id}/snapshots", status_code=202, tags=["servers"], **answers(OwnImageOut)
)
def snapshot_server(server_id: str, body: SnapshotBody, request: Request) -> Any:
    """A private image of the server's disk, in its region: ``saving`` until the
    reconciler has the region copy the disk, then ``active``."""
    return create(
        request,
        lambda a, s, c: a.servers.create_image(s, c, server_id, body.name, body.properties),
        own_image_view,
        AuditAction.SERVER_SNAPSHOT,
    )


class VolumeImageBody(Body):
    name: str
    disk_format: str = "raw"
    container_format: str = "bare"
    visibility: str = "private"
    protected: bool = False
    force: bool = False  # an attached volume is copied only when forced


@router.post(
    "/volumes/{volume_id}/image", status_code=201, tags=["volumes"], **answers(OwnImageOut)
)
def upload_volume(volume_id: str, body: VolumeImageBody, request: Request) -> Any:
    """A new image of the volume's project holding the volume's content, in the volume's
    region; answered once it is active."""
    wanted = ImageWanted(**body.model_dump())
    return copy_volume(request, volume_id, wanted, own_image_view)


@router.put("/images/{image_id}/file", status_code=204, response_class=Response)
async def upload_image(image_id: str, request: Request) -> Response:
    """The image's bytes as the request body, streamed into its region's store."""
    return await receive_image(request, image_id)


@router.get("/images/{image_id}/file", response_class=Response, responses=BYTES)
def download_image(image_id: str, request: Request) -> Any:
    return send_image(request, image_id)


@router.delete("/images/{image_id}", status_code=204, response_class=Response)
def delete_own_image(image_id: str, request: Request) -> Response:
    return remove_image(request, image_id)
