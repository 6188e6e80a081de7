"""A transaction PostgreSQL aborted to break a deadlock is run again, whole, a bounded
number of times; any other database error is raised at once."""

import pytest
from sqlalchemy.exc import OperationalError

from andromede.db import ATTEMPTS, again_if_aborted


class Aborted(Exception):
    """What the driver raises: an error carrying PostgreSQL's SQLSTATE."""

    def __init__(self, sqlstate: str) -> None:
        super().__init__(sqlstate)
        self.sqlstate = sqlstate


def failing(codes: list[str], result: str = "done") -> tuple[list[int], object]:
    calls: list[int] = []

    def attempt() -> str:
        calls.append(1)
        if len(calls) <= len(codes):
            raise OperationalError("stmt", {}, Aborted(codes[len(calls) - 1]))
        return result

    return calls, attempt


def test_a_deadlock_victim_runs_again_and_passes() -> None:
    calls, attempt = failing(["40P01", "40001"])
    assert again_if_aborted(attempt) == "done"  # type: ignore[arg-type]
    assert len(calls) == 3


def test_it_gives_up_after_the_last_attempt() -> None:
    calls, attempt = failing(["40P01"] * ATTEMPTS)
    with pytest.raises(OperationalError):
        again_if_aborted(attempt)  # type: ignore[arg-type]
    assert len(calls) == ATTEMPTS


def test_other_errors_are_not_retried() -> None:
    calls, attempt = failing(["53300"])  # too many connections
    with pytest.raises(OperationalError):
        again_if_aborted(attempt)  # type: ignore[arg-type]
    assert len(calls) == 1
