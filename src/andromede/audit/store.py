"""Append-only audit table. Entries are never updated; purge is not offered."""

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import BigInteger, Identity, Integer, String, func, insert, select, text, update
from sqlalchemy.orm import Mapped, Session, mapped_column

from andromede.audit.actions import AuditAction
from andromede.audit.entries import ROW_ORDER, iso_utc
from andromede.db import Base, UTCDateTime, apply_scope, time_reader
from andromede.kernel.tenants import Scope

__all__ = ["AuditEntry", "Checkpoint", "append", "in_order", "list_entries"]


class AuditEntry(Base):
    __tablename__ = "audit_entries"

    seq: Mapped[int] = mapped_column(
        BigInteger().with_variant(Integer(), "sqlite"),
        Identity(),
        primary_key=True,
    )
    id: Mapped[str] = mapped_column(String(36), unique=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    actor: Mapped[str] = mapped_column(String(200))
    actor_id: Mapped[str | None] = mapped_column(String(36))
    on_behalf_of: Mapped[str | None] = mapped_column(String(36))
    action: Mapped[str] = mapped_column(String(100))
    target_type: Mapped[str] = mapped_column(String(50))
    target_id: Mapped[str | None] = mapped_column(String(100), index=True)
    tenant_path: Mapped[str] = mapped_column(String(200))
    partner_id: Mapped[str | None] = mapped_column(String(36), index=True)
    customer_id: Mapped[str | None] = mapped_column(String(36), index=True)
    outcome: Mapped[str] = mapped_column(String(200))
    request_id: Mapped[str | None] = mapped_column(String(64))
    grant_id: Mapped[str | None] = mapped_column(String(36))
    realm: Mapped[str | None] = mapped_column(String(20))  # staff, partner, customer, system
    source: Mapped[str | None] = mapped_column(String(64))  # the client's address
    purged_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    leaf_hash: Mapped[str | None] = mapped_column(String(64))


class Checkpoint(Base):
    """A signed tree head: the log had ``size`` entries with this root at this time."""

    __tablename__ = "audit_checkpoints"

    id: Mapped[int] = mapped_column(
        BigInteger().with_variant(Integer(), "sqlite"), Identity(), primary_key=True
    )
    size: Mapped[int] = mapped_column(BigInteger)
    root: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime] = mapped_column(UTCDateTime())
    signature: Mapped[str] = mapped_column(String(128))
    public_key: Mapped[str] = mapped_column(String(64))


_INSERT = insert(AuditEntry)
# PostgreSQL: one advisory lock orders the appends of every process (b"audi")
APPEND_LOCK = 0x61756469
_LOCK = text("SELECT pg_advisory_xact_lock(:key)").bindparams(key=APPEND_LOCK)
_LAST = "audit.last_at"


def in_order(session: Session, at: datetime) -> datetime:
    """``at``, or the log's latest time when that is later: entries appended by any number
    of processes and threads never go back in time in the log's order (SecNumCloud 12.8).

    The latest time is read once per transaction, under the log's append lock, held to the
    commit: on PostgreSQL an advisory lock, on SQLite the write lock every writing
    transaction begins with. Later entries of the transaction follow its own last one."""
    connection = session.connection()  # begins the transaction if none is under way
    transaction = session.get_transaction()
    held = session.info.get(_LAST)
    if held is not None and held[0] is transaction:
        last: datetime | None = held[1]
    else:
        if connection.dialect.name == "postgresql":
            connection.execute(_LOCK)
        last = latest_time(session)
    chosen = at if last is None or at >= last else last
    session.info[_LAST] = (transaction, chosen)
    return chosen


def append(session: Session, values: dict[str, Any]) -> None:
    """A plain INSERT (no unit-of-work bookkeeping): entries are written, never read back
    in the same transaction, and never updated."""
    session.connection().execute(_INSERT, values)


def list_entries(
    session: Session,
    scope: Scope,
    *,
    limit: int,
    before_seq: int | None = None,
    action: str | None = None,
    actor: str | None = None,
) -> list[AuditEntry]:
    """``action``: an action or the family before its dot (``server``); ``actor``: a
    username, exactly."""
    query = apply_scope(
        select(AuditEntry).order_by(AuditEntry.seq.desc()).limit(limit), AuditEntry, scope
    )
    if before_seq is not None:
        query = query.where(AuditEntry.seq < before_seq)
    if action:
        query = query.where(
            (AuditEntry.action == action) | AuditEntry.action.startswith(f"{action}.")
        )
    if actor:
        query = query.where(AuditEntry.actor == actor)
    return list(session.scalars(query))


def entries_of(session: Session, target_type: str, target_id: str) -> list[AuditEntry]:
    query = select(AuditEntry).where(
        AuditEntry.target_id == target_id, AuditEntry.target_type == target_type
    )
    return list(session.scalars(query.order_by(AuditEntry.seq)))


# credentials of the customer's users changed by someone other than the user
FEED_ACTIONS = (AuditAction.USER_CREDENTIALS_RESET,)


def staff_access_entries(
    session: Session, customer_id: str, *, limit: int, before_seq: int | None
) -> list[AuditEntry]:
    query = (
        select(AuditEntry)
        .where(
            AuditEntry.customer_id == customer_id,
            AuditEntry.grant_id.is_not(None)
            | (AuditEntry.target_type == "access_request")
            | AuditEntry.action.in_(FEED_ACTIONS),
        )
        .order_by(AuditEntry.seq.desc())
        .limit(limit)
    )
    if before_seq is not None:
        query = query.where(AuditEntry.seq < before_seq)
    return list(session.scalars(query))


def seqs_of_customer(session: Session, customer_id: str) -> list[int]:
    query = select(AuditEntry.seq).where(AuditEntry.customer_id == customer_id)
    return list(session.scalars(query.order_by(AuditEntry.seq)))


BLANK = {
    "actor": "",
    "actor_id": None,
    "on_behalf_of": None,
    "action": "purged",
    "target_type": "",
    "target_id": None,
    "tenant_path": "",
    "partner_id": None,
    "customer_id": None,
    "outcome": "",
    "request_id": None,
    "grant_id": None,
    "realm": None,
    "source": None,
}


def purge(session: Session, before: datetime, now: datetime) -> int:
    """Blanks the content of entries older than ``before``; seq, id, time and leaf hash
    stay. On PostgreSQL the append-only trigger lets exactly this through, and only
    when the transaction says it is a purge."""
    conn = session.connection()
    if conn.dialect.name == "postgresql":
        conn.exec_driver_sql("SET LOCAL andromede.audit_purge = 'on'")
    result = conn.execute(
        update(AuditEntry)
        .where(AuditEntry.at < before, AuditEntry.purged_at.is_(None))
        .values(**BLANK, purged_at=now)
    )
    if conn.dialect.name == "postgresql":
        conn.exec_driver_sql("SET LOCAL andromede.audit_purge = 'off'")
    return int(result.rowcount or 0)


def _sqlite_time_to_iso(text: str) -> str:
    """SQLite keeps a time as 'YYYY-MM-DD HH:MM:SS.ffffff' (UTC); this gives the same
    string as ``datetime.isoformat()`` of that instant, without building a datetime."""
    if len(text) == 26 and text[10] == " " and text[19] == ".":
        fraction = text[19:] if text[20:] != "000000" else ""
        return f"{text[:10]}T{text[11:19]}{fraction}+00:00"
    return datetime.fromisoformat(text).replace(tzinfo=UTC).isoformat()


def entry_tuples(session: Session, from_seq: int = 1) -> list[tuple[Any, ...]]:
    """Every entry (from ``from_seq`` on) as (seq, leaf_hash, purged_at, *values in
    ROW_ORDER with the time in ISO form), in log order: the shape verification reads a
    million of, straight from the driver without per-row objects."""
    conn = session.connection()
    sqlite = conn.dialect.name == "sqlite"
    # PostgreSQL hands the time over as UTC text: building a million datetime objects
    # only to print them again costs more than reading the rows
    names = [n if n != "at" or sqlite else "at::text" for n in ROW_ORDER]
    columns = ", ".join(["seq", "leaf_hash", "purged_at", *names])
    at = 3 + ROW_ORDER.index("at")
    cursor = conn.connection.cursor()  # the driver's own: tuples, no row objects
    if not sqlite:
        cursor.execute("SET LOCAL TimeZone = 'UTC'")
    mark = "?" if sqlite else "%s"
    cursor.execute(
        f"SELECT {columns} FROM audit_entries WHERE seq >= {mark} ORDER BY seq", (from_seq,)
    )
    rows = cursor.fetchall()
    cursor.close()
    convert = _sqlite_time_to_iso if sqlite else _postgres_time_to_iso
    return [(*r[:at], convert(r[at]), *r[at + 1 :]) for r in rows]


def _postgres_time_to_iso(text: str) -> str:
    """'YYYY-MM-DD HH:MM:SS[.f…]+00' (PostgreSQL's text of a UTC timestamptz) as
    ``datetime.isoformat()`` writes the same instant."""
    if text.endswith("+00") and text[10] == " ":
        clock = text[11:-3]
        if len(clock) == 8:
            return f"{text[:10]}T{clock}+00:00"
        if clock[8] == "." and len(clock) <= 15:
            return f"{text[:10]}T{clock[:8]}.{clock[9:].ljust(6, '0')}+00:00"
    return iso_utc(datetime.fromisoformat(text))


def leaf_hashes(session: Session) -> list[str | None]:
    return list(session.scalars(select(AuditEntry.leaf_hash).order_by(AuditEntry.seq)))


def checkpoints(session: Session) -> list[Checkpoint]:
    return list(session.scalars(select(Checkpoint).order_by(Checkpoint.id)))


def latest_checkpoints(session: Session, count: int) -> list[Checkpoint]:
    query = select(Checkpoint).order_by(Checkpoint.id.desc()).limit(count)
    return list(session.scalars(query))


def latest_time(session: Session) -> datetime | None:
    """The time of the log's last entry (by sequence: the primary key, no scan). A plain
    read on the transaction's connection: entries are written as plain INSERTs too, so
    nothing pending in the session needs flushing first."""
    found: datetime | None = session.connection().execute(_LATEST).scalar()
    return found


_LATEST = select(AuditEntry.at).order_by(AuditEntry.seq.desc()).limit(1)


def backward_steps(session: Session, limit: int = 10) -> list[tuple[int, datetime, datetime]]:
    """(seq, its time, the time of the entry before it) wherever the log's time goes
    back, first ones first: a clock that stepped back leaves this trace."""
    earlier = func.lag(AuditEntry.at).over(order_by=AuditEntry.seq).label("earlier")
    timed = select(AuditEntry.seq, AuditEntry.at, earlier).subquery()
    query = select(timed.c.seq, timed.c.at, timed.c.earlier).where(timed.c.at < timed.c.earlier)
    rows = session.execute(query.order_by(timed.c.seq).limit(limit))
    read = time_reader(session)  # SQLite hands the window's column back as text

    def aware(value: Any) -> datetime:
        return value if isinstance(value, datetime) else read(value)

    return [(int(seq), aware(at), aware(before)) for seq, at, before in rows]
