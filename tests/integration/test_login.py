"""Signing in: staff MFA when required, customer self-enrolment in TOTP, lockout after
repeated failures (which survives the failed request's rollback)."""

from dataclasses import replace
from datetime import timedelta

from fastapi.testclient import TestClient

from andromede.bootstrap import App
from andromede.kernel.clock import FrozenClock
from andromede.tenancy import totp
from tests.integration.builders import PASSWORD, World, auth, ok


def token_request(client: TestClient, username: str, password: str, otp: str | None = None) -> int:
    body = {"username": username, "password": password} | ({"otp": otp} if otp else {})
    return client.post("/v1/tokens", json=body).status_code


def test_staff_without_mfa_cannot_sign_in_when_mfa_is_required(
    client: TestClient, container: App, clock: FrozenClock, world: World
) -> None:
    container.login.rules = replace(container.login.rules, staff_mfa_required=True)
    password = container.settings.admin_password
    response = client.post("/v1/tokens", json={"username": "cmartin", "password": password})
    assert response.status_code == 403
    assert "andromede mfa enrol cmartin" in response.json()["detail"]
    # customers are not staff: they sign in without a second factor unless they chose one
    assert token_request(client, "a-customer-admin", PASSWORD) == 201

    with container.uow() as session:  # what `andromede mfa enrol cmartin` does on the server
        secret, uri = container.login.mfa_enrol(session, "cmartin")
    assert secret in uri
    missing = client.post("/v1/tokens", json={"username": "cmartin", "password": password})
    assert missing.status_code == 401 and missing.json()["code"] == "mfa-required"
    assert token_request(client, "cmartin", password, "000000") == 401
    assert token_request(client, "cmartin", password, totp.code_at(secret, clock.now())) == 201


def test_customer_admin_enrols_totp_and_then_needs_it(
    client: TestClient, clock: FrozenClock, world: World
) -> None:
    h = auth(world.a.tokens["customer-admin"])
    begun = ok(client.post("/v1/users/me/mfa", headers=h), 201)
    assert begun["active"] is False and begun["otpauth_uri"].startswith("otpauth://totp/")
    assert token_request(client, "a-customer-admin", PASSWORD) == 201  # not yet in force
    wrong = client.post("/v1/users/me/mfa/activate", headers=h, json={"code": "123456"})
    assert wrong.status_code == 400
    code = totp.code_at(begun["secret"], clock.now())
    ok(client.post("/v1/users/me/mfa/activate", headers=h, json={"code": code}))
    assert token_request(client, "a-customer-admin", PASSWORD) == 401
    clock.advance(timedelta(seconds=30))
    code = totp.code_at(begun["secret"], clock.now())
    assert token_request(client, "a-customer-admin", PASSWORD, code) == 201
    assert client.get("/v1/users", headers=h).status_code == 401  # activation ended it
    clock.advance(timedelta(seconds=30))
    code = totp.code_at(begun["secret"], clock.now())
    fresh = {"username": "a-customer-admin", "password": PASSWORD, "otp": code}
    h = auth(ok(client.post("/v1/tokens", json=fresh), 201)["token"])
    users = ok(client.get("/v1/users", headers=h))["items"]
    assert next(u for u in users if u["username"] == "a-customer-admin")["mfa_active"] is True
    again = client.post("/v1/users/me/mfa", headers=h)
    assert again.status_code == 409


def test_five_failures_lock_the_account_for_fifteen_minutes(
    client: TestClient, container: App, clock: FrozenClock, world: World
) -> None:
    for _ in range(5):
        assert token_request(client, "a-customer-member", "wrong-password") == 401
    locked = client.post("/v1/tokens", json={"username": "a-customer-member", "password": PASSWORD})
    assert locked.status_code == 423 and locked.json()["code"] == "account-locked"
    assert token_request(client, "b-customer-member", PASSWORD) == 201  # others unaffected
    clock.advance(timedelta(minutes=15))
    assert token_request(client, "a-customer-member", PASSWORD) == 201
    # a success resets the count: four more failures do not lock
    for _ in range(4):
        assert token_request(client, "a-customer-member", "wrong-password") == 401
    assert token_request(client, "a-customer-member", PASSWORD) == 201
    customer_admin = auth(world.a.tokens["customer-admin"])  # staff no longer see it
    entries = ok(client.get("/v1/audit", headers=customer_admin, params={"limit": 1000}))
    assert [e["action"] for e in entries["items"]].count("user.lock") == 1
