"""What every /v1 router shares: strict request bodies, the page-size parameter, and the
bounded field types (their limits live in ``kernel.bounds``, shared with the OpenStack
face and the services)."""

from datetime import datetime
from typing import Annotated

from fastapi import Query, Request
from fastapi.dependencies.models import Dependant
from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from andromede.kernel.bounds import COUNT_MAX, INT32_MAX, SEQ_MAX, bounded_instant
from andromede.kernel.errors import ValidationFailed
from andromede.kernel.months import month_bounds

__all__ = [
    "Body",
    "Count",
    "Instant",
    "Int32",
    "Limit",
    "MonthText",
    "Ratio",
    "Seq",
    "Size",
    "known_query_only",
]

Limit = Query(100, ge=1, le=1000, description="page size; follow next_marker for more")


def _instant(value: datetime) -> datetime:
    try:
        return bounded_instant("instant", value)
    except ValidationFailed as exc:
        raise ValueError(exc.errors[0].message) from None


def _month(value: str) -> str:
    start, _ = month_bounds(value)  # ValueError names the problem
    _instant(start)
    return value


Int32 = Annotated[int, Field(ge=0, le=INT32_MAX)]
Size = Annotated[int, Field(ge=1, le=INT32_MAX)]
Count = Annotated[int, Field(ge=1, le=COUNT_MAX)]
Seq = Annotated[int, Field(ge=0, le=SEQ_MAX)]
Ratio = Annotated[float, Field(gt=0, le=100, allow_inf_nan=False)]
Instant = Annotated[datetime, AfterValidator(_instant)]
MonthText = Annotated[str, Field(pattern=r"^\d{4}-\d{2}$"), AfterValidator(_month)]


_KNOWN: dict[int, frozenset[str]] = {}  # route → its query parameters, computed once


def _query_names(dependant: Dependant) -> frozenset[str]:
    names = {p.alias for p in dependant.query_params}
    for sub in dependant.dependencies:
        names |= _query_names(sub)
    return frozenset(names)


def known_query_only(request: Request) -> None:
    """A filter the route does not know is refused, not silently ignored: a misspelt
    ``?custmer_id=`` must not return everything."""
    route = request.scope.get("route")
    dependant = getattr(route, "dependant", None)
    if dependant is None or not request.query_params:
        return
    known = _KNOWN.get(id(dependant))
    if known is None:
        known = _KNOWN[id(dependant)] = _query_names(dependant)
    unknown = sorted(set(request.query_params) - known)
    if unknown:
        raise ValidationFailed.one(unknown[0], "unknown query parameter")


class Body(BaseModel):
    """Unknown fields are refused: a misspelt field must not be silently ignored."""

    model_config = ConfigDict(extra="forbid")
