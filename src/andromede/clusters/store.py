"""Tables of clusters: templates (the operator's or a partner's), clusters and their
nodes (each a server of compute's, named here by id only)."""

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    ForeignKey,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
    select,
)
from sqlalchemy.orm import Mapped, Session, mapped_column

from andromede.db import Base, UTCDateTime

__all__ = ["Cluster", "ClusterJob", "ClusterNode", "ClusterTemplate"]


class ClusterTemplate(Base):
    """A published cluster shape: the operator's (``partner_id`` None, seen by everyone)
    or a partner's (seen by the partner and its customers)."""

    __tablename__ = "cluster_templates"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    partner_id: Mapped[str | None] = mapped_column(String(36), index=True)
    name: Mapped[str] = mapped_column(String(50))
    description: Mapped[str] = mapped_column(String(255), default="")
    body: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class Cluster(Base):
    __tablename__ = "clusters"
    __table_args__ = (UniqueConstraint("project_id", "name"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    partner_id: Mapped[str] = mapped_column(String(36), index=True)
    customer_id: Mapped[str] = mapped_column(String(36), index=True)
    project_id: Mapped[str] = mapped_column(ForeignKey("projects.id"), index=True)
    name: Mapped[str] = mapped_column(String(40))
    template_id: Mapped[str | None] = mapped_column(String(36))
    body: Mapped[dict[str, Any]] = mapped_column(JSON)  # the checked shape, as made
    region: Mapped[str] = mapped_column(String(30))
    zone: Mapped[str | None] = mapped_column(String(40))
    status: Mapped[str] = mapped_column(String(20), index=True)
    reason: Mapped[str | None] = mapped_column(String(500))
    replication: Mapped[int] = mapped_column(Integer)  # HDFS copies of a block (0: none)
    server_group_id: Mapped[str | None] = mapped_column(String(36))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())


class ClusterNode(Base):
    __tablename__ = "cluster_nodes"
    __table_args__ = (UniqueConstraint("cluster_id", "group_name", "number"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    cluster_id: Mapped[str] = mapped_column(ForeignKey("clusters.id"), index=True)
    group_name: Mapped[str] = mapped_column(String(20))
    number: Mapped[int] = mapped_column(Integer)  # in its group; the newest is the highest
    role: Mapped[str] = mapped_column(String(10))
    name: Mapped[str] = mapped_column(String(80))
    server_id: Mapped[str] = mapped_column(String(36), index=True)
    address: Mapped[str | None] = mapped_column(String(45))
    draining: Mapped[bool] = mapped_column(default=False)


class ClusterRun(Base):
    """How a cluster runs beside its nodes: whether it deletes itself once its jobs are
    done (transient), and whether its runtime was started."""

    __tablename__ = "cluster_runs"

    cluster_id: Mapped[str] = mapped_column(ForeignKey("clusters.id"), primary_key=True)
    transient: Mapped[bool] = mapped_column(Boolean, default=False)
    started: Mapped[bool] = mapped_column(Boolean, default=False)


class ClusterJob(Base):
    __tablename__ = "cluster_jobs"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    cluster_id: Mapped[str] = mapped_column(ForeignKey("clusters.id"), index=True)
    partner_id: Mapped[str] = mapped_column(String(36))
    customer_id: Mapped[str] = mapped_column(String(36), index=True)
    project_id: Mapped[str] = mapped_column(String(36))
    name: Mapped[str] = mapped_column(String(80))
    file_name: Mapped[str] = mapped_column(String(100))
    content: Mapped[bytes] = mapped_column(LargeBinary)
    files: Mapped[dict[str, str]] = mapped_column(JSON)  # name -> base64
    args: Mapped[list[str]] = mapped_column(JSON)
    conf: Mapped[dict[str, str]] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(10), index=True)
    kill_asked: Mapped[bool] = mapped_column(Boolean, default=False)
    exit_code: Mapped[int | None] = mapped_column(Integer)
    output: Mapped[str] = mapped_column(Text, default="")
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime())
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


def jobs_in(session: Session, statuses: tuple[str, ...]) -> list[ClusterJob]:
    query = select(ClusterJob).where(ClusterJob.status.in_(statuses)).order_by(ClusterJob.id)
    return list(session.scalars(query))


def jobs_of(session: Session, cluster_id: str) -> list[ClusterJob]:
    query = (
        select(ClusterJob)
        .where(ClusterJob.cluster_id == cluster_id)
        .order_by(ClusterJob.submitted_at, ClusterJob.id)
    )
    return list(session.scalars(query))


def nodes_of(session: Session, cluster_id: str) -> list[ClusterNode]:
    query = (
        select(ClusterNode)
        .where(ClusterNode.cluster_id == cluster_id)
        .order_by(ClusterNode.group_name, ClusterNode.number)
    )
    return list(session.scalars(query))


def in_status(session: Session, statuses: tuple[str, ...]) -> list[Cluster]:
    query = select(Cluster).where(Cluster.status.in_(statuses)).order_by(Cluster.id)
    return list(session.scalars(query))


def templates_seen(session: Session, partner_id: str | None, everything: bool) -> list[Any]:
    query = select(ClusterTemplate).order_by(ClusterTemplate.name, ClusterTemplate.id)
    if not everything:
        query = query.where(
            (ClusterTemplate.partner_id.is_(None)) | (ClusterTemplate.partner_id == partner_id)
        )
    return list(session.scalars(query))


def all_runs(session: Session) -> list[ClusterRun]:
    return list(session.scalars(select(ClusterRun)))
