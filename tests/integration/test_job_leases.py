"""Periodic jobs run once across workers, and a month close is shared by partner among
workers, surviving a ``kill -9`` of one of them mid-close."""

import logging
import os
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import event, func, select, text, update
from sqlalchemy.orm import Session

from andromede import leases
from andromede.audit.signing import generate_key
from andromede.audit.store import Checkpoint
from andromede.billing.store import Invoice
from andromede.bootstrap import App, build
from andromede.kernel.clock import FrozenClock
from andromede.worker.jobs import close_month, close_previous_month, periodic_jobs
from andromede.worker.shared import run_once_per_period, run_units
from tests.integration.month_of_usage import month_of_usage

ROOT = Path(__file__).resolve().parents[2]


def workers(container: App, clock: FrozenClock, count: int) -> list[App]:
    return [build(container.settings, clock=clock) for _ in range(count)]


def in_threads(apps: list[App], job: Callable[[App], object]) -> list[object]:
    results: list[object] = [None] * len(apps)

    def run(i: int) -> None:
        results[i] = job(apps[i])

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(apps))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results


def test_a_periodic_job_runs_once_per_period_whatever_the_number_of_workers(
    container: App, clock: FrozenClock
) -> None:
    runs: list[datetime] = []
    apps = workers(container, clock, 3)

    def look(app: App) -> bool:
        return run_once_per_period(app, "count", 60.0, lambda _: runs.append(clock.now()))

    assert sorted(in_threads(apps, look)) == [False, False, True]  # type: ignore[type-var]
    assert in_threads(apps, look) == [False] * 3  # the same period: nothing more
    clock.advance(timedelta(seconds=61))
    assert sorted(in_threads(apps, look)) == [False, False, True]  # type: ignore[type-var]
    assert len(runs) == 2
    for app in apps:
        app.engine.dispose()


def test_every_periodic_job_of_the_worker_signs_one_checkpoint_per_minute(
    container: App, clock: FrozenClock, tmp_path: Path
) -> None:
    key = tmp_path / "audit.key"
    generate_key(key)
    container.settings = replace(container.settings, audit_key_file=str(key))
    apps = workers(container, clock, 3)
    with container.uow() as session:  # something to sign
        container.users.ensure_admin(session, "", "operator-secret")

    def every_job(app: App) -> None:
        for _every, job in periodic_jobs(app):
            job()

    in_threads(apps, every_job)
    in_threads(apps, every_job)
    with container.uow(readonly=True) as session:
        assert session.scalar(select(func.count()).select_from(Checkpoint)) == 1
        names = set(session.scalars(select(leases.JobLease.name)))
    assert {"audit-checkpoint", "einvoices-send", "payment-reminders"} <= names
    for app in apps:
        app.engine.dispose()


def test_a_failed_job_is_recorded_and_tried_next_period(container: App, clock: FrozenClock) -> None:
    def fail(_still_mine: object) -> None:
        raise RuntimeError("platform down")

    try:
        run_once_per_period(container, "flaky", 60.0, fail)
    except RuntimeError:
        pass
    with container.uow(readonly=True) as session:
        row = session.get(leases.JobLease, "flaky")
        assert row is not None and row.last_error == "RuntimeError: platform down"
        assert row.holder is None
    assert not run_once_per_period(container, "flaky", 60.0, lambda _: None)
    clock.advance(timedelta(seconds=60))
    assert run_once_per_period(container, "flaky", 60.0, lambda _: None)


def test_a_long_job_keeps_its_lease_into_later_periods_by_renewing_it(
    container: App, clock: FrozenClock
) -> None:
    hold = timedelta(seconds=container.settings.job_lease_seconds)
    other = build(container.settings, clock=clock)
    seen: list[bool] = []

    def long_job(still_mine: Callable[[], bool]) -> None:
        for _ in range(3):  # three steps, each 80 % of a lease: longer than the lease
            clock.advance(hold * 0.8)
            seen.append(still_mine())
            # a later period is due, but the job is renewed: the other worker waits
            seen.append(not run_once_per_period(other, "outbox", 60.0, lambda _: None))
        with container.uow() as session:  # taken over (a lease that lapsed, say)
            session.execute(update(leases.JobLease).values(holder="someone-else"))
        seen.append(not still_mine())

    assert run_once_per_period(container, "outbox", 60.0, long_job)
    assert seen == [True] * 7
    other.engine.dispose()


def test_a_dead_holder_keeps_its_job_until_its_lease_runs_out(
    container: App, clock: FrozenClock
) -> None:
    hold = timedelta(seconds=container.settings.job_lease_seconds)
    now = clock.now()
    with container.uow() as session:  # a worker took the job, then died
        leases.ensure(session, ["close:x"], now)
        assert leases.claim_free(session, "close:x", "dead-worker", now, hold)
    with container.uow() as session:
        assert not leases.claim_free(session, "close:x", "alive", now + hold / 2, hold)
    with container.uow() as session:
        assert leases.claim_free(session, "close:x", "alive", now + hold * 1.01, hold)
    with container.uow() as session:  # the dead one cannot renew nor release it any more
        assert not leases.renew(session, "close:x", "dead-worker", now + hold * 2)
        assert not leases.release(session, "close:x", "dead-worker", now + hold * 2)
        assert leases.release(session, "close:x", "alive", now + hold * 2)


def test_a_unit_taken_over_is_waited_for_again_in_case_its_taker_dies(
    container: App, clock: FrozenClock
) -> None:
    hold = timedelta(seconds=container.settings.job_lease_seconds)
    calls: list[bool] = []

    def work(unit: str, still_mine: Callable[[Session], bool]) -> None:
        with container.uow() as session:
            calls.append(still_mine(session))
        if len(calls) == 1:  # this worker stalls, another takes the unit over, then dies
            clock.advance(hold * 1.1)
            with container.uow() as session:
                assert leases.claim_free(session, unit, "dies-next", clock.now(), hold)
            clock.advance(hold * 1.1)

    assert run_units(container, ["close:x:p"], work, wait=True, poll=0.01) == ["close:x:p"]
    assert calls == [True, True]  # done again by the worker still alive
    with container.uow(readonly=True) as session:
        row = session.get(leases.JobLease, "close:x:p")
        assert row is not None and row.holder is None


def assert_closed_once(container: App, invoices: int) -> None:
    with container.uow(readonly=True) as session:
        rows = session.execute(select(Invoice.number, Invoice.close_key)).all()
    assert len(rows) == invoices
    assert len({r.close_key for r in rows}) == invoices
    by_prefix = Counter(r.number.rsplit("-", 1)[0] for r in rows)
    for prefix, count in by_prefix.items():  # every sequence without a gap
        numbers = sorted(
            int(r.number.rsplit("-", 1)[1]) for r in rows if r.number.startswith(prefix)
        )
        assert numbers == list(range(1, count + 1)), prefix


def test_three_workers_share_a_month_close_by_partner(container: App) -> None:
    clock, planned = month_of_usage(container, 200)
    apps = workers(container, clock, 3)
    reports = in_threads(apps, lambda app: close_month(app, "2026-10"))
    issued = [n for r in reports for n in r.issued]  # type: ignore[attr-defined]
    assert len(issued) == len(set(issued)) == planned > 40
    with container.uow(readonly=True) as session:  # one unit per partner, all let go
        units = session.execute(
            select(leases.JobLease.holder, leases.JobLease.last_finished_at).where(
                leases.JobLease.name.startswith("close:2026-10:")
            )
        ).all()
    assert len(units) == 40 and all(h is None and done for h, done in units)
    assert_closed_once(container, planned)
    for app in apps:
        app.engine.dispose()


def test_a_worker_killed_mid_close_is_taken_over(container: App, tmp_path: Path) -> None:
    _, planned = month_of_usage(container, 2000)
    env = {
        **os.environ,
        "ANDROMEDE_DATABASE_URL": container.settings.database_url,
        "ANDROMEDE_JOB_LEASE_SECONDS": "2",
        "ANDROMEDE_SIM_STATE_PATH": str(tmp_path / "hv.sqlite"),
    }
    command = [str(Path(sys.executable).with_name("andromede")), "billing", "close", "2026-10"]

    def worker() -> subprocess.Popen[str]:
        return subprocess.Popen(
            command, env=env, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
        )

    # The victim starts alone: closing by itself, it holds one partner or the next from its
    # first invoice to its last, so the look below finds it holding one whatever the
    # machine's speed (among three workers its holds were brief, and a look could miss
    # them all). The two others start once it is dead, and must take its partner over.
    victim = worker()
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:  # until the victim holds a partner with work done
        with container.uow(readonly=True) as session:
            held = session.scalar(
                select(func.count())
                .select_from(leases.JobLease)
                .where(leases.JobLease.holder.like(f"%:{victim.pid}:%"))
            )
            issued = session.scalar(select(func.count()).select_from(Invoice))
        if held and issued:
            break
        assert victim.poll() is None, "the close ended before the victim could be killed"
        time.sleep(0.02)
    victim.send_signal(signal.SIGKILL)
    for proc in [worker(), worker()]:
        out, _ = proc.communicate(timeout=180)
        assert proc.returncode == 0, out
    victim.communicate(timeout=10)
    assert victim.returncode == -signal.SIGKILL
    assert_closed_once(container, planned)
    with container.uow(readonly=True) as session:
        units = session.execute(
            select(leases.JobLease.name, leases.JobLease.holder, leases.JobLease.last_finished_at)
        ).all()
    # every unit finished, and none held by a worker still alive; the victim may have
    # taken a unit the others had already finished (every worker goes through every
    # unit) just before it died: that lease lapses, and the unit has nothing left to do
    assert units and all(done is not None for _, _, done in units), units
    kept = [(name, holder) for name, holder, _ in units if holder is not None]
    assert all(f":{victim.pid}:" in holder for _, holder in kept), kept


def test_the_hourly_close_stops_once_a_close_ran_to_its_end(
    container: App, caplog: pytest.LogCaptureFixture
) -> None:
    """Each close it runs is logged for operators, none once the month is closed."""
    caplog.set_level(logging.INFO, logger="andromede.worker")
    clock, planned = month_of_usage(container, 50)
    app = build(container.settings, clock=clock)
    first = close_previous_month(app)
    assert first is not None and len(first.issued) == planned
    closed = "month 2026-10 closed by this worker: {} invoices issued, {} found issued before"
    assert caplog.messages == [closed.format(planned, 0)]
    clock.advance(timedelta(hours=1))
    assert close_previous_month(app) is None  # one query, no planning
    with app.uow() as session:  # a worker took a partner and died
        unit = session.scalars(select(leases.JobLease.name).limit(1)).one()
        assert leases.claim_free(session, unit, "dead", clock.now(), timedelta(seconds=1))
    clock.advance(timedelta(hours=1))
    again = close_previous_month(app)
    assert again is not None and again.issued == [] and again.already == planned
    assert close_previous_month(app) is None
    assert caplog.messages == [closed.format(planned, 0), closed.format(0, planned)]
    app.engine.dispose()


def test_a_batch_of_invoices_costs_statements_per_issuer_not_per_invoice(
    container: App,
) -> None:
    """Issuing reads what a batch needs once and inserts its rows together: the statements
    grow with the issuers whose counters it locks, not with the invoices (a close of
    20,000 invoices used to spend a dozen statements and a commit on each)."""
    clock, planned = month_of_usage(container, 1000)
    app = build(container.settings, clock=clock)
    statements: list[str] = []

    def count(_conn: object, _cursor: object, statement: str, *_: object) -> None:
        statements.append(statement)

    try:
        with app.uow(readonly=True) as session:
            drafts = app.issuing.plan(session, "2026-10")
        event.listen(app.engine, "before_cursor_execute", count)
        with app.uow() as session:
            answers = app.issuing.issue_many(session, drafts)
        event.remove(app.engine, "before_cursor_execute", count)
        assert len(answers) == planned > 200 and None not in answers
        assert_closed_once(container, planned)
    finally:
        app.engine.dispose()
    issuers = len({d.issuer_key for d in drafts})
    # the transaction, each issuer's counter (made if new, then locked), the keys already
    # closed, the holds let go, the commitments and their draws, then one statement per
    # table written: invoices, lines, counters, outbox, its trail
    per_issuer = [s for s in statements if "invoice_sequences" in s and not s.startswith("UPDATE")]
    assert len(per_issuer) == 2 * issuers, [s[:70] for s in statements[:6]]
    assert len(statements) - len(per_issuer) <= 10, [s[:60] for s in statements]


def test_units_are_taken_several_at_once_in_turn_and_let_go_together(
    container: App, clock: FrozenClock
) -> None:
    """One statement takes up to a part's worth of free units, from the worker's first
    unit on and wrapping around, passing over a unit held elsewhere; one lets several go,
    only those still held by whoever lets them go."""
    names = [f"close:z:{x}" for x in "abcde"]
    hold, now = timedelta(minutes=5), clock.now()
    with container.uow() as session:
        leases.ensure(session, names, now)
        assert leases.claim_free(session, "close:z:a", "other", now, hold)
        turn = names[3:] + names[:3]  # d, e, a, b, c
        assert leases.claim_free_many(session, turn, "me", now, hold, 3) == [
            "close:z:d",
            "close:z:e",
            "close:z:b",
        ]
        assert leases.claim_free_many(session, turn, "me", now, hold, 3) == ["close:z:c"]
        assert leases.claim_free_many(session, turn, "me", now, hold, 3) == []
        assert leases.release_many(session, names, "me", now) == {
            "close:z:b",
            "close:z:c",
            "close:z:d",
            "close:z:e",
        }
        row = session.get(leases.JobLease, "close:z:a")
        assert row is not None and row.holder == "other"
        assert leases.claim_free_many(session, names, "me", now + hold * 2, hold, 9) == names


def test_two_workers_taking_units_at_the_same_moment_take_different_ones(
    container: App, clock: FrozenClock
) -> None:
    """On PostgreSQL the second worker takes other units while the first one's
    transaction still holds its own (passed over, not waited for: it would wait past the
    lock timeout and fail); on SQLite one writer at a time, so it takes them after."""
    names = [f"close:w:{x}" for x in "abcd"]
    hold, now = timedelta(minutes=5), clock.now()
    second = build(container.settings, clock=clock)
    postgres = container.engine.dialect.name == "postgresql"
    with container.uow() as session:
        leases.ensure(session, names, now)
    try:
        with container.uow() as session:
            first = leases.claim_free_many(session, names, "first", now, hold, 2)
            if postgres:
                with second.uow() as other:
                    other.execute(text("SET LOCAL lock_timeout = '2s'"))
                    taken = leases.claim_free_many(other, names, "second", now, hold, 2)
        if not postgres:
            with second.uow() as other:
                taken = leases.claim_free_many(other, names, "second", now, hold, 2)
    finally:
        second.engine.dispose()
    assert first == names[:2] and taken == names[2:]
    with container.uow(readonly=True) as session:
        holders = dict(session.execute(select(leases.JobLease.name, leases.JobLease.holder)).all())
    assert [holders[n] for n in names] == ["first", "first", "second", "second"]


def test_a_part_of_units_is_taken_and_let_go_in_one_statement_each(
    container: App,
) -> None:
    """However many units a part holds: one UPDATE takes them, one lets them go (they
    took one transaction each way per unit, 0.8 ms a unit on SQLite)."""
    statements: list[str] = []

    def count(_conn: object, _cursor: object, statement: str, *_: object) -> None:
        if statement.startswith("UPDATE job_leases"):
            statements.append(statement)

    names = [f"close:v:{n:02d}" for n in range(12)]
    worked: list[str] = []
    event.listen(container.engine, "before_cursor_execute", count)
    try:
        done = run_units(container, names, lambda unit, _: worked.append(unit), wait=False)
    finally:
        event.remove(container.engine, "before_cursor_execute", count)
    assert sorted(done) == sorted(worked) == names and len(statements) == 2
    with container.uow(readonly=True) as session:
        assert leases.all_finished(session, "close:v:", datetime.min.replace(tzinfo=UTC))
