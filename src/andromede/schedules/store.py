"""Tables of Dev & Test: schedules (a customer's, or a partner's template), the projects
opted in as a whole, the servers a schedule leaves on because they were started by hand
before their period (``retain_running``); environments and their members."""

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    ForeignKey,
    String,
    UniqueConstraint,
    and_,
    delete,
    or_,
    select,
)
from sqlalchemy.orm import Mapped, Session, mapped_column

from andromede.db import Base, UTCDateTime

__all__ = ["Environment", "EnvironmentMember", "ProjectSchedule", "RetainedServer", "Schedule"]


class Schedule(Base):
    __tablename__ = "schedules"
    __table_args__ = (UniqueConstraint("partner_id", "customer_id", "name"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    partner_id: Mapped[str] = mapped_column(String(36), index=True)
    customer_id: Mapped[str | None] = mapped_column(String(36), index=True)  # None: template
    name: Mapped[str] = mapped_column(String(50))
    description: Mapped[str] = mapped_column(String(255), default="")
    timezone: Mapped[str] = mapped_column(String(64))
    periods: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    enforced: Mapped[bool] = mapped_column(Boolean, default=False)
    retain_running: Mapped[bool] = mapped_column(Boolean, default=False)
    stop_new: Mapped[bool] = mapped_column(Boolean, default=False)
    holidays: Mapped[str | None] = mapped_column(String(20))  # e.g. FR, FR-57
    skip_dates: Mapped[list[str]] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())
    evaluated_at: Mapped[datetime | None] = mapped_column(UTCDateTime())  # the last pass
    last_pass: Mapped[dict[str, Any] | None] = mapped_column(JSON)


class ProjectSchedule(Base):
    __tablename__ = "schedule_projects"

    project_id: Mapped[str] = mapped_column(ForeignKey("projects.id"), primary_key=True)
    schedule_id: Mapped[str] = mapped_column(ForeignKey("schedules.id"), index=True)
    partner_id: Mapped[str] = mapped_column(String(36))
    customer_id: Mapped[str] = mapped_column(String(36), index=True)


class RetainedServer(Base):
    __tablename__ = "schedule_retained"

    server_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    schedule_id: Mapped[str] = mapped_column(ForeignKey("schedules.id"), index=True)


def customer_schedules(session: Session) -> list[Schedule]:
    """Every customer's schedule (templates run nothing), for a pass."""
    return list(session.scalars(select(Schedule).where(Schedule.customer_id.is_not(None))))


def projects_of(session: Session, schedule_ids: list[str]) -> list[ProjectSchedule]:
    query = select(ProjectSchedule).where(ProjectSchedule.schedule_id.in_(schedule_ids))
    return list(session.scalars(query))


def retained(session: Session, schedule_ids: list[str]) -> set[str]:
    query = select(RetainedServer.server_id).where(RetainedServer.schedule_id.in_(schedule_ids))
    return set(session.scalars(query))


def remember(session: Session, schedule_id: str, server_ids: set[str]) -> None:
    if not server_ids:
        return
    known = retained(session, [schedule_id])
    session.add_all(
        RetainedServer(server_id=s, schedule_id=schedule_id) for s in sorted(server_ids - known)
    )


def forget(session: Session, server_ids: set[str]) -> None:
    if server_ids:
        session.execute(delete(RetainedServer).where(RetainedServer.server_id.in_(server_ids)))


def unlink(session: Session, schedule_id: str) -> None:
    for model in (ProjectSchedule, RetainedServer):
        session.execute(delete(model).where(model.schedule_id == schedule_id))


class Environment(Base):
    """A set of servers made together from a template in one project, switched on for a
    while (``ttl_hours`` from each start) and deleted at ``expires_at``."""

    __tablename__ = "environments"
    __table_args__ = (UniqueConstraint("project_id", "name"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    partner_id: Mapped[str] = mapped_column(String(36), index=True)
    customer_id: Mapped[str] = mapped_column(String(36), index=True)
    project_id: Mapped[str] = mapped_column(ForeignKey("projects.id"), index=True)
    name: Mapped[str] = mapped_column(String(40))
    template: Mapped[dict[str, Any]] = mapped_column(JSON)
    server_group_id: Mapped[str | None] = mapped_column(String(36))
    running: Mapped[bool] = mapped_column(Boolean, default=True)
    ttl_hours: Mapped[int | None] = mapped_column()
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    stop_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), index=True)
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), index=True)
    notified: Mapped[list[str]] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())


class EnvironmentMember(Base):
    __tablename__ = "environment_members"

    environment_id: Mapped[str] = mapped_column(ForeignKey("environments.id"), primary_key=True)
    slot: Mapped[str] = mapped_column(String(60), primary_key=True)  # web-1, db-1…
    server_id: Mapped[str | None] = mapped_column(String(36))
    error: Mapped[str | None] = mapped_column(String(500))


def members_of(session: Session, environment_id: str) -> list[EnvironmentMember]:
    query = (
        select(EnvironmentMember)
        .where(EnvironmentMember.environment_id == environment_id)
        .order_by(EnvironmentMember.slot)
    )
    return list(session.scalars(query))


def due_environments(session: Session, now: datetime, ahead: timedelta) -> list[Environment]:
    """Environments with a stop or a deletion due before ``now + ahead`` (notices too)."""
    horizon = now + ahead
    query = select(Environment).where(
        or_(
            and_(Environment.running.is_(True), Environment.stop_at <= horizon),
            Environment.expires_at <= horizon,
        )
    )
    return list(session.scalars(query.order_by(Environment.id)))
