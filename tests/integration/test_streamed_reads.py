"""A month close reads millions of changes: streamed from the database a few thousand at
a time (on PostgreSQL from a cursor on the server), and turned into changes that share
their servers' strings, so that what the read leaves in memory is the changes alone."""

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from andromede.bootstrap import App, build
from andromede.compute.store import ServerEvent
from andromede.db import driver_rows, driver_rows_streamed
from andromede.kernel.months import month_bounds
from tests.integration.month_of_usage import month_of_usage

COLUMNS = (ServerEvent.seq, ServerEvent.server_id, ServerEvent.at, ServerEvent.to_status)


def test_a_streamed_read_gives_the_rows_of_a_whole_read(container: App) -> None:
    """The same rows in the same order, read ``size`` at a time; on PostgreSQL from a
    cursor on the server while the rows are read, closed once they are all read."""
    month_of_usage(container, 3)
    query = select(*COLUMNS).order_by(ServerEvent.server_id, ServerEvent.at, ServerEvent.seq)
    postgres = container.engine.dialect.name == "postgresql"
    with container.uow(readonly=True) as session:
        whole = driver_rows(session, query)
        rows = driver_rows_streamed(session, query, size=7)
        first = [next(rows) for _ in range(10)]
        if postgres:
            assert _server_cursors(session) == 1
        streamed = first + list(rows)
        if postgres:
            assert _server_cursors(session) == 0
    assert len(whole) > 20 and streamed == whole


def test_a_streamed_read_left_early_closes_its_cursor(container: App) -> None:
    """A reader that stops early (an error in its loop) leaves no cursor open on the
    server, and the transaction goes on."""
    month_of_usage(container, 2)
    query = select(*COLUMNS).order_by(ServerEvent.seq)
    with container.uow(readonly=True) as session:
        rows = driver_rows_streamed(session, query, size=5)
        assert next(rows)[0] is not None
        rows.close()
        if container.engine.dialect.name == "postgresql":
            assert _server_cursors(session) == 0
        assert len(driver_rows(session, query)) > 5


def test_a_months_changes_share_their_servers_strings(container: App) -> None:
    """Each of a server's changes holds the same string objects for its id, project,
    customer, partner and region, not a copy per row as the driver hands them over."""
    clock, _ = month_of_usage(container, 4)
    app = build(container.settings, clock=clock)
    start, end = month_bounds("2026-10")
    with app.uow(readonly=True) as session:
        events, _ = app.metering.carried_events(session, start, end)
    app.engine.dispose()
    assert len({e.server_id for e in events}) == 4
    for event in events:
        same = next(e for e in events if e.server_id == event.server_id)
        for field in ("server_id", "project_id", "customer_id", "partner_id", "region"):
            assert getattr(event, field) is getattr(same, field), field


def _server_cursors(session: Session) -> int:
    return int(session.execute(text("SELECT count(*) FROM pg_cursors")).scalar_one())
