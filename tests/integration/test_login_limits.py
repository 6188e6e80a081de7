"""Logins that resist guessing: no oracle for usernames, an atomic failure count under
real parallel requests, rate limits with Retry-After on both faces, a lockout a stranger
cannot keep on another address, NIST passwords, sessions ended by credential changes and
TOTP seeds sealed at rest."""

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from datetime import timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from andromede.api.app import create_app
from andromede.bootstrap import App, build, login_rules
from andromede.kernel.clock import FrozenClock
from andromede.tenancy import totp
from andromede.tenancy.passwords import Passwords
from andromede.tenancy.store import User
from andromede.tenancy.throttle import Window
from tests.integration.builders import PASSWORD, World, auth, fr_ids, ok

MINUTE = timedelta(minutes=1)


def sign_in(client: TestClient, username: str, password: str, **extra: Any) -> Any:
    return client.post("/v1/tokens", json={"username": username, "password": password, **extra})


@pytest.fixture
def checked(monkeypatch: pytest.MonkeyPatch, container: App) -> list[str]:
    """Every password hash check the service makes (the real check still runs)."""
    calls: list[str] = []
    real = container.login.passwords.verify

    def counting(password_hash: str, password: str) -> bool:
        calls.append(password)
        return real(password_hash, password)

    monkeypatch.setattr(container.login.passwords, "verify", counting)
    return calls


def test_unknown_users_get_the_same_answer_the_same_work_and_the_same_lockout(
    client: TestClient, world: World, checked: list[str]
) -> None:
    known = sign_in(client, "a-customer-member", "not-the-password-at-all")
    unknown = sign_in(client, "nobody-here", "not-the-password-at-all")
    assert known.status_code == unknown.status_code == 401
    assert known.json()["detail"] == unknown.json()["detail"]
    assert len(checked) == 2  # a dummy hash is checked for the unknown user
    for _ in range(4):
        assert sign_in(client, "nobody-here", "still-not-it-at-all").status_code == 401
    locked = sign_in(client, "nobody-here", "still-not-it-at-all")
    assert locked.status_code == 423 and int(locked.headers["Retry-After"]) > 0


def test_building_the_application_hashes_no_password(
    container: App, clock: FrozenClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The unknown name's decoy is made on first use: every command that built the
    application (a close, a migration, the demo) paid two argon2 hashes for nothing."""
    made: list[str] = []
    real = Passwords.hash

    def counting(self: Passwords, password: str) -> str:
        made.append(password)
        return real(self, password)

    monkeypatch.setattr(Passwords, "hash", counting)
    built = build(container.settings, clock=clock)
    built.engine.dispose()
    assert made == []
    built.login.passwords.decoy()
    assert len(made) == 1


def test_forty_parallel_guesses_check_at_most_five_passwords(
    container: App, world: World, checked: list[str]
) -> None:
    api = create_app(container)

    def guess(n: int) -> int:
        with TestClient(api) as client:
            return sign_in(client, "a-customer-member", f"wrong-guess-number-{n}").status_code

    with ThreadPoolExecutor(max_workers=20) as pool:
        statuses = list(pool.map(guess, range(40)))
    assert len(checked) <= 5, len(checked)
    assert statuses.count(401) == len(checked) and statuses.count(423) == 40 - len(checked)
    with TestClient(api) as client:
        assert sign_in(client, "a-customer-member", PASSWORD).status_code == 423


def test_a_stranger_locks_an_account_for_its_own_address_only(container: App, world: World) -> None:
    api = create_app(container)
    with TestClient(api, client=("198.51.100.7", 4000)) as stranger:
        for _ in range(5):
            assert sign_in(stranger, "a-customer-member", "guessing-and-guessing").status_code
        assert sign_in(stranger, "a-customer-member", PASSWORD).status_code == 423
    with TestClient(api, client=("203.0.113.9", 5000)) as owner:
        assert sign_in(owner, "a-customer-member", PASSWORD).status_code == 201


def _limited(container: App, **windows: Window) -> None:
    container.login.rules = replace(login_rules(container.settings), **windows)  # type: ignore[arg-type]


def test_rate_limits_answer_429_with_retry_after_on_both_faces(
    client: TestClient, container: App, clock: FrozenClock, world: World
) -> None:
    _limited(container, per_source=Window(3, MINUTE))
    clock.advance(MINUTE)  # building the world signed in many times this minute
    for _ in range(3):
        assert sign_in(client, "a-customer-member", PASSWORD).status_code == 201
    refused = sign_in(client, "b-customer-member", PASSWORD)
    assert refused.status_code == 429 and refused.json()["code"] == "too-many-requests"
    assert 0 < int(refused.headers["Retry-After"]) <= 60
    body = {
        "auth": {
            "identity": {
                "methods": ["password"],
                "password": {"user": {"name": "b-customer-member", "password": PASSWORD}},
            }
        }
    }
    keystone = client.post("/identity/v3/auth/tokens", json=body)
    assert keystone.status_code == 429 and "Retry-After" in keystone.headers
    clock.advance(MINUTE)
    assert sign_in(client, "b-customer-member", PASSWORD).status_code == 201

    _limited(container, per_account=Window(2, MINUTE))
    clock.advance(MINUTE)
    assert sign_in(client, "a-customer-viewer", PASSWORD).status_code == 201
    assert sign_in(client, "a-customer-viewer", PASSWORD).status_code == 201
    assert sign_in(client, "a-customer-viewer", PASSWORD).status_code == 429
    assert sign_in(client, "a-customer-admin", PASSWORD).status_code == 201


def test_signups_and_one_time_codes_are_rate_limited(
    client: TestClient, container: App, clock: FrozenClock, world: World
) -> None:
    _limited(container, signups=Window(2, timedelta(hours=1)), codes=Window(2, MINUTE * 5))
    house = {"name": "House", "kind": "house", "tier": "house", "address": "HQ"}
    ok(
        client.post(
            "/v1/partners", headers=auth(world.admin), json={**house, **fr_ids("99887766")}
        ),
        201,
    )
    company = {"name": "Probe SAS", "address": "x", **fr_ids("55443322")}
    body = {"company": company, "username": "a-customer-admin", "password": PASSWORD}
    statuses = [client.post("/v1/signup", json=body).status_code for _ in range(3)]
    assert statuses == [409, 409, 429]  # refused signups count too: no free oracle
    h = auth(world.a.tokens["customer-member"])
    ok(client.post("/v1/users/me/mfa", headers=h), 201)
    codes = [
        client.post("/v1/users/me/mfa/activate", headers=h, json={"code": "000000"}).status_code
        for _ in range(3)
    ]
    assert codes == [400, 400, 429]


@pytest.mark.parametrize(
    ("password", "why"),
    [
        ("fourteen-chars", "15"),
        ("123456789987654321", "common"),
        ("aaaaaaaaaaaaaaaaaaaa", "common"),
        ("x" * 257, "256"),
    ],
)
def test_passwords_follow_nist_800_63b(
    client: TestClient, world: World, password: str, why: str
) -> None:
    body = {"username": "newcomer", "password": password, "role": "partner-user"}
    refused = client.post("/v1/users", headers=auth(world.a.tokens["partner-admin"]), json=body)
    assert refused.status_code == 400 and why in refused.text


def test_any_unicode_passphrase_compared_after_nfc(client: TestClient, world: World) -> None:
    decomposed = "Ma\u0301ria-pa\u0301ssphrase-ñandú"
    body = {"username": "maria", "password": decomposed, "role": "partner-user"}
    ok(client.post("/v1/users", headers=auth(world.a.tokens["partner-admin"]), json=body), 201)
    composed = "M\u00e1ria-p\u00e1ssphrase-ñandú"
    assert sign_in(client, "maria", composed).status_code == 201


def test_staff_with_mfa_may_use_eight_characters(
    client: TestClient, container: App, world: World
) -> None:
    container.tenancy.staff_mfa = True
    body = {"username": "ops-eight", "password": "k9#vQ2!m", "role": "operator-support"}
    body["person"] = "e-8888"
    ok(client.post("/v1/users", headers=auth(world.admin), json=body), 201)


def test_credential_changes_end_sessions(client: TestClient, container: App, world: World) -> None:
    token = ok(sign_in(client, "a-customer-viewer", PASSWORD), 201)
    me = token["user"]["id"]
    h = auth(token["token"])
    ok(client.patch(f"/v1/users/{me}", headers=h, json={"password": "a-brand-new-passphrase"}))
    assert client.get("/v1/servers", headers=h).status_code == 401
    assert sign_in(client, "a-customer-viewer", "a-brand-new-passphrase").status_code == 201


def test_totp_seeds_are_sealed_at_rest(
    client: TestClient, container: App, clock: FrozenClock, world: World
) -> None:
    h = auth(world.a.tokens["customer-admin"])
    begun = ok(client.post("/v1/users/me/mfa", headers=h), 201)
    with container.uow(readonly=True) as session:
        stored = session.scalar(select(User.mfa_secret).where(User.username == "a-customer-admin"))
    assert stored and stored.startswith("fernet:") and begun["secret"] not in stored
    code = totp.code_at(begun["secret"], clock.now())
    ok(client.post("/v1/users/me/mfa/activate", headers=h, json={"code": code}))


@pytest.mark.parametrize(
    "scope",
    [
        lambda w: {"domain": {"id": w.b.customer_id}},
        lambda w: {"system": {"all": True}},
        lambda w: {"project": {"id": w.b.project_id}},
    ],
)
def test_keystone_never_answers_a_foreign_scope_with_an_unscoped_token(
    client: TestClient, world: World, scope: Callable[[World], dict[str, Any]]
) -> None:
    body = {
        "auth": {
            "identity": {
                "methods": ["password"],
                "password": {"user": {"name": "a-customer-member", "password": PASSWORD}},
            },
            "scope": scope(world),
        }
    }
    refused = client.post("/identity/v3/auth/tokens", json=body)
    assert refused.status_code == 401 and "X-Subject-Token" not in refused.headers
