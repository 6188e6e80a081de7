"""PostgreSQL: the role the application connects as may append to the audit log and
nothing more there, by grant (SecNumCloud 12.7), while it writes every other table."""

from collections.abc import Iterator

import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ProgrammingError

from andromede.audit import service as audit
from andromede.audit.actions import AuditAction
from andromede.db import grant_application_role, make_engine, may_rewrite_audit_log
from andromede.kernel.clock import SystemClock
from andromede.kernel.tenants import TenantRef


@pytest.fixture
def app_url(pg_database: str, worker_id: str) -> Iterator[str]:
    role = f"andromede_app_{worker_id}"
    owner = make_engine(pg_database)
    grant_application_role(owner, role)
    grant_application_role(owner, role)  # again, as after an upgrade: no error
    yield make_url(pg_database).set(username=role, password=None).render_as_string(False)
    with owner.begin() as conn:
        conn.execute(text(f'DROP OWNED BY "{role}"'))
        conn.execute(text(f'DROP ROLE "{role}"'))
    owner.dispose()


def test_the_application_role_only_appends_to_the_audit_log(app_url: str) -> None:
    engine = make_engine(app_url)
    try:
        with engine.begin() as conn:  # the application writes entries as always
            assert (
                conn.execute(text("SELECT current_user")).scalar_one().startswith("andromede_app")
            )
        from sqlalchemy.orm import Session

        with Session(engine) as session, session.begin():
            audit.record(
                session,
                at=SystemClock().now(),
                actor="system:test",
                actor_id=None,
                action=AuditAction.REGION_CREATE,
                target_type="region",
                target_id="x",
                ref=TenantRef(),
            )  # fmt: skip  (the application writes entries as always)
        for statement in (
            "UPDATE audit_entries SET actor = 'someone'",
            "DELETE FROM audit_entries",
            "TRUNCATE audit_checkpoints",
        ):
            with pytest.raises(ProgrammingError, match="permission denied"), engine.begin() as c:
                c.execute(text(statement))
        with Session(engine) as session:
            assert not may_rewrite_audit_log(session)  # the report's R15 finding goes
        with engine.begin() as conn:  # the rest of the schema is its to write
            conn.execute(text("UPDATE regions SET name = name"))
            assert conn.execute(text("SELECT count(*) FROM audit_entries")).scalar_one() >= 1
    finally:
        engine.dispose()


def test_sqlite_has_no_roles() -> None:
    engine = make_engine("sqlite://")
    with pytest.raises(ValueError, match="PostgreSQL"):
        grant_application_role(engine, "andromede_app")
    engine.dispose()
