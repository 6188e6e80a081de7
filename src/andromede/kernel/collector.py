"""Passes over very many rows (a scheduler pass reads 100,000 servers) build hundreds of
thousands of small objects that hold no cycles; each few hundred of them wake Python's
cyclic collector, which then walks the young ones again and again for nothing — a quarter
of such a pass. The collector is paused for the pass and resumes after it; what the pass
left that holds cycles is collected then."""

import gc
from collections.abc import Iterator
from contextlib import contextmanager

__all__ = ["collector_paused"]


@contextmanager
def collector_paused() -> Iterator[None]:
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
