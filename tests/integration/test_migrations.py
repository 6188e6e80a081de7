"""The migrations build exactly the schema the models describe (``alembic check``)."""

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from andromede.db import Base, make_engine


def test_models_and_migrations_agree(db_url: str) -> None:
    engine = make_engine(db_url)
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    engine.dispose()
    assert diff == []
