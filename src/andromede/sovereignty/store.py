"""Tables for residency policies (versioned, never edited), decisions and findings."""

from datetime import datetime
from functools import cache

from sqlalchemy import (
    JSON,
    Boolean,
    Integer,
    Select,
    String,
    UniqueConstraint,
    and_,
    bindparam,
    func,
    or_,
    select,
)
from sqlalchemy.orm import Mapped, Session, mapped_column

from andromede.db import Base, UTCDateTime

__all__ = ["AccessRequest", "Finding", "PolicyDecision", "PolicyRow", "Supervision"]


class PolicyRow(Base):
    __tablename__ = "policies"
    __table_args__ = (UniqueConstraint("scope_type", "scope_id", "version"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    scope_type: Mapped[str] = mapped_column(String(20))
    scope_id: Mapped[str] = mapped_column(String(36))
    version: Mapped[int] = mapped_column(Integer)
    allow: Mapped[list[str]] = mapped_column(JSON)
    deny: Mapped[list[str]] = mapped_column(JSON)
    min_certification: Mapped[str | None] = mapped_column(String(40))
    mode: Mapped[str] = mapped_column(String(10))
    partner_id: Mapped[str | None] = mapped_column(String(36), index=True)
    customer_id: Mapped[str | None] = mapped_column(String(36), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    created_by: Mapped[str] = mapped_column(String(100))


class PolicyDecision(Base):
    __tablename__ = "policy_decisions"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    action: Mapped[str] = mapped_column(String(40))
    partner_id: Mapped[str | None] = mapped_column(String(36), index=True)
    customer_id: Mapped[str | None] = mapped_column(String(36), index=True)
    project_id: Mapped[str | None] = mapped_column(String(36))
    server_id: Mapped[str | None] = mapped_column(String(36))
    region: Mapped[str] = mapped_column(String(30))
    zone: Mapped[str | None] = mapped_column(String(40))
    allowed: Mapped[bool] = mapped_column(Boolean)
    code: Mapped[str] = mapped_column(String(200))
    versions: Mapped[list[str]] = mapped_column(JSON)


class Finding(Base):
    """A resource that a policy change left outside its policy: reported, never deleted."""

    __tablename__ = "compliance_findings"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime())
    policy_id: Mapped[str] = mapped_column(String(36))
    server_id: Mapped[str] = mapped_column(String(36))  # the resource's id, whatever its kind
    resource_type: Mapped[str] = mapped_column(
        String(20), default="server", server_default="server"
    )
    partner_id: Mapped[str | None] = mapped_column(String(36), index=True)
    customer_id: Mapped[str | None] = mapped_column(String(36), index=True)
    project_id: Mapped[str | None] = mapped_column(String(36))
    region: Mapped[str] = mapped_column(String(30))
    zone: Mapped[str] = mapped_column(String(40))
    code: Mapped[str] = mapped_column(String(200))


def latest(
    session: Session, scope_type: str, scope_id: str, at: datetime | None = None
) -> PolicyRow | None:
    """The version in force now, or at ``at``."""
    query = select(PolicyRow).where(
        PolicyRow.scope_type == scope_type, PolicyRow.scope_id == scope_id
    )
    if at is not None:
        query = query.where(PolicyRow.created_at <= at)
    return session.scalars(query.order_by(PolicyRow.version.desc()).limit(1)).first()


def latest_of(
    session: Session, scopes: list[tuple[str, str]], at: datetime | None = None
) -> dict[tuple[str, str], PolicyRow]:
    """The version in force (now, or at ``at``) of each scope, in one query: a create
    reads its whole chain at once."""
    if not scopes:
        return {}
    values: dict[str, object] = {} if at is None else {"at": at}
    for n, (scope_type, scope_id) in enumerate(scopes):
        values |= {f"type{n}": scope_type, f"id{n}": scope_id}
    found: dict[tuple[str, str], PolicyRow] = {}
    for row in session.scalars(_chain_query(len(scopes), at is not None), values):
        found.setdefault((row.scope_type, row.scope_id), row)
    return found


@cache
def _chain_query(length: int, dated: bool) -> Select[PolicyRow]:
    """Built once per shape of chain (one to four levels, now or at a time): every create
    reads one, and building a statement costs about as much as running it."""
    wanted = or_(
        *(
            and_(
                PolicyRow.scope_type == bindparam(f"type{n}"),
                PolicyRow.scope_id == bindparam(f"id{n}"),
            )
            for n in range(length)
        )
    )
    query = select(PolicyRow).where(wanted)
    if dated:
        query = query.where(PolicyRow.created_at <= bindparam("at"))
    return query.order_by(PolicyRow.version.desc())


def change_times(session: Session, scopes: list[tuple[str, str]]) -> list[datetime]:
    times: list[datetime] = []
    for scope_type, scope_id in scopes:
        times += session.scalars(
            select(PolicyRow.created_at).where(
                PolicyRow.scope_type == scope_type, PolicyRow.scope_id == scope_id
            )
        )
    return sorted(times)


def next_version(session: Session, scope_type: str, scope_id: str) -> int:
    current = session.scalar(
        select(func.max(PolicyRow.version)).where(
            PolicyRow.scope_type == scope_type, PolicyRow.scope_id == scope_id
        )
    )
    return int(current or 0) + 1


class Supervision(Base):
    """An EU staff member's live supervision of one working from outside the EU: while
    it runs, and only then, the supervised member's support operations are served."""

    __tablename__ = "staff_supervisions"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    staff_id: Mapped[str] = mapped_column(String(36), index=True)
    staff: Mapped[str] = mapped_column(String(100))
    supervisor_id: Mapped[str] = mapped_column(String(36))
    supervisor: Mapped[str] = mapped_column(String(100))
    reason: Mapped[str] = mapped_column(String(1000))
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime())
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)


def open_supervision(session: Session, staff_id: str, now: datetime) -> Supervision | None:
    query = select(Supervision).where(
        Supervision.staff_id == staff_id, Supervision.starts_at <= now, Supervision.ends_at > now
    )
    return session.scalars(query.order_by(Supervision.ends_at.desc()).limit(1)).first()


def recent_supervisions(session: Session, count: int) -> list[Supervision]:
    query = select(Supervision).order_by(Supervision.starts_at.desc(), Supervision.id)
    return list(session.scalars(query.limit(count)))


class AccessRequest(Base):
    """A staff request for a customer's data and, once approved, the grant it opens.
    Decisions are times; the state is computed from them (sovereignty/access.py)."""

    __tablename__ = "access_requests"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    partner_id: Mapped[str] = mapped_column(String(36), index=True)
    customer_id: Mapped[str] = mapped_column(String(36), index=True)
    requester_id: Mapped[str] = mapped_column(String(36), index=True)
    requester: Mapped[str] = mapped_column(String(100))
    scope: Mapped[str] = mapped_column(String(20))
    reason: Mapped[str] = mapped_column(String(1000))
    duration_minutes: Mapped[int] = mapped_column(Integer)
    location: Mapped[str] = mapped_column(String(2))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    approved_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    grant_ends_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), index=True)
    denied_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    decided_by: Mapped[str | None] = mapped_column(String(100))
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


def open_grants(session: Session, requester_id: str, now: datetime) -> list[AccessRequest]:
    return list(
        session.scalars(
            select(AccessRequest).where(
                AccessRequest.requester_id == requester_id,
                AccessRequest.grant_ends_at > now,
                AccessRequest.revoked_at.is_(None),
            )
        )
    )


def lapsed(session: Session, pending_since: datetime, now: datetime) -> list[AccessRequest]:
    """Requests whose end (unanswered, or grant ran out) is not yet recorded."""
    return list(
        session.scalars(
            select(AccessRequest)
            .where(
                AccessRequest.closed_at.is_(None),
                AccessRequest.denied_at.is_(None),
                AccessRequest.revoked_at.is_(None),
                (
                    (AccessRequest.approved_at.is_(None))
                    & (AccessRequest.created_at <= pending_since)
                )
                | (AccessRequest.grant_ends_at <= now),
            )
            .with_for_update(skip_locked=True)
        )
    )


def policies_of_customer(session: Session, customer_id: str) -> list[PolicyRow]:
    return list(
        session.scalars(
            select(PolicyRow)
            .where(PolicyRow.customer_id == customer_id)
            .order_by(PolicyRow.scope_type, PolicyRow.scope_id, PolicyRow.version)
        )
    )


def versions_cited(session: Session, customer_id: str) -> set[str]:
    """Every policy version a placement decision for the customer cites."""
    query = select(PolicyDecision.versions).where(PolicyDecision.customer_id == customer_id)
    return {v for versions in session.scalars(query) for v in versions or ()}
