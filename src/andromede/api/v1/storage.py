"""/v1 volume types (read by anyone signed in; declared by operator administrators) and
storage pools (operator staff)."""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING, Annotated, Any

from fastapi import Request
from pydantic import Field

from andromede.api.resource_routes import create, listing, one, update
from andromede.api.v1.responses import Page, StoragePoolOut, VolumeTypeOut, answers
from andromede.api.v1.router import v1_router
from andromede.api.v1.schemas import Body, Limit, Size
from andromede.audit.actions import AuditAction
from andromede.storage.service import PoolInput

if TYPE_CHECKING:
    from andromede.storage.service import StoragePool, VolumeType

router = v1_router(tags=["storage"])
PoolRatio = Annotated[Decimal, Field(ge=1, le=20, allow_inf_nan=False)]


class VolumeTypeBody(Body):
    region: str
    name: str
    description: str = ""
    certification: str | None = None
    multiattach: bool = False


class PoolBody(Body):
    name: str
    zone: str
    backend: str
    volume_types: list[str]
    total_gib: Size
    ratio: PoolRatio = Decimal(1)


class PoolPatch(Body):
    enabled: bool | None = None
    total_gib: Size | None = None


def type_view(t: VolumeType) -> dict[str, Any]:
    return {
        "id": t.id,
        "region": t.region_code,
        "name": t.name,
        "description": t.description,
        "certification": t.certification,
        "multiattach": t.multiattach,
    }


def pool_view(p: StoragePool) -> dict[str, Any]:
    return {
        "id": p.id,
        "name": p.name,
        "region": p.region_code,
        "zone": p.zone_code,
        "backend": p.backend,
        "volume_types": p.volume_types,
        "total_gib": p.total_gib,
        "ratio": f"{Decimal(p.ratio).normalize():f}",
        "allocated_gib": p.allocated_gib,
        "enabled": p.enabled,
    }


@router.post("/volume-types", status_code=201, **answers(VolumeTypeOut))
def create_type(body: VolumeTypeBody, request: Request) -> Any:
    return create(
        request,
        lambda a, s, c: a.storage.create_type(s, c, **body.model_dump()),
        type_view,
        AuditAction.VOLUME_TYPE_CREATE,
    )


@router.get("/volume-types", **answers(Page[VolumeTypeOut]))
def list_types(
    request: Request, limit: int = Limit, marker: str | None = None, region: str | None = None
) -> Any:
    return listing(
        request,
        lambda a, s, c: a.storage.list_types(s, limit=limit, marker=marker, region=region),
        type_view,
        limit,
    )


@router.post("/storage-pools", status_code=201, **answers(StoragePoolOut))
def create_pool(body: PoolBody, request: Request) -> Any:
    return create(
        request,
        lambda a, s, c: a.storage.create_pool(s, c, PoolInput(**body.model_dump())),
        pool_view,
        AuditAction.STORAGE_POOL_CREATE,
    )


@router.get("/storage-pools", **answers(Page[StoragePoolOut]))
def list_pools(
    request: Request, limit: int = Limit, marker: str | None = None, region: str | None = None
) -> Any:
    return listing(
        request,
        lambda a, s, c: a.storage.list_pools(s, c, limit=limit, marker=marker, region=region),
        pool_view,
        limit,
    )


@router.get("/storage-pools/{ref}", **answers(StoragePoolOut))
def get_pool(ref: str, request: Request) -> Any:
    return one(request, lambda a, s, c: a.storage.pool(s, c, ref), pool_view)


@router.patch("/storage-pools/{ref}", **answers(StoragePoolOut))
def update_pool(ref: str, body: PoolPatch, request: Request) -> Any:
    return update(
        request,
        lambda a, s, c: a.storage.update_pool(s, c, ref, body.model_dump(exclude_none=True)),
        pool_view,
        AuditAction.STORAGE_POOL_UPDATE,
        ref,
    )
