"""The key hierarchy (SecNumCloud 10.1, 10.5, 19.4): a key-encryption key per customer in
the KMS, a data key per volume stored only wrapped, and erasure that destroys the
customer's key so that what it wrapped is unreadable wherever a copy survives."""

import base64
import stat
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select, text

from andromede.api.app import create_app
from andromede.audit.signing import generate_key
from andromede.bootstrap import App, build
from andromede.db import Base
from andromede.kernel.clock import FrozenClock
from andromede.sovereignty.kms import KeyDestroyed
from andromede.storage.volume_store import Volume
from tests.integration.builders import World, auth, login, ok
from tests.integration.test_volumes import storage, volume


def volumes(container: App) -> dict[str, Volume]:
    with container.uow(readonly=True) as session:
        return {v.id: v for v in session.scalars(select(Volume))}


def every_stored_value(container: App) -> str:
    """Every row of every table, as text: what reading the database gives."""
    found = []
    with container.uow(readonly=True) as session:
        for table in Base.metadata.sorted_tables:
            found += [
                repr(tuple(row)) for row in session.execute(text(f'SELECT * FROM "{table.name}"'))
            ]
    return "\n".join(found)


def test_keys_per_customer_wrapped_data_keys_and_crypto_erase(
    client: TestClient, container: App, world: World, tmp_path: Path, clock: FrozenClock
) -> None:
    storage(client, world)
    a_member, b_admin = world.a.tokens["customer-member"], world.b.tokens["customer-admin"]
    a1 = ok(volume(client, a_member, world.a.project_id, size_gib=2), 201)["id"]
    a2 = ok(volume(client, a_member, world.a.project_id, size_gib=2), 201)["id"]
    b1 = ok(volume(client, b_admin, world.b.project_id, size_gib=2), 201)["id"]
    rows = volumes(container)
    assert rows[a1].key_id == rows[a2].key_id != rows[b1].key_id
    assert rows[a1].wrapped_key != rows[a2].wrapped_key
    keys = container.volumes.keys
    data_keys = {
        v: keys.unwrap(rows[v].key_id or "", bytes.fromhex(rows[v].wrapped_key or ""))
        for v in (a1, a2, b1)
    }
    assert len(set(data_keys.values())) == 3 and all(len(k) == 32 for k in data_keys.values())
    stored = every_stored_value(container)
    for data_key in data_keys.values():  # the database alone never yields a data key
        for form in (data_key.hex(), repr(data_key), base64.b64encode(data_key).decode()):
            assert form not in stored
    kms = Path(container.settings.kms_dir)
    kek_file = kms / (rows[a1].key_id or "")
    assert stat.S_IMODE(kek_file.stat().st_mode) == 0o600
    assert kek_file.read_bytes().hex() not in stored

    key = tmp_path / "audit.key"
    generate_key(key)
    signer = build(replace(container.settings, audit_key_file=str(key)), clock=clock)
    try:
        api = TestClient(create_app(signer))
        customer = world.a.customer_id
        admin_c = auth(world.a.tokens["customer-admin"])
        ok(api.post(f"/v1/customers/{customer}/terminate", headers=admin_c))
        clock.advance(timedelta(days=21, minutes=1))
        admin = auth(login(api, "admin", container.settings.admin_password))  # a new day's token
        result = ok(api.post(f"/v1/customers/{customer}/erase", headers=admin))
    finally:
        signer.engine.dispose()
    assert result["certificate"]["erased"]["keys_destroyed"] == [rows[a1].key_id]
    assert not kek_file.exists()
    with pytest.raises(KeyDestroyed):
        keys.unwrap(rows[a1].key_id or "", bytes.fromhex(rows[a1].wrapped_key or ""))
    assert (
        keys.unwrap(rows[b1].key_id or "", bytes.fromhex(rows[b1].wrapped_key or ""))
        == (data_keys[b1])
    )  # another customer's key is untouched
    with container.uow(readonly=True) as session:
        (mine,) = keys.keys_of(session, world.a.customer_id)
        assert mine.destroyed_at == clock.now()
