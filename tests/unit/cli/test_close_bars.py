"""The bars of ``andromede billing close``: partners planned out of the month's, invoices
issued out of those planned so far."""

import io

import pytest
from rich.console import Console
from rich.progress import Progress

from andromede.cli.close_bars import CloseBars, close_progress
from andromede.worker.jobs import CloseProgress


def test_the_bars_follow_the_close(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ANDROMEDE_LANG", "fr")
    progress = Progress(console=Console(file=io.StringIO(), force_terminal=True, width=120))
    bars: CloseProgress = CloseBars(progress)
    with progress:
        assert [task.total for task in progress.tasks] == [None, None]  # not known yet
        bars.partners(40)
        bars.planned(20, 1000)
        bars.issued(100)
        bars.planned(20, 1039)
        bars.issued(1939)
        planning, issuing = progress.tasks
        assert (planning.total, planning.completed) == (40, 40)
        assert (issuing.total, issuing.completed) == (2039, 2039)
    assert planning.description == "calcul des consommations, partenaire par partenaire"


def test_the_bars_go_once_the_close_is_done() -> None:
    assert close_progress().live.transient
