"""The bars ``andromede billing close`` draws while a month closes: planning the partners'
usage (most of a large close's time), then issuing their invoices."""

from rich.progress import BarColumn, MofNCompleteColumn, Progress, TaskID

from andromede.cli.language import tr
from andromede.cli.output import working

__all__ = ["CloseBars", "close_progress"]


def close_progress() -> Progress:
    return working(BarColumn(), MofNCompleteColumn())


class CloseBars:
    """A ``CloseProgress`` drawn as two bars: partners planned, invoices issued (their
    total grows as parts of the partners are planned)."""

    def __init__(self, progress: Progress) -> None:
        self.progress = progress
        # no total until the close says: a bar does not move through a made-up one
        self.planning: TaskID = progress.add_task(
            tr("planning usage, partner by partner"), total=None
        )
        self.issuing: TaskID = progress.add_task(tr("issuing invoices"), total=None)
        self.invoices = 0

    def partners(self, count: int) -> None:
        self.progress.update(self.planning, total=count)

    def planned(self, partners: int, invoices: int) -> None:
        self.invoices += invoices
        self.progress.advance(self.planning, partners)
        self.progress.update(self.issuing, total=self.invoices)

    def issued(self, invoices: int) -> None:
        self.progress.advance(self.issuing, invoices)
