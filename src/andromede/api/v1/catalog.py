"""/v1 regions, zones, hosts, flavors, images."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from fastapi import APIRouter, Request
from pydantic import Field

from andromede.api.context import app_of, page, run
from andromede.api.v1.schemas import Body, Int32, Limit, Ratio, Size
from andromede.catalog.service import FlavorInput, HostInput

if TYPE_CHECKING:
    from andromede.catalog.store import Flavor, Host, Image, Region, Zone

router = APIRouter(tags=["catalog"])


class RegionBody(Body):
    code: str
    name: str
    country: str
    territory: str
    certifications: list[str] = Field(default_factory=list)


class ZoneBody(Body):
    region: str
    code: str
    name: str = ""


class HostBody(Body):
    name: str
    zone: str
    vcpus: Size
    ram_mib: Size
    disk_gib: Int32
    cpu_ratio: Ratio = 4.0
    ram_ratio: Ratio = 1.0
    disk_ratio: Ratio = 1.0
    traits: list[str] = Field(default_factory=list)


class HostPatch(Body):
    enabled: bool | None = None
    maintenance: bool | None = None


class FlavorBody(Body):
    name: str
    vcpus: Size
    ram_mib: Size
    disk_gib: Int32 = 0
    family: str | None = None
    size_units: Size | None = None
    extra_specs: dict[str, str] = Field(default_factory=dict)


class ImageBody(Body):
    name: str
    os_distro: str
    os_version: str
    min_disk_gib: Int32 = 1
    min_ram_mib: Int32 = 0
    properties: dict[str, Any] = Field(default_factory=dict)


def region_view(r: Region) -> dict[str, Any]:
    return {
        "id": r.id,
        "code": r.code,
        "name": r.name,
        "country": r.country,
        "territory": r.territory,
        "certifications": r.certifications,
    }


def zone_view(z: Zone) -> dict[str, Any]:
    return {"id": z.id, "code": z.code, "region": z.region_code, "name": z.name}


def host_view(h: Host) -> dict[str, Any]:
    return {
        "id": h.id,
        "name": h.name,
        "region": h.region_code,
        "zone": h.zone_code,
        "vcpus": h.vcpus,
        "ram_mib": h.ram_mib,
        "disk_gib": h.disk_gib,
        "cpu_ratio": h.cpu_ratio,
        "ram_ratio": h.ram_ratio,
        "disk_ratio": h.disk_ratio,
        "traits": h.traits,
        "enabled": h.enabled,
        "maintenance": h.maintenance,
        "used": {
            "vcpus": h.used_vcpus,
            "ram_mib": h.used_ram_mib,
            "disk_gib": h.used_disk_gib,
            "instances": h.instances,
        },
    }


def flavor_view(f: Flavor) -> dict[str, Any]:
    return {
        "id": f.id,
        "name": f.name,
        "vcpus": f.vcpus,
        "ram_mib": f.ram_mib,
        "disk_gib": f.disk_gib,
        "family": f.family,
        "size_units": f.size_units,
        "extra_specs": f.extra_specs,
        "is_public": f.is_public,
    }


def image_view(i: Image) -> dict[str, Any]:
    return {
        "id": i.id,
        "name": i.name,
        "os_distro": i.os_distro,
        "os_version": i.os_version,
        "min_disk_gib": i.min_disk_gib,
        "min_ram_mib": i.min_ram_mib,
        "properties": i.properties,
    }


@router.post("/regions", status_code=201)
def create_region(body: RegionBody, request: Request) -> Any:
    app = app_of(request)
    return run(
        request,
        lambda s, c: region_view(app.catalog.create_region(s, c, **body.model_dump())),
        write=True,
        action="region.create",
        target_type="region",
    )


@router.get("/regions")
def list_regions(request: Request, limit: int = Limit, marker: str | None = None) -> Any:
    app = app_of(request)
    return run(
        request,
        lambda s, c: page(
            app.catalog.list_regions(s, limit=limit, marker=marker), limit, region_view
        ),
    )


@router.get("/regions/{ref}")
def get_region(ref: str, request: Request) -> Any:
    app = app_of(request)
    return run(request, lambda s, c: region_view(app.catalog.region(s, ref)))


@router.post("/zones", status_code=201)
def create_zone(body: ZoneBody, request: Request) -> Any:
    app = app_of(request)
    return run(
        request,
        lambda s, c: zone_view(app.catalog.create_zone(s, c, **body.model_dump())),
        write=True,
        action="zone.create",
        target_type="zone",
    )


@router.get("/zones")
def list_zones(
    request: Request, limit: int = Limit, marker: str | None = None, region: str | None = None
) -> Any:
    app = app_of(request)
    return run(
        request,
        lambda s, c: page(
            app.catalog.list_zones(s, limit=limit, marker=marker, region=region),
            limit,
            zone_view,
        ),
    )


@router.post("/hosts", status_code=201)
def create_host(body: HostBody, request: Request) -> Any:
    app = app_of(request)
    return run(
        request,
        lambda s, c: host_view(app.catalog.create_host(s, c, HostInput(**body.model_dump()))),
        write=True,
        action="host.create",
        target_type="host",
    )


@router.get("/hosts")
def list_hosts(
    request: Request,
    limit: int = Limit,
    marker: str | None = None,
    region: str | None = None,
    zone: str | None = None,
) -> Any:
    app = app_of(request)
    return run(
        request,
        lambda s, c: page(
            app.catalog.list_hosts(s, c, limit=limit, marker=marker, region=region, zone=zone),
            limit,
            host_view,
        ),
    )


@router.get("/hosts/{ref}")
def get_host(ref: str, request: Request) -> Any:
    app = app_of(request)
    return run(request, lambda s, c: host_view(app.catalog.host(s, c, ref)))


@router.patch("/hosts/{ref}")
def update_host(ref: str, body: HostPatch, request: Request) -> Any:
    app = app_of(request)
    return run(
        request,
        lambda s, c: host_view(
            app.catalog.update_host(s, c, ref, body.model_dump(exclude_none=True))
        ),
        write=True,
        action="host.update",
        target_type="host",
        target_id=ref,
    )


@router.post("/flavors", status_code=201)
def create_flavor(body: FlavorBody, request: Request) -> Any:
    app = app_of(request)
    return run(
        request,
        lambda s, c: flavor_view(app.catalog.create_flavor(s, c, FlavorInput(**body.model_dump()))),
        write=True,
        action="flavor.create",
        target_type="flavor",
    )


@router.get("/flavors")
def list_flavors(
    request: Request, limit: int = Limit, marker: str | None = None, family: str | None = None
) -> Any:
    app = app_of(request)
    return run(
        request,
        lambda s, c: page(
            app.catalog.list_flavors(s, limit=limit, marker=marker, family=family),
            limit,
            flavor_view,
        ),
    )


@router.get("/flavors/{ref}")
def get_flavor(ref: str, request: Request) -> Any:
    app = app_of(request)
    return run(request, lambda s, c: flavor_view(app.catalog.flavor(s, ref)))


@router.post("/images", status_code=201)
def create_image(body: ImageBody, request: Request) -> Any:
    app = app_of(request)
    return run(
        request,
        lambda s, c: image_view(app.catalog.create_image(s, c, **body.model_dump())),
        write=True,
        action="image.create",
        target_type="image",
    )


@router.get("/images")
def list_images(request: Request, limit: int = Limit, marker: str | None = None) -> Any:
    app = app_of(request)
    return run(
        request,
        lambda s, c: page(
            app.catalog.list_images(s, limit=limit, marker=marker), limit, image_view
        ),
    )


@router.get("/images/{ref}")
def get_image(ref: str, request: Request) -> Any:
    app = app_of(request)
    return run(request, lambda s, c: image_view(app.catalog.image(s, ref)))
