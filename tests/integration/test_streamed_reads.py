"""A month close reads millions of changes: streamed from the database a few thousand at
a time (on PostgreSQL sent by the server as the reader goes), and turned into changes that
share their servers' strings, so that what the read leaves in memory is the changes
alone."""

import threading
import tracemalloc
from collections.abc import Callable
from datetime import datetime, timedelta

from sqlalchemy import column, delete, func, select, table, text
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from andromede.bootstrap import App, build
from andromede.compute.store import ServerEvent, state_history
from andromede.db import driver_rows, driver_rows_streamed, insert_rows, make_engine
from andromede.kernel.months import month_bounds
from tests.integration.month_of_usage import month_of_usage

COLUMNS = (ServerEvent.seq, ServerEvent.server_id, ServerEvent.at, ServerEvent.to_status)


def test_a_streamed_read_gives_the_rows_of_a_whole_read(container: App) -> None:
    """The same rows in the same order, read ``size`` at a time."""
    month_of_usage(container, 3)
    query = select(*COLUMNS).order_by(ServerEvent.server_id, ServerEvent.at, ServerEvent.seq)
    with container.uow(readonly=True) as session:
        whole = driver_rows(session, query)
        streamed = list(driver_rows_streamed(session, query, size=7))
    assert len(whole) > 20 and streamed == whole


def test_a_streamed_read_holds_a_few_rows_at_a_time(container: App) -> None:
    """Python's own memory at its peak while a reader goes through 900 rows keeping
    none: a whole read holds them all at once, a streamed one ``size`` of them."""
    month_of_usage(container, 30)
    query = select(*COLUMNS).order_by(ServerEvent.seq)
    with container.uow(readonly=True) as session:
        count = len(driver_rows(session, query))  # statements compiled, caches warm
        whole = _peak(lambda: len(driver_rows(session, query)))
        streamed = _peak(lambda: sum(1 for _ in driver_rows_streamed(session, query, size=10)))
    assert count == 900
    assert streamed * 5 < whole, (streamed, whole)


def test_a_streamed_read_left_early_leaves_the_transaction_going_on(container: App) -> None:
    """A reader that stops early (an error in its loop): the rest is read and dropped,
    and the transaction goes on (on PostgreSQL, cancelling the statement would have
    aborted it)."""
    month_of_usage(container, 2)
    query = select(*COLUMNS).order_by(ServerEvent.seq)
    with container.uow() as session:
        rows = driver_rows_streamed(session, query, size=5)
        assert next(rows)[0] is not None
        rows.close()
        assert len(driver_rows(session, query)) > 5
        session.execute(delete(ServerEvent).where(ServerEvent.seq < 0))


def test_a_reader_failing_half_way_through_a_stream_leaves_its_unit_of_work_able_to_end(
    container: App,
) -> None:
    """A close adds up a month as it is read: a failure half way leaves the stream
    unfinished, and still referenced from the failure's traceback. The unit of work ends
    it before it rolls back (on PostgreSQL the rollback would otherwise wait on the
    connection for good), and the next one reads as usual. Run in a thread, so that a
    wait for good fails the test instead of hanging the run."""
    month_of_usage(container, 3)
    query = select(*COLUMNS).order_by(ServerEvent.seq)
    failures: list[BaseException] = []

    def fail_half_way() -> None:
        try:
            with container.uow(readonly=True) as session:
                rows = driver_rows_streamed(session, query, size=5)
                for row in rows:
                    raise LookupError(f"a reader failing at its first row, {row[0]}")
        except LookupError as failure:
            failures.append(failure)  # the traceback holds the stream, as a close's would

    reader = threading.Thread(target=fail_half_way, daemon=True)
    reader.start()
    reader.join(timeout=60)
    assert not reader.is_alive(), "the rollback waited on the unfinished stream"
    assert len(failures) == 1 and failures[0].__traceback__ is not None
    with container.uow(readonly=True) as session:
        assert len(driver_rows(session, query)) == 90


def test_postgresql_reads_on_after_a_reader_stops_while_the_server_still_sends(
    postgres_server: str,
) -> None:
    """60 MB of rows: the server is still sending when the reader stops, so a cancel
    would reach the statement and abort the transaction; the next statement runs."""
    engine = make_engine(postgres_server)
    many = select(func.repeat("x", 200)).select_from(func.generate_series(1, 300_000).alias())
    with Session(engine) as session:
        rows = driver_rows_streamed(session, many, size=1_000)
        assert len(next(rows)[0]) == 200
        rows.close()
        assert (
            session.execute(
                select(func.count()).select_from(func.generate_series(1, 3))
            ).scalar_one()
            == 3
        )
    engine.dispose()


def test_postgresql_streams_without_parallel_workers_then_puts_the_setting_back(
    pg_database: str,
) -> None:
    """A read the server would share with its parallel workers (a sort, made to look worth
    sharing as one of millions of rows would):
    while it is read, the reader's backend leads none; afterwards the setting is back."""
    engine = make_engine(pg_database)
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE probe AS SELECT g AS n, md5(g::text) AS s "
                          "FROM generate_series(1, 300000) AS g"))  # fmt: skip
        conn.execute(text("ANALYZE probe"))
    probe = table("probe", column("n"), column("s"))
    try:
        with Session(engine) as session:
            for eager in (
                "parallel_setup_cost",
                "parallel_tuple_cost",
                "min_parallel_table_scan_size",
            ):
                session.execute(text(f"SET {eager} = 0"))  # as for a table of millions of rows
            plan = session.execute(text("EXPLAIN SELECT n, s FROM probe ORDER BY s")).scalars()
            assert any("Gather" in line for line in plan)  # left alone, it would
            before = session.execute(text("SHOW max_parallel_workers_per_gather")).scalar_one()
            backend = session.execute(text("SELECT pg_backend_pid()")).scalar_one()
            rows = driver_rows_streamed(session, select(probe).order_by(probe.c.s), size=1_000)
            next(rows)
            helpers = _helpers_of(engine, backend)
            rest = sum(1 for _ in rows)  # first: the connection serves nothing else till then
            assert helpers == 0
            assert rest == 299_999
            after = session.execute(text("SHOW max_parallel_workers_per_gather")).scalar_one()
            assert after == before != "0"
    finally:
        with engine.begin() as conn:
            conn.execute(text("DROP TABLE probe"))
        engine.dispose()


def _helpers_of(engine: Engine, backend: int) -> int:
    """The parallel workers the backend ``backend`` leads now, seen from another session."""
    with engine.connect() as other:
        found = other.execute(
            text("SELECT count(*) FROM pg_stat_activity WHERE leader_pid = :pid"), {"pid": backend}
        )
        return int(found.scalar_one())


def test_a_months_changes_share_their_servers_strings(container: App) -> None:
    """Each of a server's changes holds the same string objects for its id, project,
    customer, partner and region, not a copy per row as the driver hands them over."""
    clock, _ = month_of_usage(container, 4)
    app = build(container.settings, clock=clock)
    start, end = month_bounds("2026-10")
    with app.uow(readonly=True) as session:
        changes, _ = app.metering.carried_events(session, start, end)
        events = list(changes)
    app.engine.dispose()
    assert len({e.server_id for e in events}) == 4
    for event in events:
        same = next(e for e in events if e.server_id == event.server_id)
        for field in ("server_id", "project_id", "customer_id", "partner_id", "region"):
            assert getattr(event, field) is getattr(same, field), field


def _peak(read: Callable[[], int], count: int = 900) -> int:
    """Bytes Python allocated at most while ``read`` ran (giving ``count`` things),
    beyond what it held before."""
    tracemalloc.start()
    try:
        assert read() == count
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_a_months_usage_is_added_up_as_its_changes_are_read(container: App) -> None:
    """The close adds up each server's changes as they come (``by_server_streamed``): it
    holds a streamed read's rows and one server's changes at a time, not the month's. 50
    servers changing 1,530 times each: beyond what the bare streamed read holds at its
    peak (``STREAM_ROWS`` rows), ``month_usage`` holds less than half of what holding the
    changes whole adds (and the less, the longer the month). Held whole, 100,000 servers'
    3 million changes cost the kernel fresh pages, and the close about 3 s more on
    SQLite."""
    clock, _ = month_of_usage(container, 50)
    app = build(container.settings, clock=clock)
    start, end = month_bounds("2026-10")
    with app.uow() as session:
        insert_rows(session, ServerEvent, _more_changes(session, 1_500, start))
    month = 50 * 1_530
    with app.uow(readonly=True) as session:
        pieces = len(app.rating.month_usage(session, start, end)[0])  # statements compiled
        facts, rows = state_history(session, start, end)
        assert len(facts) == 50 and sum(1 for _ in rows) == month
        read = _peak(lambda: sum(1 for _ in state_history(session, start, end)[1]), month)
        held = _peak(lambda: len(list(app.metering.carried_events(session, start, end)[0])), month)
        added_up = _peak(lambda: len(app.rating.month_usage(session, start, end)[0]), pieces)
    app.engine.dispose()
    assert (added_up - read) * 2 < held - read, (added_up, read, held)


def _more_changes(session: Session, count: int, start: datetime) -> list[dict[str, object]]:
    """``count`` more changes of each server in October, from its own stored ones."""
    rows = session.execute(select(ServerEvent).order_by(ServerEvent.seq)).scalars()
    firsts = {row.server_id: row for row in rows}
    return [
        {
            "server_id": row.server_id,
            "at": start + timedelta(seconds=1_000 * n + 7),
            "from_status": None,
            "to_status": ("ACTIVE", "SHUTOFF")[n % 2],
            "host_id": None,
            "region_code": row.region_code,
            "flavor_id": row.flavor_id,
            "project_id": row.project_id,
            "customer_id": row.customer_id,
            "partner_id": row.partner_id,
        }
        for row in firsts.values()
        for n in range(count)
    ]
