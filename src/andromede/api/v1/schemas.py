"""What every /v1 router shares: strict request bodies and the page-size parameter."""

from fastapi import Query
from pydantic import BaseModel, ConfigDict

__all__ = ["Body", "Limit"]

Limit = Query(100, ge=1, le=1000, description="page size; follow next_marker for more")


class Body(BaseModel):
    """Unknown fields are refused: a misspelt field must not be silently ignored."""

    model_config = ConfigDict(extra="forbid")
