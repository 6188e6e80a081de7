"""The test world, built through HTTP once per test worker and kind of database, then put
back row by row into each later test's empty database before its application starts.

Building the world signs in a dozen users and creates the catalog, partners, customers
and projects: about a second per test, for some 600 tests. Its rows are what a later
test would have built itself (tokens are stored as hashes, ids are the same, the clock
is frozen at the same instant), so the test sees the very state the HTTP calls make.
The world is rebuilt through HTTP whenever the clock starts elsewhere."""

import copy
from datetime import datetime
from typing import Any

from sqlalchemy import Engine, func, select, text

from andromede.db import Base
from tests.integration.builders import World
from tests.integration.engines import test_engine

Rows = dict[str, list[dict[str, Any]]]
Key = tuple[str, datetime]

_built: dict[Key, tuple[World, Rows]] = {}


def key(db_url: str, now: datetime) -> Key:
    return (db_url.split(":", 1)[0], now)


def cached(at: Key) -> World | None:
    found = _built.get(at)
    return copy.deepcopy(found[0]) if found else None


def keep(at: Key, world: World, engine: Engine) -> None:
    """The world's rows, read once it is built."""
    with engine.connect() as conn:
        rows = {
            table.name: [dict(row._mapping) for row in conn.execute(select(table))]
            for table in Base.metadata.sorted_tables
        }
    _built[at] = (copy.deepcopy(world), rows)


def restore(at: Key, db_url: str) -> None:
    """The world's rows into the test's empty database, parents first; on PostgreSQL the
    identity sequences then continue after the rows put back."""
    rows = _built[at][1]
    engine = test_engine(db_url)  # the world's INSERTs compiled once per process
    try:
        with engine.begin() as conn:
            for table in Base.metadata.sorted_tables:
                if rows[table.name]:
                    conn.execute(table.insert(), rows[table.name])
            if engine.dialect.name == "postgresql":
                for table in Base.metadata.sorted_tables:
                    for column in table.primary_key.columns:
                        if rows[table.name] and column.type.python_type is int:
                            _continue_sequence(conn, table.name, column.name)
    finally:
        engine.dispose()


def _continue_sequence(conn: Any, table: str, column: str) -> None:
    sequence = conn.scalar(text("SELECT pg_get_serial_sequence(:t, :c)"), {"t": table, "c": column})
    if sequence is not None:
        top = conn.scalar(select(func.max(text(column))).select_from(text(f'"{table}"')))
        conn.execute(text("SELECT setval(:s, :v)"), {"s": sequence, "v": top})
