"""A month close reads the runs open at the month's start as the close of the month
before recorded them, and the month's own changes — not every change of every server
since it was created, which grew each month. Its invoices are those of the whole
history, to the cent."""

import random
from datetime import UTC, datetime, timedelta

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from andromede.billing.statements import Draft
from andromede.bootstrap import App, build
from andromede.compute import store
from andromede.compute.run_carry_store import CarryPoint, RunCarry
from andromede.compute.store import Server
from andromede.kernel.clock import FrozenClock
from andromede.metering.segments import Carried, StateEvent
from andromede.metering.service import CARRIES_KEPT
from andromede.worker.jobs import close_month
from tests.integration.month_of_usage import bench

NOVEMBER = datetime(2026, 11, 1, tzinfo=UTC)
DECEMBER = datetime(2026, 12, 1, tzinfo=UTC)


def two_months(container: App, servers: int, stopped: int = 0) -> App:
    """October (the close benchmark's) and November of ``servers`` servers, October
    closed, the clock on 1 December; the first ``stopped`` servers (by id) stopped an hour
    before October's end."""
    clock = FrozenClock(datetime(2026, 9, 29, tzinfo=UTC))
    app = build(container.settings, clock=clock)
    module = bench()
    module.october(app, servers)
    with app.uow() as session:
        for server in session.scalars(select(Server).order_by(Server.id).limit(stopped)):
            before, server.status = server.status, "SHUTOFF"
            store.record_event(session, server, before, NOVEMBER - timedelta(hours=1))
    module.another_month(app, NOVEMBER, random.Random(7))
    clock.set(datetime(2026, 11, 1, 6, tzinfo=UTC))
    close_month(app, "2026-10")
    clock.set(datetime(2026, 12, 1, 6, tzinfo=UTC))
    return app


def lines(drafts: list[Draft]) -> list[tuple[object, ...]]:
    return [
        (d.close_key, d.kind, [(x.sku, x.quantity, x.unit_price, x.amount) for x in d.lines])
        for d in drafts
    ]


def read_from(
    app: App, session: Session, start: datetime, end: datetime
) -> tuple[list[StateEvent], Carried]:
    """``carried_events`` with the changes read whole, in the session (they are streamed)."""
    changes, carried = app.metering.carried_events(session, start, end)
    return list(changes), carried


def test_a_close_records_the_runs_open_at_the_month_end(container: App) -> None:
    app = two_months(container, 12)
    with app.uow(readonly=True) as session:
        assert session.get(CarryPoint, NOVEMBER) is not None
        carried = session.scalars(select(RunCarry.dimension).where(RunCarry.at == NOVEMBER))
        # every seeded server ends October running: its compute run and its disk's
        assert sorted(carried) == ["compute"] * 12 + ["disk"] * 12
    app.engine.dispose()


def test_the_next_close_reads_the_month_and_the_carried_runs_only(container: App) -> None:
    app = two_months(container, 12)
    with app.uow(readonly=True) as session:
        events, carried = read_from(app, session, NOVEMBER, DECEMBER)
        assert events and all(e.at >= NOVEMBER for e in events)  # no October change
        assert len(carried) == 24 and all(e.at < NOVEMBER for e in carried.values())
        carrying = lines(app.issuing.plan(session, "2026-11"))
    with app.uow() as session:  # as before any close recorded them: the whole history
        session.execute(delete(CarryPoint).where(CarryPoint.at == NOVEMBER))
    with app.uow(readonly=True) as session:
        events, carried = read_from(app, session, NOVEMBER, DECEMBER)
        assert min(e.at for e in events) < NOVEMBER and carried == {}
        whole = lines(app.issuing.plan(session, "2026-11"))
    assert carrying == whole and len(whole) > 0
    app.engine.dispose()


def test_closing_twice_records_the_runs_once(container: App) -> None:
    app = two_months(container, 6)
    close_month(app, "2026-11")
    close_month(app, "2026-11")  # a second close issues nothing new, records nothing new
    with app.uow(readonly=True) as session:
        count = select(func.count()).select_from(RunCarry).where(RunCarry.at == DECEMBER)
        assert session.scalar(count) == 12  # every server ends November running
        assert session.get(CarryPoint, DECEMBER) is not None
    app.engine.dispose()


def test_usage_of_any_period_after_a_close_reads_from_its_month_end(container: App) -> None:
    """A usage report (the daily figures, a customer's page, what schedules saved) of days
    after a closed month reads from that month's end with its carried runs: the same
    segments as from the whole history, the whole cloud's and one customer's, and the same
    time stopped servers stood idle."""
    app = two_months(container, 8, stopped=2)
    start, end = datetime(2026, 11, 10, tzinfo=UTC), datetime(2026, 11, 20, tzinfo=UTC)
    with app.uow(readonly=True) as session:
        events, carried = read_from(app, session, start, end)
        assert min(e.at for e in events) >= NOVEMBER
        # six servers running (compute, disk), two stopped (disk, stopped)
        kinds = sorted(kind for _, kind in carried)
        assert kinds == ["compute"] * 6 + ["disk"] * 8 + ["stopped"] * 2
        owner = events[0].customer_id
        carrying = [app.metering.segments(session, start, end, (), c) for c in (None, owner)]
        idle = app.metering.idle_segments(session, NOVEMBER, DECEMBER)
    with app.uow() as session:
        session.execute(delete(CarryPoint))
    with app.uow(readonly=True) as session:
        whole = [app.metering.segments(session, start, end, (), c) for c in (None, owner)]
        assert app.metering.idle_segments(session, NOVEMBER, DECEMBER) == idle
    assert carrying == whole and all(whole)
    assert sum(1 for s in idle if s.start == NOVEMBER) == 2  # stopped since October
    app.engine.dispose()


def test_runs_recorded_long_before_a_later_close_are_forgotten(container: App) -> None:
    """Each close records a few rows per server; a close ``CARRIES_KEPT`` after them keeps
    them, one a second later forgets them with their point, and a read of their period
    then comes from the whole history: the same segments."""
    app = two_months(container, 6)
    start, end = NOVEMBER + timedelta(days=3), NOVEMBER + timedelta(days=9)
    with app.uow(readonly=True) as session:
        assert session.scalar(select(func.count()).select_from(RunCarry)) == 12
        carrying = app.metering.segments(session, start, end)
    with app.uow() as session:  # a close (with no run open) just within the limit
        app.metering.seal_open_runs(session, NOVEMBER + CARRIES_KEPT)
    with app.uow(readonly=True) as session:
        assert session.get(CarryPoint, NOVEMBER) is not None
        assert session.scalar(select(func.count()).select_from(RunCarry)) == 12
    with app.uow() as session:
        app.metering.seal_open_runs(session, NOVEMBER + CARRIES_KEPT + timedelta(seconds=1))
    with app.uow(readonly=True) as session:
        assert session.get(CarryPoint, NOVEMBER) is None
        assert session.scalar(select(func.count()).select_from(RunCarry)) == 0
        assert session.scalar(select(func.count()).select_from(CarryPoint)) == 2  # the later
        events, carried = read_from(app, session, start, end)
        assert carried == {} and min(e.at for e in events) < NOVEMBER  # the whole history
        assert app.metering.segments(session, start, end) == carrying and carrying
    app.engine.dispose()


def test_the_changes_of_servers_deleted_before_the_period_are_not_read(
    container: App,
) -> None:
    """The read visits the servers alive at the period's start only: the changes of a
    server deleted before it are neither read from the database nor billed."""
    app = two_months(container, 4)
    with app.uow() as session:
        gone = session.scalars(select(Server.id).order_by(Server.id)).first()
        session.execute(update(Server).where(Server.id == gone).values(deleted_at=NOVEMBER))
    with app.uow(readonly=True) as session:
        for since in (NOVEMBER, NOVEMBER + timedelta(seconds=1)):
            disks, rows = store.state_history(session, since, DECEMBER)
            read = {row[1] for row in rows}
            assert (gone in read) == (since == NOVEMBER) and len(read) == len(disks)
    app.engine.dispose()
