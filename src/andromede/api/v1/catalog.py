"""/v1 regions, zones, hosts, flavors, images."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from fastapi import Request
from pydantic import Field

from andromede.api.resource_routes import create, listing, one, update
from andromede.api.v1.responses import (
    FlavorOut,
    HostOut,
    ImageOut,
    Page,
    RegionOut,
    ZoneOut,
    answers,
)
from andromede.api.v1.router import v1_router
from andromede.api.v1.schemas import Body, Int32, Limit, Ratio, Size
from andromede.audit.actions import AuditAction
from andromede.catalog.service import FlavorInput
from andromede.compute.host_service import HostInput

if TYPE_CHECKING:
    from andromede.catalog.service import Flavor, Image, Region, Zone
    from andromede.compute.host_service import Host

router = v1_router(tags=["catalog"])


class RegionBody(Body):
    code: str
    name: str
    country: str
    territory: str
    certifications: list[str] = Field(default_factory=list)
    legal_entity: str | None = None  # default: the operator
    jurisdiction: str | None = None  # default: the country's
    sovereign: bool = True


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
        "legal_entity": r.legal_entity,
        "jurisdiction": r.jurisdiction,
        "sovereign": r.sovereign,
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


@router.post("/regions", status_code=201, **answers(RegionOut))
def create_region(body: RegionBody, request: Request) -> Any:
    return create(
        request,
        lambda a, s, c: a.catalog.create_region(s, c, **body.model_dump()),
        region_view,
        AuditAction.REGION_CREATE,
    )


@router.get("/regions", **answers(Page[RegionOut]))
def list_regions(request: Request, limit: int = Limit, marker: str | None = None) -> Any:
    return listing(
        request,
        lambda a, s, c: a.catalog.list_regions(s, limit=limit, marker=marker),
        region_view,
        limit,
    )


@router.get("/regions/{ref}", **answers(RegionOut))
def get_region(ref: str, request: Request) -> Any:
    return one(request, lambda a, s, c: a.catalog.region(s, ref), region_view)


@router.post("/zones", status_code=201, **answers(ZoneOut))
def create_zone(body: ZoneBody, request: Request) -> Any:
    return create(
        request,
        lambda a, s, c: a.catalog.create_zone(s, c, **body.model_dump()),
        zone_view,
        AuditAction.ZONE_CREATE,
    )


@router.get("/zones", **answers(Page[ZoneOut]))
def list_zones(
    request: Request, limit: int = Limit, marker: str | None = None, region: str | None = None
) -> Any:
    return listing(
        request,
        lambda a, s, c: a.catalog.list_zones(s, limit=limit, marker=marker, region=region),
        zone_view,
        limit,
    )


@router.post("/hosts", status_code=201, **answers(HostOut))
def create_host(body: HostBody, request: Request) -> Any:
    return create(
        request,
        lambda a, s, c: a.hosts.create_host(s, c, HostInput(**body.model_dump())),
        host_view,
        AuditAction.HOST_CREATE,
    )


@router.get("/hosts", **answers(Page[HostOut]))
def list_hosts(
    request: Request,
    limit: int = Limit,
    marker: str | None = None,
    region: str | None = None,
    zone: str | None = None,
) -> Any:
    return listing(
        request,
        lambda a, s, c: a.hosts.list_hosts(
            s, c, limit=limit, marker=marker, region=region, zone=zone
        ),
        host_view,
        limit,
    )


@router.get("/hosts/{ref}", **answers(HostOut))
def get_host(ref: str, request: Request) -> Any:
    return one(request, lambda a, s, c: a.hosts.host(s, c, ref), host_view)


@router.patch("/hosts/{ref}", **answers(HostOut))
def update_host(ref: str, body: HostPatch, request: Request) -> Any:
    return update(
        request,
        lambda a, s, c: a.hosts.update_host(s, c, ref, body.model_dump(exclude_none=True)),
        host_view,
        AuditAction.HOST_UPDATE,
        ref,
    )


@router.post("/flavors", status_code=201, **answers(FlavorOut))
def create_flavor(body: FlavorBody, request: Request) -> Any:
    return create(
        request,
        lambda a, s, c: a.catalog.create_flavor(s, c, FlavorInput(**body.model_dump())),
        flavor_view,
        AuditAction.FLAVOR_CREATE,
    )


@router.get("/flavors", **answers(Page[FlavorOut]))
def list_flavors(
    request: Request, limit: int = Limit, marker: str | None = None, family: str | None = None
) -> Any:
    return listing(
        request,
        lambda a, s, c: a.catalog.list_flavors(s, limit=limit, marker=marker, family=family),
        flavor_view,
        limit,
    )


@router.get("/flavors/{ref}", **answers(FlavorOut))
def get_flavor(ref: str, request: Request) -> Any:
    return one(request, lambda a, s, c: a.catalog.flavor(s, ref), flavor_view)


@router.post("/images", status_code=201, **answers(ImageOut))
def create_image(body: ImageBody, request: Request) -> Any:
    return create(
        request,
        lambda a, s, c: a.catalog.create_image(s, c, **body.model_dump()),
        image_view,
        AuditAction.IMAGE_CREATE,
    )


@router.get("/images", **answers(Page[ImageOut]))
def list_images(request: Request, limit: int = Limit, marker: str | None = None) -> Any:
    return listing(
        request,
        lambda a, s, c: a.catalog.list_images(s, limit=limit, marker=marker),
        image_view,
        limit,
    )


@router.get("/images/{ref}", **answers(ImageOut))
def get_image(ref: str, request: Request) -> Any:
    return one(request, lambda a, s, c: a.catalog.image(s, ref), image_view)
