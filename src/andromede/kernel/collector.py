"""Passes over very many rows (a scheduler pass reads 100,000 servers, a month close
300,000 events of 10,000) build hundreds of thousands of small objects that hold no
cycles; each few hundred of them wake Python's cyclic collector, which then walks the
young ones again and again for nothing — a quarter of a scheduler pass, 40 % of a month's
plan. The collector is paused for the pass and resumes after it; what the pass left that
holds cycles is collected then. The pause is the process's (threads share the collector):
a request served meanwhile by another thread runs without it for that long, which costs
it nothing but cycles kept a little longer."""

import gc
from collections.abc import Iterator
from contextlib import contextmanager

__all__ = ["collector_paused", "starting_up"]


@contextmanager
def collector_paused() -> Iterator[None]:
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


@contextmanager
def starting_up() -> Iterator[None]:
    """Around a server's start-up (importing its code, building its container and web
    app): what is made there lives as long as the process. The collector is paused
    while it is made, then it all leaves the collector's view (``gc.freeze``), so that
    no collection walks it, then or later. Paused alone, the work only moved: the first
    collection after the pause walked everything made during it."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        if was_enabled:
            gc.enable()
