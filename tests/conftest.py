"""Databases for the integration tests: a migrated SQLite file per test, and a migrated
PostgreSQL database per test worker, emptied between tests. PostgreSQL is never skipped
silently in CI: without a server there, the run fails."""

import gc
import os
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings
from sqlalchemy import create_engine, text
from sqlalchemy.engine import Engine, make_url

import andromede
from andromede.db import Base, make_engine
from andromede.schema import upgrade

# Two test workers and a database share two cores: how fast Hypothesis draws inputs, or
# how long one example takes on a busy machine, is not what the properties are about. No
# deadline anywhere, so no test's outcome depends on how fast the machine is today.
settings.register_profile("andromede", deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("andromede")

# The CLI speaks the user's locale: the tests read its messages in English on any machine
# (the French ones are tested by setting it back).
os.environ["ANDROMEDE_LANG"] = "en"

PG_URL = os.environ.get("ANDROMEDE_TEST_POSTGRES_URL", "")
COLLECTOR_THRESHOLDS = (20_000, 100, 100)  # Python's own: (700, 10, 10)
IN_CI = os.environ.get("CI", "").lower() == "true"


def _pg_available() -> str | None:
    if not PG_URL:
        return "ANDROMEDE_TEST_POSTGRES_URL is not set"
    try:
        engine = create_engine(PG_URL)
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
        engine.dispose()
    except Exception as exc:  # any connection failure means "not available"
        return f"PostgreSQL unreachable: {exc.__class__.__name__}"
    return None


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("template") / "template.db"
    upgrade(f"sqlite:///{path}")
    return path


@pytest.fixture(scope="session")
def postgres_server() -> str:
    """The URL of the test PostgreSQL server: skipped locally without one, failed in CI."""
    reason = _pg_available()
    if reason:
        if IN_CI:
            pytest.fail(f"PostgreSQL tests must run in CI: {reason}")
        pytest.skip(reason)
    return PG_URL


@pytest.fixture(scope="session")
def pg_database(worker_id: str, postgres_server: str) -> Iterator[str]:
    name = f"andromede_test_{worker_id}_{uuid.uuid4().hex[:6]}"
    admin = create_engine(PG_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(PG_URL).set(database=name).render_as_string(hide_password=False)
    upgrade(url)
    yield url
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def _empty(engine: Engine) -> None:
    """Every row deleted and every sequence back to 1. DELETE, not TRUNCATE: truncating
    80 tables makes 80 new files, about a second per test; deleting the few rows a test
    wrote takes milliseconds. The audit tables' append-only triggers (and the foreign keys'
    own triggers) are off for this transaction only: the test role is a superuser. Sent as
    one string of statements: one round trip instead of 80 (27-32 ms → 14-16 ms a test)."""
    statements = [
        "SET LOCAL session_replication_role = replica",
        *(f'DELETE FROM "{table.name}"' for table in reversed(Base.metadata.sorted_tables)),
        "SELECT setval(oid, 1, false) FROM pg_class WHERE relkind = 'S'",
    ]
    with engine.begin() as conn:
        conn.exec_driver_sql("; ".join(statements))


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        template: Path = request.getfixturevalue("sqlite_template")
        path = tmp_path / "andromede.db"
        shutil.copy(template, path)
        yield f"sqlite:///{path}"
        return
    url: str = request.getfixturevalue("pg_database")
    engine = make_engine(url)
    _empty(engine)
    engine.dispose()
    yield url


def pytest_configure(config: pytest.Config) -> None:
    """A compiled module older than its source (``make compiled``) would test yesterday's
    code under today's name: the run does not start."""
    stale = stale_compiled(Path(andromede.__file__).parent)
    if stale:
        raise pytest.UsageError(f"compiled before their sources changed: {stale}; run make")


def stale_compiled(package: Path) -> list[str]:
    """The C extensions under ``package`` whose Python source is newer than they are."""
    found = []
    for built in package.rglob("*.so"):
        source = built.with_name(built.name.split(".")[0] + ".py")
        if source.exists() and source.stat().st_mtime > built.stat().st_mtime:
            found.append(str(source.relative_to(package.parent)))
    return sorted(found)


def pytest_collection_finish(session: pytest.Session) -> None:
    """The cyclic collector took 28 % of an integration run's time (17 of 60 s in three
    modules, measured with ``gc.callbacks``): every test builds an app, and the
    collector, woken every 700 new objects, walked the older generations again and again
    (608 middle and 29 full collections). What collection imported is frozen out of its
    view, and it runs after 20,000 new objects (7 s of GC in the same run). Cycles are
    still collected, only less often."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(*COLLECTOR_THRESHOLDS)
