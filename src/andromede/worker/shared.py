"""Work shared by several workers through job leases (``andromede.leases``): a periodic
job runs once per period whichever worker reaches it first; a job cut into units (a
month close, partner by partner) is shared, each unit taken by one worker at a time and
taken over when its worker dies."""

import os
import threading
import time
import weakref
from collections.abc import Callable, Iterable
from datetime import timedelta

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
) -> list[str]:
    """Shares ``units`` with the other workers doing the same: each unit is taken by one
    worker at a time and handed to ``work(unit, still_mine)``; ``still_mine(session)``
    renews the lease in the caller's transaction and says whether it is still held
    (``work`` calls it in each transaction it commits, and stops when it says no).
    ``work`` must be idempotent: every worker that reaches a unit does it again, at the
    cost of finding nothing left.
    With ``wait``, units held by another worker are waited for (and taken over once
    its lease runs out), including a unit taken over from this worker; the units this
    worker finished holding their lease, in order."""
    me = holder()
    pending = sorted(set(units))
    start = int(me.rsplit(":", 1)[1], 16) % len(pending) if pending else 0
    pending = pending[start:] + pending[:start]  # workers start at different units
    with app.uow() as session:
        leases.ensure(session, pending, app.clock.now())
    done: list[str] = []
    while pending:
        for unit in list(pending):
            if _take(app, unit, me):
                try:
                    work(unit, _renewer(app, unit, me))
                finally:
                    with app.uow() as session:
                        kept = leases.release(session, unit, me, app.clock.now())
                if kept:
                    pending.remove(unit)
                    done.append(unit)
                # else taken over while this worker did it: the unit stays pending until
                # it is free again, so that the taker dying too does not leave it undone
        if pending and not wait:
            break
        if pending:
            time.sleep(poll)  # held elsewhere: done there, or taken over when it lapses
    return done


def _take(app: App, unit: str, me: str) -> bool:
    with app.uow() as session:
        now = app.clock.now()
        return leases.claim_free(session, unit, me, now, _hold_for(app))


def _renewer(app: App, unit: str, me: str) -> Callable[[Session], bool]:
    def still_mine(session: Session) -> bool:
        return leases.renew(session, unit, me, app.clock.now() + _hold_for(app))

    return still_mine
