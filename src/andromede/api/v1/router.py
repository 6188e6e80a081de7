"""The router of each /v1 module: its routes carry the ``/v1`` prefix and the check of
query names from the start, so that they are made once, when the module is imported
(see ``andromede.api.route_sharing``)."""

from collections.abc import Sequence
from enum import Enum

from fastapi import APIRouter, Depends

from andromede.api.v1.schemas import known_query_only

__all__ = ["V1", "v1_router"]

V1 = "/v1"


def v1_router(*, prefix: str = "", tags: Sequence[str | Enum] = ()) -> APIRouter:
    return APIRouter(prefix=V1 + prefix, tags=list(tags), dependencies=[Depends(known_query_only)])
