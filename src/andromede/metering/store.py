"""Figures per day, kept once a day is over (a finished day's usage does not change)."""

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import Date, Numeric, delete, func, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from andromede.db import Base, UTCDateTime

__all__ = ["DailyUsage"]


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
