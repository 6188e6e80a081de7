"""Usage of a period: the compute state history turned into segments."""

from collections.abc import Callable, Collection, Iterable, Iterator, Sequence
from datetime import UTC, date, datetime, timedelta

from sqlalchemy.orm import Session

from andromede.catalog.pricing import storage_sku
from andromede.compute.floating_ip_service import FloatingIpService
from andromede.compute.server_service import ServerService
from andromede.kernel.collector import collector_paused
from andromede.metering import store
from andromede.metering.addresses import Hold, address_segments
from andromede.metering.daily import DayUsage, day_usage
from andromede.metering.fees import Span, fee_segments
from andromede.metering.holdings import Holding, holding_segments
from andromede.metering.segments import (
    Carried,
    Segment,
    StateEvent,
    derive_segments,
    idle_segments,
)
from andromede.metering.store import DailyUsage, UsageSpan
from andromede.storage.volume_service import VolumeService

__all__ = ["CARRIES_KEPT", "DayUsage", "MeteringService", "cuts"]

KEEP_DAYS = 400  # a year of history and then some: what the dashboard draws
# How long the runs a close recorded as open at a month's end are kept: a read starts from
# the latest such point at or before its period, so the dashboard's KEEP_DAYS, and a
# month before them, still start from one; older periods read the whole history.
CARRIES_KEPT = timedelta(days=KEEP_DAYS + 31)


def cuts(start: datetime, end: datetime, boundaries: Sequence[datetime]) -> list[datetime]:
    """Where the servers' runs are cut: the period's start and the ``boundaries`` (price
    changes) inside it."""
    return [start, *(b for b in boundaries if start < b < end)]


class MeteringService:
    def __init__(
        self, servers: ServerService, floating_ips: FloatingIpService, volumes: VolumeService
    ) -> None:
        self.servers = servers
        self.floating_ips = floating_ips
        self.volumes = volumes

    def segments(
        self,
        session: Session,
        start: datetime,
        end: datetime,
        boundaries: Sequence[datetime] = (),
        customer_id: str | None = None,
    ) -> list[Segment]:
        """Segments inside [start, end), cut at ``boundaries`` (price changes); of one
        customer's servers when ``customer_id`` is given. Fees posted as spans (a cluster's
        nodes) come after the servers' own segments, then the public addresses held. The
        servers' changes are read from the last month end whose open runs a close carried
        (``carried_events``)."""
        own = self._derived(derive_segments, session, start, end, boundaries, customer_id)
        spans = self.fee_spans(session, start, end)
        return [*own, *self.beside(session, own, spans, start, end, boundaries, customer_id)]

    def server_events(
        self,
        session: Session,
        start: datetime,
        end: datetime,
        customer_id: str | None = None,
        partners: Collection[str] | None = None,
    ) -> Iterator[StateEvent]:
        """The state changes ``derive_segments`` turns into the servers' own segments
        (kept from ``start`` on, cut at ``cuts(start, end, ...)``), of ``partners``'
        servers only if given, made as they are read, in (server, time, sequence) order:
        read them whole before the session's next statement. Call with the cyclic
        collector paused: a month of 10,000 servers is 300,000 of them."""
        return self.servers.state_history(session, start, end, customer_id, StateEvent, partners)

    def carried_events(
        self,
        session: Session,
        start: datetime,
        end: datetime,
        customer_id: str | None = None,
        partners: Collection[str] | None = None,
    ) -> tuple[Iterator[StateEvent], Carried]:
        """``server_events`` from where a close last recorded the runs open (the latest
        month end at or before ``start``), and those runs (``derive_segments``'s
        ``carried``): a month's changes, not every change since each server was created.
        Before any close recorded them, every change and nothing carried."""
        found = self.servers.state_from(session, start, end, customer_id, StateEvent, partners)
        if found is None:
            return self.server_events(session, start, end, customer_id, partners), {}
        return found

    def record_open_runs(self, session: Session, at: datetime, runs: Carried) -> None:
        """Runs open at ``at`` (``open_at``), for the close of the month after: read from
        once ``seal_open_runs`` says every server's are recorded."""
        rows = [
            (server_id, dimension, int(run.key)) for (server_id, dimension), run in runs.items()
        ]
        self.servers.record_open_runs(session, at, rows)

    def seal_open_runs(self, session: Session, at: datetime) -> None:
        """Every server's runs open at ``at`` are recorded (a close records them partner
        by partner); those recorded more than ``CARRIES_KEPT`` before it are forgotten."""
        self.servers.seal_open_runs(session, at, at - CARRIES_KEPT)

    def fee_spans(self, session: Session, start: datetime, end: datetime) -> list[Span]:
        """Servers counting toward a managed service's fee in the period (a cluster's
        nodes): their fee segments are cut from their own compute segments."""
        return [
            Span(s.server_id, s.kind, s.owner_id, s.owner_name, s.vcpus, s.start, s.end)
            for s in store.spans_in(session, start, end)
        ]

    def customers_of(self, session: Session, spans: Iterable[Span]) -> set[str]:
        """The customers whose servers count toward these fees (a cluster's nodes)."""
        return self.servers.customers_of(session, {span.server_id for span in spans})

    def beside(
        self,
        session: Session,
        own: list[Segment],
        spans: list[Span],
        start: datetime,
        end: datetime,
        boundaries: Sequence[datetime] = (),
        customer_id: str | None = None,
        partners: Collection[str] | None = None,
    ) -> list[Segment]:
        """What follows the servers' ``own`` segments: the fees of ``spans`` (cut from the
        nodes' segments among ``own``), then the public addresses and the volumes,
        snapshots and backups held (by ``partners``' customers only, if given)."""
        fees = fee_segments(own, spans) if spans else []
        holds = [
            Hold(
                f.id,
                f.address,
                f.region_code,
                f.created_at,
                f.released_at,
                f.project_id,
                f.customer_id,
                f.partner_id,
            )
            for f in self.floating_ips.held_between(session, start, end, customer_id, partners)
        ]
        inside = [b for b in boundaries if start < b < end]
        stored = [
            Holding(
                h.object_id,
                h.kind,
                storage_sku(h.kind, h.volume_type, h.region_code),
                h.name,
                h.gib,
                h.region_code,
                h.start,
                h.end,
                h.project_id,
                h.customer_id,
                h.partner_id,
            )
            for h in self.volumes.held_between(session, start, end, customer_id, partners)
        ]
        return [
            *fees,
            *address_segments(holds, start, end, inside),
            *holding_segments(stored, start, end, inside),
        ]

    def open_span(
        self,
        session: Session,
        server_id: str,
        kind: str,
        owner: tuple[str, str],
        vcpus: int,
        at: datetime,
    ) -> None:
        """A server starts counting toward a managed service's fee (``owner``: id, name)."""
        session.add(
            UsageSpan(
                server_id=server_id,
                kind=kind,
                owner_id=owner[0],
                owner_name=owner[1],
                vcpus=vcpus,
                start=at,
                end=None,
            )
        )

    def close_spans(self, session: Session, server_ids: list[str], at: datetime) -> None:
        store.close_spans(session, server_ids, at)

    def idle_segments(
        self,
        session: Session,
        start: datetime,
        end: datetime,
        boundaries: Sequence[datetime] = (),
        customer_id: str | None = None,
    ) -> list[Segment]:
        """The time servers existed stopped, as compute segments (see ``idle_segments``)."""
        return self._derived(idle_segments, session, start, end, boundaries, customer_id)

    def _derived(
        self,
        derive: Callable[..., list[Segment]],
        session: Session,
        start: datetime,
        end: datetime,
        boundaries: Sequence[datetime],
        customer_id: str | None,
    ) -> list[Segment]:
        """``derive``'s segments from ``start`` on, the changes read from the latest
        recorded month end (``carried_events``)."""
        with collector_paused():  # 300,000 events for a month of 10,000 servers
            events, carried = self.carried_events(session, start, end, customer_id)
            cut = cuts(start, end, boundaries)
            found = derive(events, until=end, boundaries=cut, carried=carried)
            return [s for s in found if s.start >= start]

    def refresh_daily(self, session: Session, now: datetime, catalog_vcpus: dict[str, int]) -> int:
        """Stores the figures of every finished day not stored yet (at most ``KEEP_DAYS``
        back); returns how many days were written. Safe to run again: a day is replaced
        whole."""
        yesterday = now.date() - timedelta(days=1)
        last = store.last_day(session)
        first = last + timedelta(days=1) if last else now.date() - timedelta(days=KEEP_DAYS)
        if first > yesterday:
            return 0
        start = datetime(first.year, first.month, first.day, tzinfo=UTC)
        found = self.segments(session, start, datetime(now.year, now.month, now.day, tzinfo=UTC))
        figures = day_usage(found, catalog_vcpus, first, yesterday)
        store.replace_days(
            session,
            [
                DailyUsage(
                    day=f.day, server_hours=f.server_hours, vcpu_hours=f.vcpu_hours, computed_at=now
                )
                for f in figures
            ],
        )
        return len(figures)

    def daily(self, session: Session, first: date) -> list[DayUsage]:
        return [DayUsage(*row) for row in store.days_since(session, first)]
