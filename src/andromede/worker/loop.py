"""Runs the reconciler until told to stop; survives transient errors and restarts."""

import logging
import threading

from andromede.compute.reconciler import Reconciler

__all__ = ["run_loop", "start_in_thread"]

log = logging.getLogger("andromede.worker")


def run_loop(reconciler: Reconciler, interval: float, stop: threading.Event) -> None:
    while not stop.is_set():
        try:
            changed = reconciler.run_once()
        except Exception:  # a bad pass must not kill the loop; the next pass retries
            log.exception("reconcile pass failed")
            changed = 0
        if not changed:
            stop.wait(interval)


def start_in_thread(reconciler: Reconciler, interval: float) -> threading.Event:
    stop = threading.Event()
    threading.Thread(
        target=run_loop, args=(reconciler, interval, stop), daemon=True, name="reconciler"
    ).start()
    return stop
