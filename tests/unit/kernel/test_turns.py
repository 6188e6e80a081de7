"""Writes admitted in arrival order: a freed place goes to the longest waiter, never to a
thread that arrives just then."""

import threading
import time
from collections.abc import Callable

import pytest

from andromede.kernel.turns import Turns

PATIENCE = 30.0  # seconds a step may take on a loaded machine before the test gives up


def until(condition: Callable[[], bool]) -> None:
    deadline = time.monotonic() + PATIENCE
    while not condition():
        assert time.monotonic() < deadline, "the turn never came"
        time.sleep(0.001)


def entering(turns: Turns, name: str, order: list[str], hold: threading.Event) -> threading.Thread:
    def run() -> None:
        with turns:
            order.append(name)
            hold.wait(PATIENCE)

    thread = threading.Thread(target=run)
    thread.start()
    return thread


def test_waiters_are_admitted_in_the_order_they_came() -> None:
    turns, go = Turns(1), threading.Event()
    order: list[str] = []
    turns.__enter__()
    threads = []
    for name in "abcdef":
        threads.append(entering(turns, name, order, go))
        until(lambda: turns.waiting == len(threads))
    go.set()
    turns.__exit__(None, None, None)
    for t in threads:
        t.join()
    assert order == list("abcdef")


def test_a_freed_place_goes_to_the_waiter_not_to_a_newcomer() -> None:
    """The holder leaves and at once comes back, before the waiter has had a chance to
    run: it queues behind the waiter (a semaphore lets it take the place again)."""
    turns, go = Turns(1), threading.Event()
    order: list[str] = []
    go.set()
    turns.__enter__()
    waiter = entering(turns, "waiter", order, go)
    until(lambda: turns.waiting == 1)
    turns.__exit__(None, None, None)
    with turns:
        order.append("newcomer")
    waiter.join()
    assert order == ["waiter", "newcomer"]


def test_up_to_the_limit_enter_at_once_and_a_place_is_given_back() -> None:
    turns = Turns(3)
    for _ in range(3):
        turns.__enter__()
    assert turns.waiting == 0
    order: list[str] = []
    go = threading.Event()
    go.set()
    late = entering(turns, "fourth", order, go)
    until(lambda: turns.waiting == 1)
    turns.__exit__(None, None, None)
    late.join()
    assert order == ["fourth"]
    for _ in range(2):
        turns.__exit__(None, None, None)
    with turns:  # all three places free again: no wait
        assert turns.waiting == 0


def test_a_limit_below_one_is_refused() -> None:
    with pytest.raises(ValueError, match="at least 1"):
        Turns(0)
