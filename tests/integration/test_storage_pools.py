"""Block storage's capacity on both databases: operator administrators declare a region's
volume types and the pools that hold volumes; everyone signed in reads the types, only
operator staff the pools; bad inputs are refused with the field at fault and write
nothing; claims made at once never promise more than a pool holds."""

from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from andromede.bootstrap import App
from andromede.compute.store import Server
from andromede.kernel.errors import NoValidHost
from andromede.storage.pool_placement import VolumeRequest
from andromede.storage.store import StoragePool
from andromede.storage.volume_service import RootVolume
from andromede.storage.volume_store import Volume
from andromede.tenancy.store import Project
from tests.integration.builders import World, auth, create_server, ok
from tests.integration.conftest import SYSTEM


def _type(client: TestClient, world: World, name: str, region: str = "fr-par-1") -> Any:
    body = {"region": region, "name": name, "certification": "secnumcloud"}
    return ok(client.post("/v1/volume-types", headers=auth(world.admin), json=body), 201)


def _pool(client: TestClient, world: World, pool_name: str, **fields: Any) -> Any:
    body: dict[str, Any] = {"name": pool_name, "zone": "fr-par-1a", "backend": "ceph-rbd"}
    body |= {"volume_types": ["ssd"], "total_gib": 1000, **fields}
    return client.post("/v1/storage-pools", headers=auth(world.admin), json=body)


def _pools(container: App) -> int:
    with container.uow(readonly=True) as session:
        return int(session.scalar(select(func.count()).select_from(StoragePool)) or 0)


def test_operators_declare_types_and_pools_everyone_reads_the_types(
    client: TestClient, container: App, world: World
) -> None:
    ssd = _type(client, world, "ssd")
    assert (ssd["region"], ssd["certification"], ssd["multiattach"]) == (
        "fr-par-1",
        "secnumcloud",
        False,
    )
    _type(client, world, "ssd-replicated")
    _type(client, world, "ssd", region="fr-rns-1")
    viewer = auth(world.a.tokens["customer-viewer"])
    listed = ok(client.get("/v1/volume-types?region=fr-par-1", headers=viewer))["items"]
    assert sorted(t["name"] for t in listed) == ["ssd", "ssd-replicated"]
    body = {"region": "fr-par-1", "name": "cheap"}
    partner = auth(world.a.tokens["partner-admin"])
    assert client.post("/v1/volume-types", headers=partner, json=body).status_code == 403

    made = ok(_pool(client, world, "par-a-ceph", ratio="1.5", volume_types=["ssd", "ssd"]), 201)
    assert (made["region"], made["zone"], made["volume_types"]) == (
        "fr-par-1",
        "fr-par-1a",
        ["ssd"],
    )
    assert (made["ratio"], made["allocated_gib"], made["enabled"]) == ("1.5", 0, True)
    customer = auth(world.a.tokens["customer-admin"])
    assert ok(client.get("/v1/storage-pools", headers=customer))["items"] == []
    assert client.get(f"/v1/storage-pools/{made['id']}", headers=customer).status_code == 404
    refused = client.post("/v1/storage-pools", headers=customer, json={"name": "x"})
    assert refused.status_code in (400, 403)
    url = f"/v1/storage-pools/{made['id']}"
    off = ok(client.patch(url, headers=auth(world.admin), json={"enabled": False}))
    assert off["enabled"] is False
    grown = ok(client.patch(url, headers=auth(world.admin), json={"total_gib": 2000}))
    assert grown["total_gib"] == 2000
    shrunk = client.patch(url, headers=auth(world.admin), json={"total_gib": 10})
    assert shrunk.status_code == 400 and shrunk.json()["errors"][0]["field"] == "total_gib"


def test_bad_types_and_pools_are_refused_and_write_nothing(
    client: TestClient, container: App, world: World
) -> None:
    _type(client, world, "ssd")
    _type(client, world, "archive", region="fr-rns-1")
    ok(_pool(client, world, "par-a-ceph"), 201)
    before = _pools(container)
    for fields, field in (
        ({"zone": "fr-nowhere-1a"}, "zone"),
        ({"volume_types": ["archive"]}, "volume_types"),  # another region's type
        ({"volume_types": []}, "volume_types"),
        ({"ratio": "0.5"}, "ratio"),
        ({"ratio": "30"}, "ratio"),
        ({"total_gib": 0}, "total_gib"),
        ({"name": "Bad Name"}, "name"),
        ({"backend": ""}, "backend"),
    ):
        answer = _pool(client, world, "other", **fields)
        assert answer.status_code == 400, (fields, answer.text)
        assert field in {e["field"] for e in answer.json()["errors"]}, answer.text
    assert _pool(client, world, "par-a-ceph").status_code == 409  # the name is taken
    assert _pools(container) == before
    h = auth(world.admin)
    twin = client.post("/v1/volume-types", headers=h, json={"region": "fr-par-1", "name": "ssd"})
    assert twin.status_code == 409
    nowhere = {"region": "fr-nowhere-1", "name": "ssd"}
    assert client.post("/v1/volume-types", headers=h, json=nowhere).status_code == 400
    shouting = client.post(
        "/v1/volume-types", headers=h, json={"region": "fr-par-1", "name": "SSD"}
    )
    assert shouting.status_code == 400


def test_claims_made_at_once_never_exceed_a_pools_promise(
    client: TestClient, container: App, world: World
) -> None:
    """Two pools of 100 GiB promising 1.5 times their size: twenty 20 GiB volumes at
    once get seven places on each (140 of 150 GiB), the six others a refusal."""
    _type(client, world, "ssd")
    for name in ("par-a-1", "par-a-2"):
        ok(_pool(client, world, name, total_gib=100, ratio="1.5"), 201)
    request = VolumeRequest(20, "ssd", "fr-par-1", zones=frozenset({"fr-par-1a"}))

    def claim(_: int) -> str:
        try:
            with container.uow() as session:
                return container.storage.place_and_claim(session, request).pool_id
        except NoValidHost:
            return "refused"

    with ThreadPoolExecutor(max_workers=8) as pool:
        outcomes = list(pool.map(claim, range(20)))
    assert outcomes.count("refused") == 6
    with container.uow(readonly=True) as session:
        rows = list(session.scalars(select(StoragePool)))
    assert sorted(p.allocated_gib for p in rows) == [140, 140]
    assert all(outcomes.count(p.id) == 7 for p in rows)


def test_a_root_volume_whose_pool_filled_since_the_read_is_claimed_on_another(
    client: TestClient, container: App, world: World
) -> None:
    """A server's root volume is made last in the create's transaction, its first try on
    the pools as read when the create began (the claim locks the pool's row to the
    commit): a pool another create filled in between is not over-promised, the volume
    goes to another pool of the zone, and with none left the create fails whole."""
    _type(client, world, "ssd")
    big = ok(_pool(client, world, "big", total_gib=1000), 201)
    small = ok(_pool(client, world, "small", total_gib=200), 201)
    member = world.a.tokens["customer-member"]
    made = create_server(
        client, member, world.a.project_id, flavor="SCS-2V-4-20s", zone="fr-par-1a"
    )
    server = ok(made, 202)  # a disk of its own: its root volume is made below, by hand
    zone = frozenset({"fr-par-1a"})  # where both pools are
    with container.uow(readonly=True) as session:
        plan = container.volumes.plan_root(session, "fr-par-1", None, 10, zone)
        image = session.get(Server, server["id"]).image_id  # type: ignore[union-attr]
    assert plan is not None and plan.zones == zone
    assert max(plan.pools, key=lambda p: p.room_gib).id == big["id"]  # the first choice
    root = RootVolume(server["id"], "fr-par-1", "fr-par-1a", 10, image)

    def fill(pool: dict[str, Any]) -> None:  # another create's claim, committed
        with container.uow() as session:
            session.get(StoragePool, pool["id"]).allocated_gib = pool["total_gib"]  # type: ignore[union-attr]

    def make_root() -> str:
        with container.uow() as session:
            project = session.get(Project, world.a.project_id)
            assert project is not None
            return container.volumes.create_root(session, SYSTEM, project, root, plan).id

    fill(big)
    volume_id = make_root()
    with container.uow(readonly=True) as session:
        held = {p.name: p.allocated_gib for p in session.scalars(select(StoragePool))}
        assert session.get(Volume, volume_id).pool_id == small["id"]  # type: ignore[union-attr]
    assert held == {"big": 1000, "small": 10}

    fill(small)
    with pytest.raises(NoValidHost):
        make_root()
    with container.uow(readonly=True) as session:
        assert session.scalar(select(func.count()).select_from(Volume)) == 1  # nothing kept
