"""The key hierarchy (SecNumCloud 10.1, 10.5, 19.4): a key-encryption key per customer in
the KMS, a data key per volume stored only wrapped, and erasure that destroys the
customer's key so that what it wrapped is unreadable wherever a copy survives."""

import base64
import hashlib
import os
import stat
import subprocess
from dataclasses import replace
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from cryptography.exceptions import InvalidTag
from fastapi.testclient import TestClient
from pkcs11 import Attribute
from pkcs11.exceptions import PKCS11Error
from sqlalchemy import select, text

from andromede.api.app import create_app
from andromede.audit.signing import generate_key
from andromede.bootstrap import App, build
from andromede.catalog.store import Image
from andromede.config import Settings
from andromede.db import Base
from andromede.kernel.clock import FrozenClock
from andromede.sovereignty.kms import KeyDestroyed
from andromede.sovereignty.pkcs11_kms import Pkcs11Kms
from andromede.storage.volume_store import Volume
from tests.integration.builders import World, auth, login, ok
from tests.integration.test_volumes import storage, volume

SOFTHSM = Path("/usr/lib/softhsm/libsofthsm2.so")


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


def erase_customer_a(
    settings: Settings, world: World, tmp_path: Path, clock: FrozenClock
) -> dict[str, Any]:
    """Customer A terminated, its notice over, erased by the operator: the certificate."""
    key = tmp_path / "audit.key"
    generate_key(key)
    signer = build(replace(settings, audit_key_file=str(key)), clock=clock)
    try:
        api = TestClient(create_app(signer))
        customer = world.a.customer_id
        admin_c = auth(world.a.tokens["customer-admin"])
        ok(api.post(f"/v1/customers/{customer}/terminate", headers=admin_c))
        clock.advance(timedelta(days=21, minutes=1))
        admin = auth(login(api, "cmartin", settings.admin_password))  # a new day's token
        return dict(ok(api.post(f"/v1/customers/{customer}/erase", headers=admin)))
    finally:
        signer.engine.dispose()


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

    result = erase_customer_a(container.settings, world, tmp_path, clock)
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


@pytest.fixture(scope="session")
def softhsm_token(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, Path]:
    """A SoftHSM token of this test process's own (Debian's softhsm2; CI installs it):
    its label and the file holding its user PIN."""
    if not SOFTHSM.exists():
        if os.environ.get("CI"):
            pytest.fail(f"{SOFTHSM} is missing: apt-get install softhsm2")
        pytest.skip("SoftHSM is not installed here (apt-get install softhsm2)")
    folder = tmp_path_factory.mktemp("softhsm")
    (folder / "tokens").mkdir()
    conf = folder / "softhsm2.conf"
    conf.write_text(f"directories.tokendir = {folder / 'tokens'}\nlog.level = ERROR\n")
    os.environ["SOFTHSM2_CONF"] = str(conf)  # read once, when the library is first loaded
    pin = folder / "pin"
    pin.write_text("314159\n", encoding="utf-8")
    subprocess.run(
        ["softhsm2-util", "--init-token", "--free", "--label", "andromede",
         "--pin", "314159", "--so-pin", "271828"],
        check=True, capture_output=True, env={**os.environ},
    )  # fmt: skip
    return "andromede", pin


def test_keys_held_in_a_pkcs11_token(
    container: App, world: World, tmp_path: Path, clock: FrozenClock, softhsm_token: Any
) -> None:
    label, pin = softhsm_token
    settings = replace(
        container.settings,
        kms="pkcs11",
        pkcs11_module=str(SOFTHSM),
        pkcs11_token=label,
        pkcs11_pin_file=str(pin),
    )
    hsm = build(settings, clock=clock)
    try:
        api = TestClient(create_app(hsm))
        storage(api, world)
        a_member, b_admin = world.a.tokens["customer-member"], world.b.tokens["customer-admin"]
        a1 = ok(volume(api, a_member, world.a.project_id, size_gib=2), 201)["id"]
        b1 = ok(volume(api, b_admin, world.b.project_id, size_gib=2), 201)["id"]
        rows = volumes(hsm)
        keys = hsm.volumes.keys
        a_key, b_key = rows[a1].key_id or "", rows[b1].key_id or ""
        a_wrapped, b_wrapped = (
            bytes.fromhex(rows[a1].wrapped_key or ""),
            bytes.fromhex(rows[b1].wrapped_key or ""),
        )
        a_data, b_data = keys.unwrap(a_key, a_wrapped), keys.unwrap(b_key, b_wrapped)
        assert a_key != b_key and a_data != b_data and len(a_data) == len(b_data) == 32
        assert a_data.hex() not in every_stored_value(hsm)
        assert isinstance(keys.kms, Pkcs11Kms)
        session = keys.kms._open()  # the key-encryption key never leaves the token
        kek = session.get_key(label=a_key)
        assert kek[Attribute.EXTRACTABLE] is False and kek[Attribute.SENSITIVE] is True
        with pytest.raises(PKCS11Error):
            kek[Attribute.VALUE]
        with pytest.raises(KeyDestroyed):  # a wrapped key opens under its own key only
            keys.unwrap(b_key, a_wrapped)
    finally:
        hsm.engine.dispose()

    result = erase_customer_a(settings, world, tmp_path, clock)
    assert result["certificate"]["erased"]["keys_destroyed"] == [a_key]
    with pytest.raises(KeyDestroyed):
        keys.unwrap(a_key, a_wrapped)
    assert keys.unwrap(b_key, b_wrapped) == b_data  # another customer's key is untouched


def test_a_customers_image_is_sealed_at_rest_with_its_own_data_key(
    client: TestClient, container: App, world: World
) -> None:
    from tests.integration.test_openstack_face import keystone

    def upload(username: str, project: str, content: bytes) -> str:
        token = {"X-Auth-Token": keystone(client, username, {"id": project})}
        made = ok(client.post("/image/v2/images", headers=token, json={"name": "disk"}), 201)
        sent = token | {"Content-Type": "application/octet-stream"}
        put = client.put(f"/image/v2/images/{made['id']}/file", headers=sent, content=content)
        assert put.status_code == 204, put.text
        return str(made["id"])

    content = b"secret disk sector " * 200_000  # 3.8 MB: several sealed chunks
    mine = upload("a-customer-member", world.a.project_id, content)
    theirs = upload("b-customer-admin", world.b.project_id, b"b's disk " * 1000)
    store = container.images.bytes
    (stored,) = list(store.root.rglob(mine))
    assert b"secret disk sector" not in stored.read_bytes()  # the store holds no plain byte
    token = {"X-Auth-Token": keystone(client, "a-customer-member", {"id": world.a.project_id})}
    back = client.get(f"/image/v2/images/{mine}/file", headers=token)
    assert back.content == content
    assert back.headers["Content-MD5"] == hashlib.md5(content).hexdigest()
    with container.uow(readonly=True) as session:
        a_image, b_image = session.get(Image, mine), session.get(Image, theirs)
        assert a_image is not None and b_image is not None
        assert a_image.key_id and a_image.wrapped_key and a_image.key_id != b_image.key_id
    (other,) = list(store.root.rglob(theirs))
    other.write_bytes(stored.read_bytes())  # A's sealed bytes put in B's place do not open
    with pytest.raises(InvalidTag):
        b"".join(store.read(a_image.region_code or "", theirs))
    container.volumes.keys.kms.destroy(a_image.key_id or "")  # crypto-erase
    with pytest.raises(KeyDestroyed):
        store.read(a_image.region_code or "", mine)
