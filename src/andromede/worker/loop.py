"""Runs the reconciler until told to stop, and a periodic job (the month close) once an
hour; survives transient errors and restarts."""

import logging
import threading
import time
from collections.abc import Callable

from andromede.compute.reconciler import Reconciler

__all__ = ["run_loop", "start_in_thread"]

log = logging.getLogger("andromede.worker")
PERIODIC_SECONDS = 3600.0


def run_loop(
    reconciler: Reconciler,
    interval: float,
    stop: threading.Event,
    periodic: Callable[[], object] | None = None,
) -> None:
    next_periodic = time.monotonic()
    while not stop.is_set():
        if periodic is not None and time.monotonic() >= next_periodic:
            next_periodic = time.monotonic() + PERIODIC_SECONDS
            _guarded(periodic, "periodic job")
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
    reconciler: Reconciler, interval: float, periodic: Callable[[], object] | None = None
) -> threading.Event:
    stop = threading.Event()
    threading.Thread(
        target=run_loop,
        args=(reconciler, interval, stop, periodic),
        daemon=True,
        name="reconciler",
    ).start()
    return stop
