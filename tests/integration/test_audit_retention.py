"""Retention: nothing younger than six months can be purged; a purge blanks old entries
and the log still verifies; a forged purge is detected."""

from datetime import timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from andromede.audit import service as audit
from andromede.audit.signing import generate_key
from andromede.bootstrap import App
from andromede.kernel.clock import FrozenClock
from andromede.kernel.errors import ValidationFailed
from tests.integration.builders import World, create_server
from tests.integration.test_audit_tamper import checkpoint, raw, verify


@pytest.fixture
def key(client: TestClient, container: App, world: World, tmp_path: Path) -> tuple[Path, bytes]:
    key = tmp_path / "audit.key"
    public = generate_key(key)
    create_server(client, world.a.tokens["customer-member"], world.a.project_id)
    checkpoint(container, key)
    return key, public


def purge(container: App, days_back: int) -> int:
    now = container.clock.now()
    with container.uow() as session:
        return audit.purge(session, before=now - timedelta(days=days_back), now=now)


def count_blank(container: App) -> int:
    with container.engine.connect() as conn:
        return int(
            conn.execute(
                text("SELECT count(*) FROM audit_entries WHERE purged_at IS NOT NULL")
            ).scalar_one()
        )


def test_young_events_cannot_be_purged(container: App, key: tuple[Path, bytes]) -> None:
    with pytest.raises(ValidationFailed, match="younger than 6 months"):
        purge(container, 182)
    assert count_blank(container) == 0


def test_a_purge_past_retention_keeps_the_tree_verifiable(
    client: TestClient, container: App, clock: FrozenClock, world: World, key: tuple[Path, bytes]
) -> None:
    before = verify(container, key[1])
    clock.advance(timedelta(days=200))
    create_server(client, world.a.tokens["customer-member"], world.a.project_id, "later")
    blanked = purge(container, 183)
    assert blanked == before.entries and count_blank(container) == blanked
    checkpoint(container, key[0])
    report = verify(container, key[1])
    assert report.ok, report.problem
    assert report.checkpoints == 2
    assert purge(container, 183) == 0  # already blank


def test_forged_purges_are_detected(
    container: App, clock: FrozenClock, key: tuple[Path, bytes]
) -> None:
    blank = (
        "actor = '', actor_id = NULL, on_behalf_of = NULL, action = 'purged', "
        "target_type = '', target_id = NULL, tenant_path = '', outcome = '', "
        "request_id = NULL, realm = NULL, source = NULL, purged_at = at"
    )
    raw(container, f"UPDATE audit_entries SET {blank} WHERE seq = 4")
    report = verify(container, key[1])
    assert not report.ok and "without a purge covering it" in (report.problem or "")
    raw(container, "UPDATE audit_entries SET actor = 'someone' WHERE seq = 4")
    report = verify(container, key[1])
    assert not report.ok and "marked purged but holds content" in (report.problem or "")


def test_the_engine_lets_only_a_declared_purge_through(
    container: App, key: tuple[Path, bytes]
) -> None:
    if container.engine.dialect.name == "sqlite":
        # an embedded file has no roles: a false purge cannot be prevented, only detected
        with container.engine.begin() as conn:
            conn.execute(text("UPDATE audit_entries SET purged_at = at WHERE seq = 3"))
        assert not verify(container, key[1]).ok
        return
    for statement in (
        "UPDATE audit_entries SET purged_at = at, action = 'purged' WHERE seq = 3",
        "SET LOCAL andromede.audit_purge = 'on'; "
        "UPDATE audit_entries SET purged_at = at, leaf_hash = 'x' WHERE seq = 3",
    ):
        with pytest.raises(DBAPIError, match="append-only"), container.engine.begin() as conn:
            for part in statement.split(";"):
                conn.execute(text(part))
    assert verify(container, key[1]).ok
