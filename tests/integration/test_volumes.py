"""Volumes through /v1 on both databases: made empty, from an image, a snapshot, another
volume or a backup; extended, retyped, transferred, attached and detached, deleted under
Cinder's rules; counted in storage quotas; claimed on a pool; refused where residency
says no; another tenant's volume is a 404; a bad request writes nothing."""

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import func, select

from andromede.api.app import create_app
from andromede.audit.signing import generate_key
from andromede.bootstrap import App, build
from andromede.kernel.clock import FrozenClock
from andromede.storage.store import StoragePool
from andromede.storage.volume_store import StorageHold, Volume
from andromede.worker.jobs import close_month
from tests.integration.builders import World, auth, create_server, ok


def storage(client: TestClient, world: World, total_gib: int = 1000) -> None:
    admin = auth(world.admin)
    for region in ("fr-par-1", "fr-rns-1"):
        for name, multi in (("ssd", False), ("shared", True)):
            body = {"region": region, "name": name, "multiattach": multi}
            ok(client.post("/v1/volume-types", headers=admin, json=body), 201)
        pool = {
            "name": f"{region}a-ceph",
            "zone": f"{region}a",
            "backend": "ceph-rbd",
            "volume_types": ["ssd", "shared"],
            "total_gib": total_gib,
        }
        ok(client.post("/v1/storage-pools", headers=admin, json=pool), 201)


def volume(client: TestClient, token: str, project: str, **fields: Any) -> Any:
    body = {"project_id": project, "region": "fr-par-1", **fields}
    return client.post("/v1/volumes", headers=auth(token), json=body)


def allocated(container: App) -> int:
    with container.uow(readonly=True) as session:
        query = select(func.sum(StoragePool.allocated_gib))
        return int(session.scalar(query) or 0)


def live_volumes(container: App) -> int:
    with container.uow(readonly=True) as session:
        query = select(func.count()).select_from(Volume).where(Volume.deleted_at.is_(None))
        return int(session.scalar(query) or 0)


def settle(container: App) -> None:
    while container.reconciler.run_once():
        pass


def test_a_volume_lives_its_cinder_life(client: TestClient, container: App, world: World) -> None:
    storage(client, world)
    token = world.a.tokens["customer-member"]
    me = auth(token)
    project = world.a.project_id
    data = ok(volume(client, token, project, name="data", size_gib=10), 201)
    assert (data["status"], data["volume_type"], data["zone"]) == ("available", "ssd", "fr-par-1a")
    assert (data["bootable"], data["attachments"], allocated(container)) == (False, [], 10)

    root = ok(volume(client, token, project, name="root", image="debian-12"), 201)
    assert root["bootable"] and root["image_id"] and root["size_gib"] >= 1
    assert root["source"].startswith("image:")

    grown = ok(client.post(f"/v1/volumes/{data['id']}/extend", headers=me, json={"size_gib": 20}))
    assert grown["size_gib"] == 20 and allocated(container) == 20 + root["size_gib"]
    shrink = client.post(f"/v1/volumes/{data['id']}/extend", headers=me, json={"size_gib": 5})
    assert shrink.status_code == 400

    snap = ok(client.post("/v1/volume-snapshots", headers=me, json={"volume_id": data["id"]}), 201)
    assert (snap["size_gib"], snap["status"]) == (20, "available")
    refused = client.delete(f"/v1/volumes/{data['id']}", headers=me)
    assert refused.status_code == 409 and "snapshot" in refused.json()["detail"]

    clone = ok(volume(client, token, project, snapshot_id=snap["id"], size_gib=25), 201)
    assert (clone["size_gib"], clone["source"]) == (25, f"snapshot:{snap['id']}")
    small = volume(client, token, project, snapshot_id=snap["id"], size_gib=5)
    assert small.status_code == 400 and small.json()["errors"][0]["field"] == "size"
    copy = ok(volume(client, token, project, source_volume_id=clone["id"]), 201)
    assert copy["size_gib"] == 25

    retyped = ok(
        client.post(f"/v1/volumes/{copy['id']}/retype", headers=me, json={"volume_type": "shared"})
    )
    assert (retyped["volume_type"], retyped["multiattach"]) == ("shared", True)

    backup = ok(client.post("/v1/volume-backups", headers=me, json={"volume_id": data["id"]}), 201)
    assert (backup["backup_store"], backup["region"]) == ("fr-par-1-backup", "fr-par-1")
    restored = ok(
        client.post(f"/v1/volume-backups/{backup['id']}/restore", headers=me, json={}), 201
    )
    assert (restored["size_gib"], restored["source"]) == (20, f"backup:{backup['id']}")

    ok(client.delete(f"/v1/volume-snapshots/{snap['id']}", headers=me), 204)
    before = allocated(container)
    ok(client.delete(f"/v1/volumes/{data['id']}", headers=me), 204)
    assert allocated(container) == before - 20
    assert client.get(f"/v1/volumes/{data['id']}", headers=me).status_code == 404
    # the backup outlives its volume
    assert ok(client.get(f"/v1/volume-backups/{backup['id']}", headers=me))["status"] == "available"
    names = {v["name"] for v in ok(client.get("/v1/volumes", headers=me))["items"]}
    assert "data" not in names and "root" in names


def test_attach_detach_and_delete_with_the_server(
    client: TestClient, container: App, world: World
) -> None:
    storage(client, world)
    token = world.a.tokens["customer-member"]
    me = auth(token)
    project = world.a.project_id
    server = ok(create_server(client, token, project, "db"), 202)
    other = ok(create_server(client, token, project, "app"), 202)
    settle(container)
    logs = ok(volume(client, token, project, name="logs", size_gib=5), 201)
    shared = ok(volume(client, token, project, name="sh", size_gib=5, volume_type="shared"), 201)

    url = f"/v1/servers/{server['id']}/volumes"
    attached = ok(client.post(url, headers=me, json={"volume_id": logs["id"]}), 201)
    assert attached["device"] == "/dev/vdb"
    shown = ok(client.get(f"/v1/volumes/{logs['id']}", headers=me))
    assert shown["status"] == "in-use" and shown["attachments"][0]["server_id"] == server["id"]
    again = client.post(
        f"/v1/servers/{other['id']}/volumes", headers=me, json={"volume_id": logs["id"]}
    )
    assert again.status_code == 409 and "multi-attach" in again.json()["detail"]
    assert client.delete(f"/v1/volumes/{logs['id']}", headers=me).status_code == 409
    online = client.post(f"/v1/volumes/{logs['id']}/extend", headers=me, json={"size_gib": 8})
    assert ok(online)["size_gib"] == 8 and online.json()["status"] == "in-use"

    for target in (server, other):
        body = {"volume_id": shared["id"], "delete_on_termination": True}
        ok(client.post(f"/v1/servers/{target['id']}/volumes", headers=me, json=body), 201)
    assert len(ok(client.get(f"/v1/volumes/{shared['id']}", headers=me))["attachments"]) == 2
    devices = [a["device"] for a in ok(client.get(url, headers=me))["items"]]
    assert devices == ["/dev/vda", "/dev/vdb", "/dev/vdc"]  # vda: the diskless flavor's root

    ok(client.delete(f"{url}/{logs['id']}", headers=me), 204)
    assert ok(client.get(f"/v1/volumes/{logs['id']}", headers=me))["status"] == "available"
    assert client.delete(f"{url}/{logs['id']}", headers=me).status_code == 404

    ok(client.delete(f"/v1/servers/{server['id']}", headers=me), 202)
    # still attached to the other server: kept despite delete_on_termination
    assert ok(client.get(f"/v1/volumes/{shared['id']}", headers=me))["status"] == "in-use"
    ok(client.delete(f"/v1/servers/{other['id']}", headers=me), 202)
    assert client.get(f"/v1/volumes/{shared['id']}", headers=me).status_code == 404
    assert ok(client.get(f"/v1/volumes/{logs['id']}", headers=me))["status"] == "available"


def test_walls_quotas_and_bad_input_write_nothing(
    client: TestClient, container: App, world: World
) -> None:
    storage(client, world, total_gib=100)
    token = world.a.tokens["customer-member"]
    me = auth(token)
    mine = ok(volume(client, token, world.a.project_id, size_gib=10), 201)
    stranger = auth(world.b.tokens["customer-admin"])
    for method, path in (
        ("get", f"/v1/volumes/{mine['id']}"),
        ("delete", f"/v1/volumes/{mine['id']}"),
        ("post", f"/v1/volumes/{mine['id']}/extend"),
    ):
        answer = client.request(method, path, headers=stranger, json={"size_gib": 20})
        assert answer.status_code == 404, (method, path, answer.text)
    assert ok(client.get("/v1/volumes", headers=stranger))["items"] == []
    viewer = auth(world.a.tokens["customer-viewer"])
    assert client.delete(f"/v1/volumes/{mine['id']}", headers=viewer).status_code == 403
    elsewhere = volume(client, world.b.tokens["customer-admin"], world.a.project_id, size_gib=1)
    assert elsewhere.status_code == 404

    before = (live_volumes(container), allocated(container))
    for fields, field in (
        ({"size_gib": 0}, "size_gib"),
        ({"size_gib": 10, "volume_type": "gold"}, "volume_type"),
        ({"size_gib": 10, "zone": "nowhere"}, "availability_zone"),
        ({"size_gib": 10, "image": "no-such-image"}, "imageRef"),
        ({"size_gib": 10, "metadata": {"k": "v" * 300}}, "metadata"),
        ({"size_gib": 99999}, "size"),
    ):
        refused = volume(client, token, world.a.project_id, **fields)
        assert refused.status_code == 400, (fields, refused.text)
        assert refused.json()["errors"][0]["field"].endswith(field), refused.json()
    full = volume(client, token, world.a.project_id, size_gib=200)
    assert full.status_code == 409 and "no valid host" in full.json()["detail"]
    assert (live_volumes(container), allocated(container)) == before

    url = f"/v1/projects/{world.a.project_id}/storage-quotas"
    assert client.put(url, headers=me, json={"volumes": 1}).status_code == 403
    limits = ok(
        client.put(url, headers=auth(world.admin), json={"volumes": 1, "gigabytes_ssd": 15})
    )
    assert limits["limits"]["volumes"] == 1 and limits["in_use"]["volumes"] == 1
    over = volume(client, token, world.a.project_id, size_gib=1)
    assert over.json()["code"] == "quota-exceeded" and "'volumes'" in over.json()["detail"]
    ok(client.put(url, headers=auth(world.admin), json={"volumes": 10}))
    too_big = client.post(f"/v1/volumes/{mine['id']}/extend", headers=me, json={"size_gib": 20})
    assert "gigabytes_ssd" in too_big.json()["detail"]
    assert ok(client.get(f"/v1/volumes/{mine['id']}", headers=me))["size_gib"] == 10
    bad = client.put(url, headers=auth(world.admin), json={"cores": 3})
    assert bad.status_code == 400


def test_residency_places_volumes_and_backups(
    client: TestClient, container: App, world: World
) -> None:
    storage(client, world)
    token = world.a.tokens["customer-admin"]
    project = world.a.project_id
    paris = ok(volume(client, token, project, size_gib=3), 201)
    body = {"scope_type": "customer", "scope_id": world.a.customer_id, "allow": ["in:FR-BRE"]}
    ok(client.post("/v1/policies", headers=auth(token), json=body), 201)
    refused = volume(client, token, project, size_gib=3)
    assert refused.status_code == 403 and refused.json()["code"] == "policy-violation"
    backup = client.post("/v1/volume-backups", headers=auth(token), json={"volume_id": paris["id"]})
    assert backup.status_code == 403 and backup.json()["code"] == "policy-violation"
    anywhere = ok(volume(client, token, project, size_gib=3, region=None), 201)
    assert (anywhere["region"], anywhere["zone"]) == ("fr-rns-1", "fr-rns-1a")


def test_holds_follow_size_type_and_life(client: TestClient, container: App, world: World) -> None:
    """What billing reads: one hold per stretch at one size and type."""
    storage(client, world)
    token = world.a.tokens["customer-member"]
    me = auth(token)
    made = ok(volume(client, token, world.a.project_id, name="ledger", size_gib=4), 201)
    ok(client.post(f"/v1/volumes/{made['id']}/extend", headers=me, json={"size_gib": 6}))
    body = {"volume_type": "shared"}
    ok(client.post(f"/v1/volumes/{made['id']}/retype", headers=me, json=body))
    ok(client.delete(f"/v1/volumes/{made['id']}", headers=me), 204)
    with container.uow(readonly=True) as session:
        holds = session.scalars(
            select(StorageHold).where(StorageHold.object_id == made["id"]).order_by(StorageHold.id)
        ).all()
        stretches = [(h.gib, h.volume_type, h.end is not None) for h in holds]
    assert stretches == [(4, "ssd", True), (6, "ssd", True), (6, "shared", True)]


def test_volumes_and_snapshots_are_billed_per_gib_month_to_the_cent(
    client: TestClient, container: App, clock: FrozenClock, world: World
) -> None:
    """100 GiB held 73 h is 10 GiB-months: a volume at 0.08 list (gold wholesale 25 % off:
    0.60; resale at list: 0.80), its snapshot at 0.05 (0.375 -> 0.38 wholesale, 0.50);
    the lines name the volume; the usage export has them."""
    clock.set(datetime(2026, 10, 1, 8, tzinfo=UTC))
    storage(client, world)
    token = world.a.tokens["customer-member"]
    me = auth(token)
    made = ok(volume(client, token, world.a.project_id, name="ledger", size_gib=100), 201)
    snap = ok(client.post("/v1/volume-snapshots", headers=me, json={"volume_id": made["id"]}), 201)
    clock.advance(timedelta(hours=73))
    ok(client.delete(f"/v1/volume-snapshots/{snap['id']}", headers=me), 204)
    ok(client.delete(f"/v1/volumes/{made['id']}", headers=me), 204)
    admin = auth(world.a.tokens["customer-admin"])
    usage = ok(client.get("/v1/usage", headers=admin, params={"month": "2026-10"}))["items"]
    held = {i["sku"]: (i["unit"], Decimal(i["quantity"])) for i in usage if "ssd" in i["sku"]}
    assert held == {
        "volume:ssd:fr-par-1": ("GiB-month", Decimal(10)),
        "snapshot:ssd:fr-par-1": ("GiB-month", Decimal(10)),
    }
    clock.set(datetime(2026, 11, 1, 2, tzinfo=UTC))
    close_month(container, "2026-10")
    for kind, role, expected in (
        ("wholesale", "partner-admin", {"volume": "0.60", "snapshot": "0.38"}),
        ("resale", "customer-admin", {"volume": "0.80", "snapshot": "0.50"}),
    ):
        items = ok(client.get("/v1/invoices", headers=auth(world.a.tokens[role])))["items"]
        found = next(i for i in items if i["kind"] == kind)
        invoice = ok(client.get(f"/v1/invoices/{found['id']}", headers=auth(world.a.tokens[role])))
        lines = {x["sku"].split(":")[0]: x for x in invoice["lines"] if ":ssd:" in x["sku"]}
        assert {k: v["amount"] for k, v in lines.items()} == expected, invoice["lines"]
        assert "ledger" in lines["volume"]["description"]


def test_the_data_location_report_and_attestation_show_stored_data(
    client: TestClient, container: App, world: World, tmp_path: Path, clock: FrozenClock
) -> None:
    """A volume, its snapshot and its backup (in the region's store, no zone) are in the
    live report; the month's attestation names each with its type and place."""
    key = tmp_path / "audit.key"
    generate_key(key)
    signer = build(replace(container.settings, audit_key_file=str(key)), clock=clock)
    api = TestClient(create_app(signer))
    clock.set(datetime(2026, 10, 1, 8, tzinfo=UTC))
    storage(api, world)
    token = world.a.tokens["customer-member"]
    me = auth(token)
    made = ok(volume(api, token, world.a.project_id, name="minutes", size_gib=2), 201)
    ok(api.post("/v1/volume-snapshots", headers=me, json={"volume_id": made["id"]}), 201)
    ok(api.post("/v1/volume-backups", headers=me, json={"volume_id": made["id"]}), 201)
    admin = auth(world.a.tokens["customer-admin"])
    report = ok(api.get(f"/v1/customers/{world.a.customer_id}/data-location", headers=admin))
    stored = {r["resource_type"]: r for r in report["resources"] if r["resource_type"] != "server"}
    assert set(stored) == {"volume", "snapshot", "backup"}
    assert (stored["volume"]["zone"], stored["backup"]["zone"]) == ("fr-par-1a", None)
    assert {r["region"] for r in stored.values()} == {"fr-par-1"}
    assert stored["backup"]["territory"] == stored["volume"]["territory"] == "FR-IDF"
    clock.set(datetime(2026, 11, 2, tzinfo=UTC))
    signed = ok(api.get(f"/v1/customers/{world.a.customer_id}/attestations/2026-10", headers=admin))
    kinds = sorted(r["type"] for r in signed["attestation"]["resources"])
    assert kinds == ["backup", "snapshot", "volume"]
    assert signed["attestation"]["complied"] is True


def test_erasing_a_customer_erases_its_stored_data(
    client: TestClient, container: App, world: World
) -> None:
    """Offboarding's erasure: volumes (attached or not), snapshots and backups go, the
    pools' room comes back, billing stops; another customer's volume stays."""
    storage(client, world)
    token = world.a.tokens["customer-member"]
    me = auth(token)
    server = ok(create_server(client, token, world.a.project_id, "db"), 202)
    settle(container)
    made = ok(volume(client, token, world.a.project_id, name="data", size_gib=5), 201)
    ok(
        client.post(
            f"/v1/servers/{server['id']}/volumes", headers=me, json={"volume_id": made["id"]}
        ),
        201,
    )
    ok(
        client.post(
            "/v1/volume-snapshots", headers=me, json={"volume_id": made["id"], "force": True}
        ),
        201,
    )
    ok(
        client.post(
            "/v1/volume-backups", headers=me, json={"volume_id": made["id"], "force": True}
        ),
        201,
    )
    theirs = ok(
        volume(client, world.b.tokens["customer-admin"], world.b.project_id, size_gib=3), 201
    )
    with container.uow() as session:
        erased = container.volumes.erase_customer(session, world.a.customer_id)
    assert made["id"] in erased and len(erased) == 4  # + the server's root volume
    assert allocated(container) == 3 and live_volumes(container) == 1
    assert ok(
        client.get(f"/v1/volumes/{theirs['id']}", headers=auth(world.b.tokens["customer-admin"]))
    )
    with container.uow(readonly=True) as session:
        open_holds = session.scalars(
            select(StorageHold).where(
                StorageHold.customer_id == world.a.customer_id, StorageHold.end.is_(None)
            )
        ).all()
    assert open_holds == []
