"""Each test's engine, on its own database, sharing with the others of the process one
dialect and one cache of compiled statements per kind of database. SQLAlchemy keys a
compiled statement by the dialect object itself, so a new engine per test compiled every
statement again: a tenth of the integration tests' time went to compiling the same
SQL. The application's engine is one per process; only the tests make one per test."""

from typing import Any

from sqlalchemy.engine import Dialect, Engine
from sqlalchemy.util import LRUCache

from andromede.db import make_engine

__all__ = ["test_engine"]

_dialects: dict[str, Dialect] = {}
_compiled: dict[str, "LRUCache[Any, Any]"] = {}


def test_engine(url: str) -> Engine:
    """``make_engine(url)`` (its pool, its connection settings, its event handlers),
    with the process's dialect and compiled statements for that kind of database."""
    engine = make_engine(url)  # its events stay its own (SQLite: the BEGIN we issue)
    kind = engine.dialect.name
    engine.dialect = _dialects.setdefault(kind, engine.dialect)
    engine.update_execution_options(compiled_cache=_compiled.setdefault(kind, LRUCache(5000)))
    return engine


test_engine.__test__ = False  # type: ignore[attr-defined]  # a helper, not a test
