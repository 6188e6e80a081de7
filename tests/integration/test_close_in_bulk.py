"""A month close builds its usage in bulk (a tuple per event, per segment, per rated
piece: hundreds of thousands for 10,000 servers) with Python's cyclic collector paused:
left on, it walked those tuples again every few hundred allocations, 40 % of the plan's
time. It is on again once the plan is made."""

import gc
from typing import Any

from andromede.bootstrap import App, build
from tests.integration.month_of_usage import month_of_usage


def test_a_month_is_planned_without_the_collector_walking_its_usage(container: App) -> None:
    clock, planned = month_of_usage(container, 100)  # 3,000 events: thousands of tuples
    app = build(container.settings, clock=clock)
    collections: list[int] = []

    def note(phase: str, info: dict[str, Any]) -> None:
        if phase == "start":
            collections.append(info["generation"])

    with app.uow(readonly=True) as session:
        assert gc.isenabled()
        gc.callbacks.append(note)
        try:
            drafts = app.issuing.plan(session, "2026-10")
        finally:
            gc.callbacks.remove(note)
    assert len(drafts) == planned > 0
    # none over the month's usage while it is built: at most one as the pause begins
    # (before the usage exists) and one as it ends; left on, the collector passed twenty
    # times over this small month (3,000 events)
    assert len(collections) <= 2, len(collections)
    assert gc.isenabled()  # and back on afterwards
    app.engine.dispose()
