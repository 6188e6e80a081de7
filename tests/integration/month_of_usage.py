"""A month of usage to close, for the tests of the month close: the close benchmark's
October (its bulk seeding, loaded from the script), the clock on 1 November."""

import importlib.util
from datetime import UTC, datetime
from pathlib import Path
from types import ModuleType

from andromede.bootstrap import App, build
from andromede.kernel.clock import FrozenClock

__all__ = ["bench", "month_of_usage"]

ROOT = Path(__file__).resolve().parents[2]


def bench() -> ModuleType:
    """The close benchmark's script (its bulk seeding), loaded as a module."""
    spec = importlib.util.spec_from_file_location("billing_bench", ROOT / "benchmarks/billing.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def october(app: App, servers: int) -> None:
    """The month of the close benchmark."""
    bench().october(app, servers)


def month_of_usage(container: App, servers: int) -> tuple[FrozenClock, int]:
    """October's usage, the clock on 1 November, and how many invoices the close plans."""
    clock = FrozenClock(datetime(2026, 9, 29, tzinfo=UTC))
    app = build(container.settings, clock=clock)
    october(app, servers)
    clock.set(datetime(2026, 11, 1, 6, tzinfo=UTC))
    with app.uow(readonly=True) as session:
        planned = len(app.issuing.plan(session, "2026-10"))
    app.engine.dispose()
    return clock, planned
