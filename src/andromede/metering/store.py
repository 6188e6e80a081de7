"""Figures per day, kept once a day is over (a finished day's usage does not change);
spans the capabilities above compute post (a server was a cluster's node from … to …)."""

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import Date, Integer, Numeric, String, delete, func, or_, select, update
from sqlalchemy.orm import Mapped, Session, mapped_column

from andromede.db import Base, UTCDateTime

__all__ = ["DailyUsage", "UsageSpan"]


class DailyUsage(Base):
    __tablename__ = "daily_usage"

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    server_hours: Mapped[Decimal] = mapped_column(Numeric(18, 4))
    vcpu_hours: Mapped[Decimal] = mapped_column(Numeric(18, 4))
    computed_at: Mapped[datetime] = mapped_column(UTCDateTime())


def last_day(session: Session) -> date | None:
    return session.scalar(select(func.max(DailyUsage.day)))


def replace_days(session: Session, rows: list[DailyUsage]) -> None:
    if not rows:
        return
    days = [r.day for r in rows]
    session.execute(delete(DailyUsage).where(DailyUsage.day.in_(days)))
    session.add_all(rows)


def days_since(session: Session, first: date) -> list[tuple[date, Decimal, Decimal]]:
    """(day, server-hours, vCPU-hours): plain columns, no entities (a dashboard view)."""
    query = (
        select(DailyUsage.day, DailyUsage.server_hours, DailyUsage.vcpu_hours)
        .where(DailyUsage.day >= first)
        .order_by(DailyUsage.day)
    )
    return [(day, Decimal(s), Decimal(v)) for day, s, v in session.execute(query)]


class UsageSpan(Base):
    __tablename__ = "usage_spans"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    server_id: Mapped[str] = mapped_column(String(36), index=True)
    kind: Mapped[str] = mapped_column(String(20))  # cluster
    owner_id: Mapped[str] = mapped_column(String(36))
    owner_name: Mapped[str] = mapped_column(String(80))
    vcpus: Mapped[int] = mapped_column(Integer)
    start: Mapped[datetime] = mapped_column(UTCDateTime())
    end: Mapped[datetime | None] = mapped_column(UTCDateTime(), index=True)


def close_spans(session: Session, server_ids: list[str], at: datetime) -> None:
    session.execute(
        update(UsageSpan)
        .where(UsageSpan.server_id.in_(server_ids), UsageSpan.end.is_(None))
        .values(end=at)
    )


def spans_in(session: Session, start: datetime, end: datetime) -> list[UsageSpan]:
    """Spans that overlap [start, end)."""
    query = select(UsageSpan).where(
        UsageSpan.start < end, or_(UsageSpan.end.is_(None), UsageSpan.end > start)
    )
    return list(session.scalars(query))
