"""Admission in arrival order: at most ``limit`` holders at once, the rest served first
come, first served.

``threading.Semaphore`` lets a thread that arrives just as a place frees up take it ahead
of threads already waiting (it barges), so under steady load some requests wait through
several turns: the tail of the latency grows while the mean stays the same. Here a
place that frees up is handed to the longest waiter directly."""

import threading
from collections import deque
from types import TracebackType

__all__ = ["Turns"]


class Turns:
    def __init__(self, limit: int) -> None:
        if limit < 1:
            raise ValueError("limit must be at least 1")
        self._lock = threading.Lock()
        self._free = limit
        self._waiting: deque[threading.Lock] = deque()

    @property
    def waiting(self) -> int:
        """How many wait for a place now."""
        with self._lock:
            return len(self._waiting)

    def __enter__(self) -> None:
        with self._lock:
            if self._free and not self._waiting:
                self._free -= 1
                return
            turn = threading.Lock()
            turn.acquire()
            self._waiting.append(turn)
        turn.acquire()  # released by the holder that hands its place over

    def __exit__(
        self,
        kind: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        with self._lock:
            if self._waiting:
                self._waiting.popleft().release()
            else:
                self._free += 1
