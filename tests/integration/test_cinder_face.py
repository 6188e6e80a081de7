"""Cinder v3 at /block-storage on both databases, as openstacksdk, the openstack CLI and
Tempest call it: version discovery, volumes with their actions, metadata, snapshots and
backups, types, quotas, limits, zones; Cinder's error bodies; another project's volume
is not found."""

import uuid
from typing import Any

from fastapi.testclient import TestClient

from andromede.bootstrap import App
from tests.integration.builders import World, add_project, auth, ok
from tests.integration.test_openstack_face import keystone
from tests.integration.test_volumes import storage

V3 = "/block-storage/v3"


def h(token: str) -> dict[str, str]:
    return {"X-Auth-Token": token, "OpenStack-API-Version": "volume 3.65"}


def make(client: TestClient, token: str, **fields: Any) -> Any:
    body = {"volume": {"size": 1, "availability_zone": "fr-par-1a", **fields}}
    return ok(client.post(f"{V3}/volumes", headers=h(token), json=body), 202)["volume"]


def test_discovery_types_zones_extensions(client: TestClient, world: World) -> None:
    storage(client, world)
    token = keystone(client, "a-customer-member", {"id": world.a.project_id})
    for path, status in (("/block-storage", 300), ("/block-storage/", 300), (f"{V3}/", 200)):
        (version,) = ok(client.get(path), status)["versions"]
        assert (version["id"], version["min_version"], version["version"]) == (
            "v3.0",
            "3.0",
            "3.70",
        )
    catalog = ok(client.get("/identity/v3/auth/catalog", headers={"X-Auth-Token": token}))
    kinds = {entry["type"] for entry in catalog["catalog"]}
    assert {"block-storage", "volumev3"} <= kinds
    types = ok(client.get(f"{V3}/types", headers=h(token)))["volume_types"]
    assert [t["name"] for t in types] == ["shared", "ssd"]  # one per name, not per region
    shared = next(t for t in types if t["name"] == "shared")
    assert shared["extra_specs"] == {"multiattach": "<is> True"}
    assert ok(client.get(f"{V3}/types/default", headers=h(token)))["volume_type"]["name"] == "ssd"
    zones = ok(client.get(f"{V3}/os-availability-zone", headers=h(token)))
    assert [z["zoneName"] for z in zones["availabilityZoneInfo"]] == ["fr-par-1a", "fr-rns-1a"]
    assert ok(client.get(f"{V3}/extensions", headers=h(token)))["extensions"]


def test_volume_life_through_cinder(client: TestClient, container: App, world: World) -> None:
    storage(client, world)
    token = keystone(client, "a-customer-member", {"id": world.a.project_id})
    made = make(client, token, name="db", metadata={"tier": "gold"})
    assert (made["status"], made["bootable"], made["volume_type"]) == ("available", "false", "ssd")
    assert "os-vol-tenant-attr:tenant_id" not in made  # Cinder's create view
    url = f"{V3}/volumes/{made['id']}"
    shown = ok(client.get(url, headers=h(token)))["volume"]
    assert shown["os-vol-tenant-attr:tenant_id"] == world.a.project_id
    renamed = ok(client.put(url, headers=h(token), json={"volume": {"name": "db2"}}))
    assert renamed["volume"]["name"] == "db2"

    def act(body: dict[str, Any], status: int = 202) -> None:
        answer = client.post(f"{url}/action", headers=h(token), json=body)
        assert answer.status_code == status, answer.text

    act({"os-extend": {"new_size": 3}})
    act({"os-set_bootable": {"bootable": True}}, 200)
    act({"os-update_readonly_flag": {"readonly": True}})
    act({"os-retype": {"new_type": "shared", "migration_policy": "never"}})
    shown = ok(client.get(url, headers=h(token)))["volume"]
    assert (shown["size"], shown["bootable"], shown["volume_type"]) == (3, "true", "shared")
    assert shown["metadata"] == {"tier": "gold", "readonly": "True"}

    meta = f"{url}/metadata"
    ok(client.post(meta, headers=h(token), json={"metadata": {"a": "1"}}))
    ok(client.put(f"{meta}/a", headers=h(token), json={"meta": {"a": "2"}}))
    assert ok(client.get(f"{meta}/a", headers=h(token))) == {"meta": {"a": "2"}}
    ok(client.delete(f"{meta}/a", headers=h(token)))
    assert client.get(f"{meta}/a", headers=h(token)).status_code == 404
    replaced = ok(client.put(meta, headers=h(token), json={"metadata": {"only": "me"}}))
    assert replaced == {"metadata": {"only": "me"}}

    snap_body = {"snapshot": {"volume_id": made["id"], "name": "s1", "metadata": {"k": "v"}}}
    snap = ok(client.post(f"{V3}/snapshots", headers=h(token), json=snap_body), 202)["snapshot"]
    snap_meta = f"{V3}/snapshots/{snap['id']}/metadata"
    assert ok(client.get(snap_meta, headers=h(token))) == {"metadata": {"k": "v"}}
    ok(client.put(f"{snap_meta}/k", headers=h(token), json={"meta": {"k": "w"}}))
    listed = ok(client.get(f"{V3}/snapshots/detail", headers=h(token)))["snapshots"]
    assert [(s["id"], s["metadata"]) for s in listed] == [(snap["id"], {"k": "w"})]
    from_snap = make(client, token, snapshot_id=snap["id"], size=4)
    assert (from_snap["snapshot_id"], from_snap["size"]) == (snap["id"], 4)
    refused = client.delete(url, headers=h(token))
    assert refused.status_code == 409 and "conflictingRequest" in refused.json()
    assert client.delete(f"{url}?cascade=true", headers=h(token)).status_code == 202
    assert client.get(f"{V3}/snapshots/{snap['id']}", headers=h(token)).status_code == 404

    backup = ok(
        client.post(
            f"{V3}/backups", headers=h(token), json={"backup": {"volume_id": from_snap["id"]}}
        ),
        202,
    )["backup"]
    detail = ok(client.get(f"{V3}/backups/{backup['id']}", headers=h(token)))["backup"]
    assert (detail["status"], detail["container"], detail["size"]) == (
        "available",
        "fr-par-1-backup",
        4,
    )
    restored = ok(
        client.post(f"{V3}/backups/{backup['id']}/restore", headers=h(token), json={"restore": {}}),
        202,
    )["restore"]
    again = ok(client.get(f"{V3}/volumes/{restored['volume_id']}", headers=h(token)))["volume"]
    assert (again["backup_id"], again["size"]) == (backup["id"], 4)
    assert client.delete(f"{V3}/backups/{backup['id']}", headers=h(token)).status_code == 202


def test_lists_filter_and_page(client: TestClient, world: World) -> None:
    storage(client, world)
    token = keystone(client, "a-customer-member", {"id": world.a.project_id})
    made = [make(client, token, name=f"v{i}", metadata={"even": str(i % 2 == 0)}) for i in range(5)]
    first = ok(client.get(f"{V3}/volumes?limit=2", headers=h(token)))
    assert len(first["volumes"]) == 2 and "marker=" in first["volumes_links"][0]["href"]
    marker = first["volumes"][-1]["id"]
    rest = ok(client.get(f"{V3}/volumes/detail?limit=10&marker={marker}", headers=h(token)))
    seen = {v["id"] for v in first["volumes"]} | {v["id"] for v in rest["volumes"]}
    assert seen == {v["id"] for v in made}
    by_name = ok(client.get(f"{V3}/volumes/detail?name=v3", headers=h(token)))["volumes"]
    assert [v["name"] for v in by_name] == ["v3"]
    evens = ok(
        client.get(
            f"{V3}/volumes/detail", headers=h(token), params={"metadata": "{'even': 'True'}"}
        )
    )["volumes"]
    assert sorted(v["name"] for v in evens) == ["v0", "v2", "v4"]
    assert ok(client.get(f"{V3}/volumes?status=nonsense", headers=h(token)))["volumes"] == []
    zone = ok(client.get(f"{V3}/volumes/detail?availability_zone=fr-rns-1a", headers=h(token)))
    assert zone["volumes"] == []
    by_name_desc = ok(client.get(f"{V3}/volumes/detail?sort=name:desc&limit=2", headers=h(token)))
    assert [v["name"] for v in by_name_desc["volumes"]] == ["v4", "v3"]
    link = by_name_desc["volumes_links"][0]["href"]
    assert "/block-storage/v3/volumes/detail?limit=2&marker=" in link
    after = ok(client.get(f"{V3}/volumes/detail?sort=name:desc&limit=2&marker={made[3]['id']}",
                          headers=h(token)))  # fmt: skip
    assert [v["name"] for v in after["volumes"]] == ["v2", "v1"]
    bad_sort = client.get(f"{V3}/volumes?sort=colour:up", headers=h(token))
    assert bad_sort.status_code == 400


def test_a_page_holds_the_scoped_projects_rows_only(client: TestClient, world: World) -> None:
    """A customer administrator sees every project of the customer on /v1, but a
    Keystone token is scoped to one: each project's first page of one is its own row,
    never another project's row filtered away into an empty page."""
    storage(client, world)
    staging = add_project(client, world.a.tokens["partner-admin"], world.a.customer_id, "staging")
    mine: dict[str, tuple[str, str, str]] = {}
    for project in (world.a.project_id, staging):
        token = keystone(client, "a-customer-admin", {"id": project})
        volume = make(client, token)
        snap = {"snapshot": {"volume_id": volume["id"]}}
        snapshot = ok(client.post(f"{V3}/snapshots", headers=h(token), json=snap), 202)
        backup = {"backup": {"volume_id": volume["id"]}}
        made = ok(client.post(f"{V3}/backups", headers=h(token), json=backup), 202)
        mine[token] = (volume["id"], snapshot["snapshot"]["id"], made["backup"]["id"])
    for token, (volume_id, snapshot_id, backup_id) in mine.items():
        for kind, own in (
            ("volumes", volume_id),
            ("snapshots", snapshot_id),
            ("backups", backup_id),
        ):
            page = ok(client.get(f"{V3}/{kind}?limit=1", headers=h(token)))[kind]
            assert [row["id"] for row in page] == [own], kind


def test_errors_and_walls_as_cinder_answers_them(client: TestClient, world: World) -> None:
    storage(client, world)
    token = keystone(client, "a-customer-member", {"id": world.a.project_id})
    bad: dict[str, Any]
    for bad in (
        {"volume": {"size": 0}},
        {"volume": {"size": -1}},
        {"volume": {}},
        {"volume": {"size": 1, "volume_type": "gold"}},
        {"volume": {"size": 1, "source_volid": "not-a-uuid"}},
        {"nothing": {}},
    ):
        answer = client.post(f"{V3}/volumes", headers=h(token), json=bad)
        assert answer.status_code in (400, 404) and set(answer.json()) <= {
            "badRequest",
            "itemNotFound",
        }, (bad, answer.text)
    no_type = {"volume": {"size": 1, "volume_type": str(uuid.uuid4())}}
    assert client.post(f"{V3}/volumes", headers=h(token), json=no_type).status_code == 404
    assert client.get(f"{V3}/volumes/", headers=h(token)).status_code == 404
    missing = client.get(f"{V3}/volumes/{uuid.uuid4()}", headers=h(token))
    assert missing.status_code == 404 and "itemNotFound" in missing.json()
    snapless = client.post(f"{V3}/snapshots", headers=h(token), json={"snapshot": {}})
    assert snapless.status_code in (400, 404)
    mine = make(client, token, name="mine")
    stranger = keystone(client, "b-customer-admin", {"id": world.b.project_id})
    assert client.get(f"{V3}/volumes/{mine['id']}", headers=h(stranger)).status_code == 404
    assert client.delete(f"{V3}/volumes/{mine['id']}", headers=h(stranger)).status_code == 404
    assert ok(client.get(f"{V3}/volumes", headers=h(stranger)))["volumes"] == []
    quotas = ok(client.get(f"{V3}/os-quota-sets/{world.a.project_id}?usage=true", headers=h(token)))
    assert quotas["quota_set"]["volumes"] == {
        "limit": 20,
        "in_use": 1,
        "reserved": 0,
        "allocated": 0,
    }
    assert (
        client.get(f"{V3}/os-quota-sets/{world.b.project_id}", headers=h(token)).status_code == 404
    )
    limits = ok(client.get(f"{V3}/limits", headers=h(token)))["limits"]["absolute"]
    assert (limits["maxTotalVolumes"], limits["totalVolumesUsed"]) == (20, 1)
    admin = auth(world.admin)
    ok(
        client.put(
            f"/v1/projects/{world.a.project_id}/storage-quotas", headers=admin, json={"volumes": 1}
        )
    )
    over = client.post(f"{V3}/volumes", headers=h(token), json={"volume": {"size": 1}})
    assert over.status_code == 413 and "overLimit" in over.json()
