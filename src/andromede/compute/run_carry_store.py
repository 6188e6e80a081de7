"""The runs of servers still open at a month's end, as its close found them: the next
month's close starts from these and the month's own changes, instead of every change of
every server since it was created (a close otherwise reads more history each month)."""

from collections.abc import Collection
from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, Integer, String, delete, func, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from andromede.compute.store import STATE_COLUMNS, Server, ServerEvent
from andromede.db import Base, UTCDateTime, driver_rows, insert_if_absent, insert_rows
from andromede.kernel.clock import ensure_utc

__all__ = [
    "CarryPoint",
    "RunCarry",
    "carried_changes",
    "drop_carries_before",
    "record_carries",
    "seal",
]


class RunCarry(Base):
    """A run open at ``at``: the change (``seq``) that opened it."""

    __tablename__ = "server_run_carries"

    at: Mapped[datetime] = mapped_column(UTCDateTime(), primary_key=True)
    server_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    dimension: Mapped[str] = mapped_column(String(20), primary_key=True)  # compute, disk, stopped
    seq: Mapped[int] = mapped_column(BigInteger().with_variant(Integer(), "sqlite"))


class CarryPoint(Base):
    """That the open runs at ``at`` were recorded (none open is an answer too)."""

    __tablename__ = "server_carry_points"

    at: Mapped[datetime] = mapped_column(UTCDateTime(), primary_key=True)
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime())


def carried_changes(
    session: Session,
    before: datetime,
    customer_id: str | None = None,
    partners: Collection[str] | None = None,
) -> tuple[datetime, list[tuple[Any, ...]]] | None:
    """The latest instant at or before ``before`` whose open runs a close recorded, and
    the changes that opened them (of one customer's, of ``partners``' servers, if given),
    each as (dimension, then the columns of ``state_changes``); None if no close recorded
    any."""
    latest = select(func.max(CarryPoint.at)).where(CarryPoint.at <= before)
    at = session.scalar(latest)
    if at is None:
        return None
    query = (
        select(RunCarry.dimension, *STATE_COLUMNS)
        .join(ServerEvent, ServerEvent.seq == RunCarry.seq)
        .where(RunCarry.at == at)
    )
    if customer_id is not None:
        query = query.where(ServerEvent.customer_id == customer_id)
    if partners is not None:
        theirs = select(Server.id).where(Server.partner_id.in_(sorted(partners)))
        query = query.where(RunCarry.server_id.in_(theirs.scalar_subquery()))
    return ensure_utc(at), driver_rows(session, query)


def record_carries(session: Session, at: datetime, runs: list[tuple[str, str, int]]) -> None:
    """(server id, dimension, seq of the opening change) of runs open at ``at``, some
    servers' at a time (a close plans its partners in parts), read only once ``seal``
    says they are all there. The first record stands: two workers closing the same month
    record the same runs, and a month's invoices were issued from the runs first found."""
    if session.get(CarryPoint, at) is not None:
        return
    rows = [{"at": at, "server_id": s, "dimension": d, "seq": seq} for s, d, seq in runs]
    insert_rows(session, RunCarry, rows, skip_taken=True)


def seal(session: Session, at: datetime, now: datetime) -> None:
    """That the runs of every server open at ``at`` are recorded: reads start there."""
    insert_if_absent(session, CarryPoint, [{"at": at, "recorded_at": now}])


def drop_carries_before(session: Session, before: datetime) -> None:
    """Forgets the runs recorded at instants before ``before``, their points first: a read
    of a period that starts before every point left reads the servers' whole history, as
    before any close recorded one. Each month's close records a few rows per server, which
    would otherwise stay for good."""
    session.execute(delete(CarryPoint).where(CarryPoint.at < before))
    session.execute(delete(RunCarry).where(RunCarry.at < before))
