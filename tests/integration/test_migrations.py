"""The migrations build exactly the schema the models describe (``alembic check``), plus
the expression indexes only the migrations can say (they differ by database)."""

import warnings

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import text

from andromede.compute.host_store import RANKING_INDEXES
from andromede.db import Base, make_engine

UNCOMPARED = {name for names in RANKING_INDEXES.values() for name in names}


def test_models_and_migrations_agree(db_url: str) -> None:
    engine = make_engine(db_url)
    with engine.connect() as conn:
        context = MigrationContext.configure(
            conn,
            opts={"include_object": lambda o, name, kind, r, c: name not in UNCOMPARED},
        )
        with warnings.catch_warnings():  # SQLite cannot reflect them: said, and checked below
            warnings.filterwarnings("ignore", "Skipped unsupported reflection of expression")
            diff = compare_metadata(context, Base.metadata)
        if engine.dialect.name == "postgresql":
            query = "SELECT indexname FROM pg_indexes WHERE tablename = 'hosts'"
        else:
            query = "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'hosts'"
        indexes = set(conn.scalars(text(query)))
    engine.dispose()
    assert diff == []
    assert set(RANKING_INDEXES[engine.dialect.name]) <= indexes
