"""Runs the reconciler until told to stop, and periodic jobs (month close, audit
checkpoints) at their own pace; survives transient errors and restarts."""

import logging
import threading
import time
from collections.abc import Callable, Sequence

from andromede.compute.reconciler import Reconciler

__all__ = ["run_loop", "start_in_thread"]

log = logging.getLogger("andromede.worker")


Periodic = tuple[float, Callable[[], object]]  # (every N seconds, job)


def run_loop(
    reconciler: Reconciler,
    interval: float,
    stop: threading.Event,
    periodic: Sequence[Periodic] = (),
) -> None:
    due = [time.monotonic()] * len(periodic)
    while not stop.is_set():
        for i, (every, job) in enumerate(periodic):
            if time.monotonic() >= due[i]:
                due[i] = time.monotonic() + every
                _guarded(job, "periodic job")
        changed = _guarded(reconciler.run_once, "reconcile pass")
        if not changed:
            stop.wait(interval)


def _guarded(job: Callable[[], object], name: str) -> object:
    try:
        return job()
    except Exception:  # a failed pass must not kill the loop; the next pass retries
        log.exception("%s failed", name)
        return None


def start_in_thread(
    reconciler: Reconciler, interval: float, periodic: Sequence[Periodic] = ()
) -> threading.Event:
    stop = threading.Event()
    threading.Thread(
        target=run_loop,
        args=(reconciler, interval, stop, periodic),
        daemon=True,
        name="reconciler",
    ).start()
    return stop
