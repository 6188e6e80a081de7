"""Engine and unit of work for SQLite (embedded default) and PostgreSQL (production).

SQLite runs in WAL mode; writing transactions start with BEGIN IMMEDIATE so two writers
queue on the database lock instead of failing half-way with "database is locked".
"""

import threading
from collections.abc import Callable, Generator, Hashable, Iterable, Iterator
from contextlib import contextmanager, nullcontext, suppress
from datetime import UTC, date, datetime
from functools import cache
from operator import itemgetter
from typing import Any, TypeVar, cast
from weakref import WeakKeyDictionary, WeakSet

import orjson
from sqlalchemy import (
    DateTime,
    MetaData,
    Numeric,
    Select,
    Table,
    TypeDecorator,
    create_engine,
    event,
    false,
    func,
    inspect,
    or_,
    select,
    text,
)
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import Connection, Dialect, Engine
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import DeclarativeBase, Session, make_transient_to_detached, sessionmaker
from sqlalchemy.orm.instrumentation import manager_of_class

from andromede.kernel.clock import ensure_utc
from andromede.kernel.errors import Conflict, NotFound
from andromede.kernel.tenants import Scope

__all__ = [
    "MONEY",
    "RATE",
    "Base",
    "UTCDateTime",
    "UnitOfWork",
    "apply_scope",
    "flush_unique",
    "insert_if_absent",
    "insert_unique",
    "is_postgres",
    "make_engine",
    "scoped_get",
    "scoped_page",
    "scoped_window",
]

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


def is_postgres(engine: Engine) -> bool:
    return engine.dialect.name == "postgresql"


def make_engine(url: str) -> Engine:
    # JSON columns read by orjson: the same values, several times faster (a list of 1,000
    # servers reads 1,000 metadata documents)
    if url.startswith("sqlite"):
        engine = create_engine(
            url,
            connect_args={"check_same_thread": False, "timeout": 30},
            pool_size=20,
            json_deserializer=orjson.loads,
        )
        _configure_sqlite(engine)
        return engine
    # no pre-ping: it costs a round trip per request; stale connections are recycled instead.
    # Sessions in UTC: instants come back in the zone we keep them in, whatever the
    # server's own zone, and date arithmetic in SQL means the same on every server.
    return create_engine(
        url,
        pool_size=20,
        max_overflow=20,
        pool_recycle=1800,
        connect_args={"options": "-c timezone=UTC"},
        json_deserializer=orjson.loads,
    )


def _configure_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        dbapi_conn.isolation_level = None  # we issue BEGIN ourselves
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA synchronous=NORMAL")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute("PRAGMA busy_timeout=30000")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        mode = conn.get_execution_options().get("sqlite_begin", "IMMEDIATE")
        conn.exec_driver_sql(f"BEGIN {mode}")


class UnitOfWork:
    """Opens one transaction per request, command or job; commits only at the entry point.

    On SQLite only one transaction writes at a time anyway; writers of this process queue
    on a lock instead of in SQLite's busy handler, which sleeps and polls (tail latency of
    hundreds of milliseconds under load). Other processes still meet the busy timeout.
    """

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._write = sessionmaker(engine, expire_on_commit=False)
        self._read = sessionmaker(
            engine.execution_options(sqlite_begin="DEFERRED"), expire_on_commit=False
        )
        self._writer: threading.Lock | nullcontext[None] = (
            threading.Lock() if engine.dialect.name == "sqlite" else nullcontext()
        )

    @contextmanager
    def __call__(self, *, readonly: bool = False) -> Iterator[Session]:
        if readonly:
            with self._session(readonly=True) as session:
                yield session
            return
        with self._writer, self._session(readonly=False) as session:
            yield session

    @contextmanager
    def _session(self, *, readonly: bool) -> Iterator[Session]:
        session = (self._read if readonly else self._write)()
        try:
            yield session
            _end_streams(session)
            if not readonly:
                session.commit()
        except BaseException:
            with suppress(Exception):  # the failure that brought us here is the one told
                _end_streams(session)
            session.rollback()
            raise
        finally:
            session.close()  # a read-only transaction ends here; loaded rows stay readable


def _end_streams(session: Session) -> None:
    """Ends the streamed reads (``driver_rows_streamed``) a reader left unfinished:
    on PostgreSQL the connection serves nothing else until one is read to its end, so a
    reader that failed half way (its stream still referenced from the failure's
    traceback) would leave the rollback waiting on it for good."""
    for stream in list(session.info.pop(_STREAMS, ())):
        stream.close()


MONEY = Numeric(16, 2)  # amounts to the cent
RATE = Numeric(18, 8)  # unit prices and rates, before rounding


class UTCDateTime(TypeDecorator[datetime]):
    """Stores UTC; always hands back an aware datetime, whatever the engine keeps."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to the database")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        return None if value is None else ensure_utc(value)

    def result_processor(self, dialect: Any, coltype: Any) -> Any:
        if dialect.name == "sqlite":
            return _sqlite_utc
        return super().result_processor(dialect, coltype)


def _sqlite_utc(value: str | None) -> datetime | None:
    """SQLite keeps the UTC instant as text without an offset: read it aware in one step
    (parsing, then attaching the zone, cost five times as much: a fifth of a 100,000-row
    read)."""
    return None if value is None else _sqlite_time(value)


def _sqlite_time(value: str) -> datetime:
    try:
        return datetime.fromisoformat(value + "+00:00")
    except ValueError:  # written with an offset by something else than us
        return ensure_utc(datetime.fromisoformat(value))


def server_now(session: Session) -> datetime:
    """The database server's own clock (SQLite, embedded, reads the host's)."""
    if session.get_bind().dialect.name == "postgresql":
        return ensure_utc(session.execute(text("SELECT clock_timestamp()")).scalar_one())
    stamp = session.execute(text("SELECT strftime('%Y-%m-%d %H:%M:%f', 'now')")).scalar_one()
    return _sqlite_time(str(stamp))


def driver_rows(session: Session, query: Select[*tuple[Any, ...]]) -> list[tuple[Any, ...]]:
    """The rows of ``query`` as the driver's own tuples: for reads of hundreds of
    thousands of rows, where SQLAlchemy's row objects and result processing cost more than
    the database (a month's 300,000 server events: 3.5 s through a session, 1.9 s so).
    Values come as the driver hands them over: read times with ``time_reader``. Bound
    times are passed in the form the column stores; a list given to ``in_`` becomes one
    parameter per item."""
    conn = session.connection()
    sql, args = _driver_statement(conn, query)
    cursor = conn.connection.cursor()
    try:
        cursor.execute(sql, args)
        return list(cursor.fetchall())
    finally:
        cursor.close()


# Rows a streamed read holds at a time: a few megabytes, however long the read.
STREAM_ROWS = 20_000


_STREAMS = "andromede.streams"  # the session's streamed reads, to end with it


def driver_rows_streamed(
    session: Session, query: Select[*tuple[Any, ...]], size: int = STREAM_ROWS
) -> Generator[tuple[Any, ...], None, None]:
    """``driver_rows``, ``size`` rows at a time, for a reader that keeps less than it
    reads (a month close turns 3 million rows into changes that share their strings,
    and adds them up as they come). Read whole, the rows and everything they hold stayed
    in memory at once: 2.1 GB for each of two workers closing 100,000 servers, whose
    fresh pages cost the kernel 7-8 s of system time a worker (1.3-2 s streamed).
    Handed over one by one, each row is dropped before the next is made: handed over in
    lists of ``size`` (made whole, then added up), 100,000 servers' month took its
    adding up 1.2-1.5 s more on PostgreSQL, and more each time in one process.
    On PostgreSQL the server sends the rows without waiting to be asked, ``size`` rows a
    message: it reads on while the reader works on what came, where a cursor on the
    server waited for each FETCH (one worker's close of 100,000 servers spent a fifth of
    its time waiting so). The connection serves nothing else until the read ends: the
    reader reads it whole before its next statement. A reader that stops early (an error
    in its loop) has the rest read and dropped once the stream is closed, at the latest
    when its unit of work ends (``_end_streams``), not cancelled: a cancelled statement
    would abort the caller's transaction."""
    stream = _rows(session, query, size)
    session.info.setdefault(_STREAMS, WeakSet()).add(stream)
    return stream


def _rows(
    session: Session, query: Select[*tuple[Any, ...]], size: int
) -> Generator[tuple[Any, ...], None, None]:
    conn = session.connection()
    sql, args = _driver_statement(conn, query)
    raw = conn.connection.dbapi_connection
    assert raw is not None  # the connection is open: the transaction runs on it
    cursor = raw.cursor()
    try:
        if conn.dialect.name != "postgresql":
            cursor.execute(sql, args)
            while rows := cursor.fetchmany(size):
                yield from rows
                del rows  # before the next are fetched: one batch held at a time, not two
            return
        from psycopg import pq

        cursor.execute(_PARALLEL_NOW)
        before = cursor.fetchone()
        cursor.execute(_PARALLEL_SET, ("0",))
        sent = cursor.stream(sql, args, size=size)
        try:
            for row in sent:  # noqa: UP028 (``yield from`` would close it: a cancel)
                yield row
        finally:
            for _ in sent:
                pass
            if before and raw.info.transaction_status == pq.TransactionStatus.INTRANS:
                cursor.execute(_PARALLEL_SET, before)  # unless the transaction failed
    finally:
        cursor.close()


# A streamed read runs without the server's parallel workers (its setting put back after):
# the reader takes the rows as they come, and on two cores the workers' Gather Merge only
# competed with it (one worker's close of 100,000 servers: 25.7 s without them, 29.1 s with).
_PARALLEL_NOW = "SELECT current_setting('max_parallel_workers_per_gather')"
_PARALLEL_SET = "SELECT set_config('max_parallel_workers_per_gather', %s, true)"


def _driver_statement(conn: Connection, query: Select[*tuple[Any, ...]]) -> tuple[str, Any]:
    """``query``'s SQL and parameters, as its driver takes them (see ``driver_rows``)."""
    sqlite = conn.dialect.name == "sqlite"
    compiled = query.compile(dialect=conn.dialect, compile_kwargs={"render_postcompile": True})
    params = {
        name: _stored_time(value) if sqlite and isinstance(value, datetime) else value
        for name, value in compiled.construct_params().items()
    }
    args: Any = [params[n] for n in compiled.positiontup or ()] if compiled.positional else params
    return str(compiled), args


def time_reader(session: Session) -> Callable[[Any], datetime]:
    """Turns a time (never NULL) from ``driver_rows`` into an aware UTC datetime."""
    if session.connection().dialect.name == "sqlite":
        return _sqlite_time
    return ensure_utc


def _stored_time(value: datetime) -> str:
    """How SQLite's columns keep a UTC instant (naive text, as SQLAlchemy writes it)."""
    return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")


def apply_scope(query: Select[Any], model: Any, scope: Scope) -> Select[Any]:
    """The single tenant filter every store uses: rows outside the scope do not exist."""
    if scope.nothing:
        return query.where(false())
    if scope.everything:
        return query
    if scope.customer_id is not None:
        return query.where(model.customer_id == scope.customer_id)
    if scope.customer_ids is not None:
        granted = model.customer_id.in_(sorted(scope.customer_ids))
        return query.where(or_(granted, model.customer_id.is_(None)) if scope.unowned else granted)
    return query.where(model.partner_id == scope.partner_id)


M = TypeVar("M")
T = TypeVar("T")
B = TypeVar("B", bound=Base)


def _id(model: type[Any]) -> Any:
    """The id column of a mapped class (every table here has one)."""
    return model.id


def scoped_get(
    session: Session, model: type[M], obj_id: str, scope: Scope, *, lock: bool = False
) -> M | None:
    """One row by id if the scope sees it. ``lock`` takes a row lock (PostgreSQL)."""
    query = apply_scope(select(model).where(_id(model) == obj_id), model, scope)
    found: M | None = session.scalars(query.with_for_update() if lock else query).first()
    return found


def visible_one(
    session: Session, model: type[M], obj_id: str, scope: Scope, kind: str, *, lock: bool = False
) -> M:
    """The row if the scope sees it, else NotFound: another tenant's object gets the same
    answer as one that does not exist."""
    found = scoped_get(session, model, obj_id, scope, lock=lock)
    if found is None:
        raise NotFound(kind, obj_id)
    return found


def scoped_page(
    session: Session,
    model: type[M],
    scope: Scope | None,
    *,
    limit: int,
    marker: str | None,
    filters: dict[str, Any] | None = None,
    where: tuple[Any, ...] = (),
    lean: bool = False,
) -> list[M]:
    """Keyset pagination on id (stable under inserts, cheap at any depth) within a scope
    (None: rows that belong to no tenant, like the catalog). Filters set to None are off.
    ``lean``: read-only rows (named tuples with the model's attribute names) instead of
    mapped objects, for long lists that are only shown: a mapped object costs more to
    build than its row costs to read."""
    what = _attribute_columns(cast(Hashable, model)) if lean else (model,)
    query: Select[Any] = select(*what).order_by(_id(model)).limit(limit)
    if scope is not None:
        query = apply_scope(query, model, scope)
    if marker:
        query = query.where(_id(model) > marker)
    for column, value in (filters or {}).items():
        if value is not None:
            query = query.where(getattr(model, column) == value)
    query = query.where(*where)
    found: Iterable[Any] = session.execute(query) if lean else session.scalars(query)
    return list(found)


@cache
def _attribute_columns(model: Any) -> tuple[Any, ...]:
    mapper = inspect(model)
    return tuple(attr.columns[0].label(attr.key) for attr in mapper.column_attrs)


def scoped_window(
    session: Session,
    model: type[M],
    scope: Scope,
    *,
    order_by: tuple[Any, ...],
    offset: int,
    limit: int,
    filters: dict[str, Any] | None = None,
    where: tuple[Any, ...] = (),
) -> tuple[list[M], int]:
    """A page of rows in the order a person asked for (a console table), and how many
    there are in all: the database sorts, counts and skips, whatever the total."""
    query: Select[Any] = apply_scope(select(model), model, scope).where(*where)
    for column, value in (filters or {}).items():
        if value is not None:
            query = query.where(getattr(model, column) == value)
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    page = query.order_by(*order_by, _id(model)).offset(offset).limit(limit)
    return list(session.scalars(page)), total


def insert_rows(
    session: Session, model: type[Base], rows: list[dict[str, Any]], skip_taken: bool = False
) -> None:
    """Plain rows, each with the same columns, in one statement of the table's own: the
    ORM's bulk insert costs a fifth more, and splits the rows into one statement per
    pattern of NULL columns. Each value goes through its column type's own conversion for
    the database, as SQLAlchemy's ``execute`` would, without the rest of its work per row
    (a month close writes 24,000 invoice lines). A column left out that has a default
    computed here falls back on ``execute``, which fills it in. With ``skip_taken``, a row
    whose key is taken (by another transaction at the same moment too) is left out."""
    if not rows:
        return
    table = cast(Table, model.__table__)
    keys = list(rows[0])
    if any(c.default is not None and c.key not in rows[0] for c in table.columns):
        session.execute(_insert(session.connection().dialect, table, skip_taken), rows)
        return
    session.flush()  # what is pending goes first, as ``execute`` would see to
    conn = session.connection()
    sql, convert, positional = _insert_of(conn.dialect, table, tuple(keys), skip_taken)
    copying = conn.dialect.driver == "psycopg" and len(rows) >= COPY_FROM
    names = [n for n, _ in convert]
    values: list[Any] = _converted(rows, convert)
    if not (positional or copying):
        values = [dict(zip(names, row, strict=True)) for row in values]
    if copying and not skip_taken:
        _copy_rows(conn, table, names, values)
    elif copying and not _copied_unless_taken(conn, table, names, values):
        named = [dict(zip(names, row, strict=True)) for row in values]
        conn.exec_driver_sql(sql, values if positional else named)
    elif not copying:
        conn.exec_driver_sql(sql, values)


# Rows from which PostgreSQL takes them by COPY: a month close's 24,000 invoice lines in
# 0.06 s instead of 0.26-0.31 s as one INSERT each (the driver's executemany, pipelined).
# Fewer go by INSERT, whose statement is cached; COPY cannot skip taken keys. COPY
# is psycopg's (3) own call, hence the driver's name, not the database's.
COPY_FROM = 100


def _copy_rows(conn: Connection, table: Table, keys: list[str], values: list[Any]) -> None:
    """``values`` (tuples converted for the database, in ``keys``' order) into ``table`` by
    COPY, in the transaction of ``conn``."""
    quote = conn.dialect.identifier_preparer.quote
    columns = ", ".join(quote(table.c[key].name) for key in keys)
    raw = conn.connection.dbapi_connection
    assert raw is not None  # the connection is open: the transaction runs on it
    cursor = raw.cursor()
    try:
        with cursor.copy(f"COPY {quote(table.name)} ({columns}) FROM STDIN") as copy:
            for row in values:
                copy.write_row(row)
    finally:
        cursor.close()


def _copied_unless_taken(
    conn: Connection, table: Table, keys: list[str], values: list[Any]
) -> bool:
    """``_copy_rows`` if no row's key is taken, inside a savepoint; False, with nothing
    written, if one is (then the caller inserts skipping the taken keys). Rows that may
    skip taken keys are mostly new (a close records the runs open at a month's end once,
    unless a worker died mid-part): COPY took 100,000 of them in 0.17-0.24 s, against
    0.66-0.69 s as INSERT ... ON CONFLICT DO NOTHING. A key another transaction is
    writing at the same moment waits for it, as that INSERT would, then fails the COPY."""
    import psycopg.errors

    raw = conn.connection.dbapi_connection
    assert raw is not None  # the connection is open: the transaction runs on it
    cursor = raw.cursor()
    try:
        cursor.execute("SAVEPOINT copy_unless_taken")
        try:
            _copy_rows(conn, table, keys, values)
        except psycopg.errors.UniqueViolation:
            cursor.execute("ROLLBACK TO SAVEPOINT copy_unless_taken")
            return False
        cursor.execute("RELEASE SAVEPOINT copy_unless_taken")
        return True
    finally:
        cursor.close()


Converters = list[tuple[str, Callable[[Any], Any] | None]]
# per dialect, per (table, columns, skipping taken keys): an INSERT's SQL, its parameters'
# conversions in order, whether they are positional — compiled once, not once per call
InsertPlan = tuple[str, Converters, bool]
_INSERTS: WeakKeyDictionary[Dialect, dict[tuple[Table, tuple[str, ...], bool], InsertPlan]]
_INSERTS = WeakKeyDictionary()


def _insert_of(
    dialect: Dialect, table: Table, keys: tuple[str, ...], skip_taken: bool
) -> InsertPlan:
    known = _INSERTS.setdefault(dialect, {})
    found = known.get((table, keys, skip_taken))
    if found is None:
        statement = _insert(dialect, table, skip_taken)
        compiled = statement.compile(dialect=dialect, column_keys=list(keys))
        names = list(compiled.positiontup or ()) if compiled.positional else list(keys)
        convert: Converters = [
            (n, table.c[n].type.dialect_impl(dialect).bind_processor(dialect)) for n in names
        ]
        found = known[(table, keys, skip_taken)] = (
            str(compiled),
            convert,
            bool(compiled.positional),
        )
    return found


def _converted(rows: list[dict[str, Any]], convert: Converters) -> list[tuple[Any, ...]]:
    """The rows as tuples in ``convert``'s order, each value through its column's
    conversion, a column at a time: ``map`` runs the loop in C, where a generator per row
    cost a month close's 240,000 invoice lines on SQLite 1.6 s (its money columns become
    floats there)."""
    columns = [_column(list(map(itemgetter(n), rows)), f) for n, f in convert]
    return list(zip(*columns, strict=True))


def _column(values: list[Any], convert: Callable[[Any], Any] | None) -> list[Any]:
    """One column's values converted. Times and dates are converted once per distinct
    value: equal ones are the same instant, which converts alike, and a batch often
    repeats one (a month close's 200,000 carried runs all stand at the month's end; each
    converted, 0.4 s on SQLite)."""
    if convert is None:
        return values
    if values and isinstance(values[0], date):  # datetimes too
        once = {value: convert(value) for value in set(values)}
        return list(map(once.__getitem__, values))
    return list(map(convert, values))


def _insert(dialect: Dialect, table: Table, skip_taken: bool) -> Any:
    if not skip_taken:
        return table.insert()
    insert = pg_insert if dialect.name == "postgresql" else sqlite_insert
    return insert(table).on_conflict_do_nothing()


def insert_loaded(session: Session, model: type[B], rows: list[dict[str, Any]]) -> list[B]:
    """Writes plain rows of one class in one INSERT, then attaches them to the session as
    objects loaded from the database: a month close writes thousands of invoices, and
    building mapped objects attribute by attribute, then flushing them, cost several times
    the statement. A later change to one of them is an UPDATE, as for any loaded object.
    Columns a row leaves out take their default (or NULL)."""
    if not rows:
        return []
    columns = cast(Table, model.__table__).columns
    full = [{c.key: _value_or_default(row.get(c.key), c) for c in columns} for row in rows]
    insert_rows(session, model, full)
    manager = manager_of_class(model)
    found = []
    for row in full:
        item = manager.new_instance()
        item.__dict__.update(row)  # as a load fills it: no attribute events, no history
        make_transient_to_detached(item)
        found.append(item)
    session.add_all(found)
    return found


def _value_or_default(value: Any, column: Any) -> Any:
    if value is None and column.default is not None and column.default.is_scalar:
        return column.default.arg
    return value


def insert_if_absent(session: Session, model: type[Any], rows: list[dict[str, Any]]) -> int:
    """Inserts the rows whose key is not taken yet, in one statement that never fails on a
    duplicate (a row another transaction inserts at the same moment included); how many
    went in."""
    if not rows:
        return 0
    conn = session.connection()
    key = inspect(model).primary_key[0]
    # counted from RETURNING: a many-row insert's rowcount is -1 on PostgreSQL. The rows
    # go as parameters, not as values of the statement: one compiled statement serves
    # every call (with the rows in it, each call compiled its own, ~1 ms)
    statement = _insert(conn.dialect, model.__table__, skip_taken=True).returning(key)
    return len(conn.execute(statement, rows).all())


def insert_unique(session: Session, row: object, duplicate_message: str) -> None:
    session.add(row)
    flush_unique(session, duplicate_message)


def flush_unique(session: Session, duplicate_message: str) -> None:
    """A unique constraint is the only race-free duplicate check; the savepoint keeps the
    surrounding transaction usable."""
    try:
        with session.begin_nested():
            session.flush()
    except IntegrityError:
        raise Conflict(duplicate_message) from None


ABORTED = {"40P01", "40001"}  # PostgreSQL: deadlock detected, serialization failure
ATTEMPTS = 3


def again_if_aborted(attempt: Callable[[], T]) -> T:
    """Runs a whole transaction again when PostgreSQL aborted it to break a deadlock. Two
    creates that claim several hosts each (a cluster's nodes) can lock them in opposite
    orders; the database picks one to abort, and that one, started afresh, then passes.
    Only the whole transaction is retried, never part of it, so nothing is done twice."""
    for left in reversed(range(ATTEMPTS)):
        try:
            return attempt()
        except OperationalError as exc:
            if not left or getattr(exc.orig, "sqlstate", None) not in ABORTED:
                raise
    raise AssertionError("unreachable")


APPEND_ONLY_TABLES = ("audit_entries", "audit_checkpoints")


def grant_application_role(engine: Engine, role: str) -> None:
    """PostgreSQL: a login role for ``serve`` and ``worker`` that reads and writes every
    table but may only append to the audit log — no UPDATE, DELETE or TRUNCATE there, by
    grant and not only by trigger (SecNumCloud 12.7). Run as the schema owner, again after
    each upgrade; the owner keeps migrations and ``audit purge``."""
    if engine.dialect.name != "postgresql":
        raise ValueError("an application role is a PostgreSQL feature")
    if not role.replace("_", "").isalnum() or not role[:1].isalpha() or len(role) > 63:
        raise ValueError(f"{role!r} is not a plain role name (letters, digits, _)")
    audit = ", ".join(APPEND_ONLY_TABLES)
    with engine.begin() as conn:
        exists = conn.execute(text("SELECT 1 FROM pg_roles WHERE rolname = :r"), {"r": role})
        if exists.first() is None:
            conn.execute(text(f'CREATE ROLE "{role}" LOGIN'))
        for statement in (
            f'GRANT USAGE ON SCHEMA public TO "{role}"',
            f'GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO "{role}"',
            f'GRANT USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA public TO "{role}"',
            f'REVOKE UPDATE, DELETE, TRUNCATE ON {audit} FROM "{role}"',
        ):
            conn.execute(text(statement))


def may_rewrite_audit_log(session: Session) -> bool:
    """Whether this connection's role could UPDATE the audit log (SQLite: any writer can)."""
    if session.get_bind().dialect.name != "postgresql":
        return True
    query = text("SELECT has_table_privilege(current_user, 'audit_entries', 'UPDATE')")
    return bool(session.execute(query).scalar_one())
