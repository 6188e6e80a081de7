"""Work shared by several workers through job leases (``andromede.leases``): a periodic
job runs once per period whichever worker reaches it first; a job cut into units (a
month close, partner by partner) is shared, each unit taken by one worker at a time and
taken over when its worker dies."""

import os
import threading
import time
import weakref
from collections.abc import Callable, Iterable
from datetime import datetime, timedelta

from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from andromede import leases
from andromede.bootstrap import App

__all__ = ["holder", "run_once_per_period", "run_units"]

_HOLDERS: dict[tuple[int, int], str] = {}
_ENSURED: "weakref.WeakKeyDictionary[Engine, set[str]]" = weakref.WeakKeyDictionary()


def holder() -> str:
    """This thread's name on the leases it takes (a forked process gets its own)."""
    key = (os.getpid(), threading.get_ident())
    if key not in _HOLDERS:
        _HOLDERS[key] = leases.holder_name()
    return _HOLDERS[key]


def _hold_for(app: App) -> timedelta:
    return timedelta(seconds=app.settings.job_lease_seconds)


def run_once_per_period(
    app: App, name: str, every: float, job: Callable[[Callable[[], bool]], object]
) -> bool:
    """Runs ``job(still_mine)`` if no worker ran it in the current period (periods aligned
    on the epoch); True if this worker ran it. A long job calls ``still_mine()`` between
    steps: it renews the lease (so that no worker takes the job in a later period while
    this one still runs it) and says whether the job is still this worker's. A failure is
    kept on the lease for operators to read, and the job is tried again next period."""
    me, now = holder(), app.clock.now()
    known = _ENSURED.setdefault(app.engine, set())
    with app.uow() as session:
        if name not in known:  # once per process: a look is then a single UPDATE
            leases.ensure(session, [name], now)
        taken = leases.claim_due(session, name, me, now, timedelta(seconds=every), _hold_for(app))
    known.add(name)
    if not taken:
        return False
    renew = _renewer(app, name, me)

    def still_mine() -> bool:
        with app.uow() as session:
            return renew(session)

    error: str | None = None
    try:
        job(still_mine)
    except Exception as exc:
        error = f"{exc.__class__.__name__}: {exc}"
        raise
    finally:
        with app.uow() as session:
            leases.release(session, name, me, app.clock.now(), error)
    return True


def run_units(
    app: App,
    units: Iterable[str],
    work: Callable[[str, Callable[[Session], bool]], None],
    *,
    wait: bool,
    poll: float = 1.0,
    prepare: Callable[[list[str]], None] | None = None,
    parts: int = 1,
    after: datetime | None = None,
) -> list[str]:
    """Shares ``units`` with the other workers doing the same: each unit is taken by one
    worker at a time and handed to ``work(unit, still_mine)``; ``still_mine(session)``
    renews the lease in the caller's transaction and says whether it is still held
    (``work`` calls it in each transaction it commits, and stops when it says no).
    ``work`` must be idempotent: a worker that reaches a unit again does it again, at the
    cost of finding nothing left; with ``after``, units another worker finished without
    error after that instant are left alone.
    A worker takes up to a ``parts``-th of the units at a time (those free, in turn) and
    hands them to ``prepare`` before working them one by one, then lets them go together:
    what they need is made once for them, and workers share that making too. A unit
    whose work failed is let go with the error, and counts as not done
    (``leases.all_finished``).
    With ``wait``, units held by another worker are waited for (and taken over once
    its lease runs out), including a unit taken over from this worker; the units this
    worker finished holding their lease, in order."""
    me = holder()
    pending = sorted(set(units))
    start = int(me.rsplit(":", 1)[1], 16) % len(pending) if pending else 0
    pending = pending[start:] + pending[:start]  # workers start at different units
    size = -(-len(pending) // max(1, parts)) if pending else 0
    with app.uow() as session:
        leases.ensure(session, pending, app.clock.now())
    done: list[str] = []
    while pending:
        if after is not None:
            with app.uow(readonly=True) as session:
                finished = leases.finished_after(session, pending, after)
            pending = [unit for unit in pending if unit not in finished]
        taken = _free(app, pending, me, size)
        for unit in _worked(app, taken, me, work, prepare):
            pending.remove(unit)
            done.append(unit)
            # a unit taken over while this worker did it stays pending until it is free
            # again, so that the taker dying too does not leave it undone
        if pending and not taken:
            if not wait:
                break
            time.sleep(poll)  # held elsewhere: done there, or taken over when it lapses
    return done


def _free(app: App, pending: list[str], me: str, size: int) -> list[str]:
    """Up to ``size`` of the units, taken in turn where free, in one transaction."""
    with app.uow() as session:
        return leases.claim_free_many(session, pending, me, app.clock.now(), _hold_for(app), size)


def _worked(
    app: App,
    taken: list[str],
    me: str,
    work: Callable[[str, Callable[[Session], bool]], None],
    prepare: Callable[[list[str]], None] | None,
) -> list[str]:
    """``taken`` prepared, then worked one by one, and let go together once all are done
    (one transaction, not one per unit: a close's partners with nothing to invoice cost
    two transactions each); the units this worker still held when it let them go. On a
    failure, the units done are let go as done, the others with the error, and it is
    raised."""
    done: list[str] = []
    try:
        if prepare is not None and taken:
            prepare(taken)
        for unit in taken:
            work(unit, _renewer(app, unit, me))
            done.append(unit)
    except BaseException as exc:
        _release(app, done, me)
        _release(app, taken[len(done) :], me, f"{exc.__class__.__name__}: {exc}")
        raise
    kept = _release(app, done, me)
    return [unit for unit in done if unit in kept]


def _release(app: App, units: list[str], me: str, error: str | None = None) -> set[str]:
    if not units:
        return set()
    with app.uow() as session:
        return leases.release_many(session, units, me, app.clock.now(), error)


def _renewer(app: App, unit: str, me: str) -> Callable[[Session], bool]:
    def still_mine(session: Session) -> bool:
        return leases.renew(session, unit, me, app.clock.now() + _hold_for(app))

    return still_mine
