"""Jobs of the worker, each owning its transactions: the month close."""

from dataclasses import dataclass, field
from datetime import timedelta

from andromede.bootstrap import App

__all__ = ["CloseReport", "close_month", "close_previous_month"]


@dataclass
class CloseReport:
    month: str
    issued: list[str] = field(default_factory=list)  # invoice numbers
    already: int = 0


def close_month(app: App, month: str) -> CloseReport:
    """Plans the month, then issues each invoice in a transaction of its own: a crash
    loses nothing already issued, and running again issues only what is missing."""
    with app.uow(readonly=True) as session:
        drafts = app.billing.plan(session, month)
    report = CloseReport(month)
    for draft in drafts:
        with app.uow() as session:
            invoice = app.billing.issue(session, draft)
            if invoice is None:
                report.already += 1
            else:
                report.issued.append(invoice.number)
    return report


def close_previous_month(app: App) -> CloseReport:
    """What the worker runs now and then: closing is idempotent, so running it every
    hour of the month issues the invoices once, as soon as the month is over."""
    first_of_month = app.clock.now().replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    previous = (first_of_month - timedelta(days=1)).strftime("%Y-%m")
    return close_month(app, previous)
