"""Usage of a period: the compute state history turned into segments."""

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy.orm import Session

from andromede.compute.server_service import ServerService
from andromede.metering.segments import Segment, StateEvent, derive_segments

__all__ = ["MeteringService"]


class MeteringService:
    def __init__(self, servers: ServerService) -> None:
        self.servers = servers

    def segments(
        self,
        session: Session,
        start: datetime,
        end: datetime,
        boundaries: Sequence[datetime] = (),
        customer_id: str | None = None,
    ) -> list[Segment]:
        """Segments inside [start, end), cut at ``boundaries`` (price changes); of one
        customer's servers when ``customer_id`` is given."""
        events = [
            StateEvent(
                f"{row.seq:015d}",
                row.server_id,
                row.at,
                row.to_status,
                row.flavor,
                row.region_code,
                row.disk_gib,
                row.project_id,
                row.customer_id,
                row.partner_id,
            )
            for row in self.servers.state_history(session, start, end, customer_id)
        ]
        cuts = [start, *(b for b in boundaries if start < b < end)]
        return [s for s in derive_segments(events, until=end, boundaries=cuts) if s.start >= start]
