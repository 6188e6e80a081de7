"""The real application over a real database, driven through HTTP (FastAPI TestClient)."""

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from andromede.bootstrap import App, build
from andromede.config import load_settings
from andromede.console.site import create_site
from andromede.kernel.clock import FrozenClock
from andromede.tenancy.scope import Actor, Caller, Role
from tests.integration import world_cache
from tests.integration.builders import World, make_world
from tests.integration.engines import test_engine

SYSTEM = Caller(Actor("system", "system:cli", Role.OPERATOR_ADMIN, system=True))


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock(datetime(2026, 11, 2, 9, 0, tzinfo=UTC))


@pytest.fixture
def container(
    db_url: str, tmp_path: Path, clock: FrozenClock, request: pytest.FixtureRequest
) -> Iterator[App]:
    at = world_cache.key(db_url, clock.now())
    if "world" in request.fixturenames and world_cache.cached(at):
        world_cache.restore(at, db_url)
        request.node.world_restored = True
    settings = load_settings(
        env={},
        database_url=db_url,
        argon2_time_cost=1,
        argon2_memory_kib=1024,
        sim_boot_seconds=0.0,
        admin_username="cmartin",
        admin_password="operator-secret",
        staff_mfa="optional",
        sim_state_path=str(tmp_path / "hypervisors.sqlite"),
        secrets_key_file=str(tmp_path / "secrets.key"),
        kms_dir=str(tmp_path / "kms"),
        # a test world signs in dozens of times in one frozen minute; the limits have
        # their own tests (test_login_limits.py) with the real defaults
        limit_logins_per_source=100_000,
        limit_logins_per_account=100_000,
        limit_signups_per_source=100_000,
    )
    app = build(settings, clock=clock, engine=test_engine(db_url))
    with app.uow() as session:
        admin = app.users.ensure_admin(session, settings.admin_username, settings.admin_password)
        if admin.vetting_level is None:  # vetted, as `andromede staff vet` records it
            until = clock.now() + timedelta(days=365)
            app.users.vet(session, SYSTEM, admin.id, "enhanced", until, "FR")
    yield app
    app.engine.dispose()


@pytest.fixture
def client(container: App) -> Iterator[TestClient]:
    with TestClient(create_site(container)) as test_client:
        yield test_client


@pytest.fixture
def world(
    client: TestClient, container: App, clock: FrozenClock, request: pytest.FixtureRequest
) -> World:
    at = world_cache.key(container.settings.database_url, clock.now())
    found = world_cache.cached(at)
    if found is not None and getattr(request.node, "world_restored", False):
        return found  # its rows were put back before the application started
    made = make_world(client, container)
    if found is None:
        world_cache.keep(at, made, container.engine)
    return made
