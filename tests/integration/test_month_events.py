"""Metering reads a period's state changes without joining each to its server: the servers
that still existed at the period's start are read once (with their disk), and the changes
along the index kept in (server, time, sequence) order. The servers gone before the period
still leave nothing in it; those gone during it still count until they went."""

from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import select, text, update

from andromede.bootstrap import App, build
from andromede.compute.store import EVENTS_IN_ORDER, Server, ServerEvent, state_changes
from andromede.db import make_engine
from andromede.kernel.months import month_bounds
from andromede.metering.segments import StateEvent
from andromede.schema import upgrade
from tests.integration.month_of_usage import month_of_usage


def test_a_month_reads_the_servers_it_billed_with_their_disks(container: App) -> None:
    clock, _ = month_of_usage(container, 12)
    app = build(container.settings, clock=clock)
    start, end = month_bounds("2026-10")
    with app.uow() as session:
        gone, going, boot = session.scalars(select(Server.id).order_by(Server.id).limit(3))
        when = {gone: datetime(2026, 9, 30, tzinfo=UTC), going: datetime(2026, 10, 20, tzinfo=UTC)}
        for server_id, at in when.items():
            session.execute(update(Server).where(Server.id == server_id).values(deleted_at=at))
        session.execute(update(Server).where(Server.id == boot).values(root_volume_gib=50))
    with app.uow(readonly=True) as session:
        rows = session.execute(select(Server.id, Server.disk_gib, Server.root_volume_gib))
        disks = {server_id: disk + (root or 0) for server_id, disk, root in rows}
    with app.uow(readonly=True) as session:
        events = list(app.servers.state_history(session, start, end, None, StateEvent))
        billed = {s.server_id for s in app.metering.segments(session, start, end)}
    read = {e.server_id for e in events}
    assert gone not in read and gone not in billed  # deleted before October: not its month
    assert {going, boot} <= read and {going, boot} <= billed
    assert read == set(disks) - {gone}
    assert {e.disk_gib for e in events if e.server_id == boot} == {disks[boot]}  # its root too
    assert all(e.disk_gib == disks[e.server_id] for e in events)
    order = [(e.server_id, e.at, e.key) for e in events]
    assert order == sorted(order) and len(set(order)) == len(order) == 11 * 30  # 30 each
    app.engine.dispose()


def test_a_change_is_read_with_the_region_and_owners_it_was_stored_with(
    container: App,
) -> None:
    """The month's read takes a change's region and owners from its server, read once
    (``SERVER_FACTS``), not from the change: each change read is what was stored with it,
    field by field. A server keeps its region and owners for life; the check would fail
    if a change were ever stored with others, or the facts came in another order."""
    clock, _ = month_of_usage(container, 5)
    app = build(container.settings, clock=clock)
    start, end = month_bounds("2026-10")
    stored = select(
        ServerEvent.seq,
        ServerEvent.server_id,
        ServerEvent.to_status,
        ServerEvent.region_code,
        ServerEvent.project_id,
        ServerEvent.customer_id,
        ServerEvent.partner_id,
    )
    with app.uow(readonly=True) as session:
        kept: dict[int | str, tuple[str, ...]] = {
            r[0]: tuple(r[1:]) for r in session.execute(stored)
        }
        events = list(app.servers.state_history(session, start, end, None, StateEvent))
    read = {
        e.key: (e.server_id, e.status, e.region, e.project_id, e.customer_id, e.partner_id)
        for e in events
    }
    assert len(read) == 5 * 30 and read == {k: kept[k] for k in read}
    app.engine.dispose()


def test_the_changes_are_read_along_their_index_without_a_sort(tmp_path: Path) -> None:
    """SQLite says how it reads (PostgreSQL's planner picks by the table's size, so a small
    test table says nothing there: below): the month's 300,000 changes took 1.2 s with a
    join and a sort, 0.7 s along the index, as long as the bare read of the table. And
    from the index alone: a real month's rows lie in the table in the order they happened,
    and fetching each one from there, server by server, made 100,000 servers' read of
    October take 31.6-36.0 s instead of 19.5-21.0 s."""
    url = f"sqlite:///{tmp_path / 'plan.db'}"
    upgrade(url)
    plan = _plan(url, "EXPLAIN QUERY PLAN")
    assert f"COVERING INDEX {EVENTS_IN_ORDER}" in plan, plan
    assert "TEMP B-TREE" not in plan, plan


def test_postgresql_reads_the_changes_from_their_index_alone(pg_database: str) -> None:
    """Sequential scans and sorts put out of the planner's reach, as a table of millions
    of rows does: the read is an index-only scan of the index kept in the read's order."""
    plan = _plan(pg_database, "EXPLAIN", "SET enable_seqscan = off", "SET enable_sort = off")
    assert f"Index Only Scan using {EVENTS_IN_ORDER} on server_events" in plan, plan
    assert "Sort" not in plan, plan


def _plan(url: str, explain: str, *settings: str) -> str:
    """The plan of a month's read, every line of it, after ``settings`` on its connection."""
    engine = make_engine(url)
    query = state_changes(datetime(2026, 11, 1, tzinfo=UTC))
    sql = str(query.compile(engine, compile_kwargs={"literal_binds": True}))
    with engine.connect() as conn:
        for setting in settings:
            conn.execute(text(setting))
        plan = " | ".join(str(row[-1]) for row in conn.execute(text(f"{explain} {sql}")))
    engine.dispose()
    return plan
