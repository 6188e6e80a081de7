"""Customers' own images through Glance on both databases: create, upload (checksums),
download, JSON patch, sharing with another project (pending, accepted), deactivation,
the per-customer quota, protection and deletion; another project's image is a 404; a
server boots from an own image in the region that stores its bytes."""

import hashlib
import os
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient

from andromede.bootstrap import App
from tests.integration.builders import World, ok
from tests.integration.test_openstack_face import V21, h, keystone

IMG = "/image/v2/images"
PATCH = {"Content-Type": "application/openstack-images-v2.1-json-patch"}
OCTETS = {"Content-Type": "application/octet-stream"}


def _create(client: TestClient, token: str, name: str = "my-os", **extra: Any) -> Any:
    body = {"name": name, "disk_format": "qcow2", "container_format": "bare", **extra}
    return ok(client.post(IMG, headers=h(token), json=body), 201)


def _put(client: TestClient, token: str, image_id: str, data: bytes) -> Any:
    return client.put(f"{IMG}/{image_id}/file", headers=h(token) | OCTETS, content=data)


def _patch(client: TestClient, token: str, image_id: str, ops: list[dict[str, Any]]) -> Any:
    return client.patch(f"{IMG}/{image_id}", headers=h(token) | PATCH, json=ops)


def test_an_image_uploaded_downloaded_and_booted(
    client: TestClient, world: World, container: App
) -> None:
    token = keystone(client, "a-customer-member", {"id": world.a.project_id})
    made = _create(client, token, os_distro="debian", os_version="13", hw_disk_bus="virtio")
    assert (made["status"], made["visibility"], made["owner"]) == (
        "queued",
        "shared",
        world.a.project_id,
    )
    assert made["hw_disk_bus"] == "virtio" and made["os_distro"] == "debian"
    data = os.urandom(3 * 1024 * 1024 + 17)
    assert _put(client, token, made["id"], data).status_code == 204
    shown = ok(client.get(f"{IMG}/{made['id']}", headers=h(token)))
    assert shown["status"] == "active" and shown["size"] == len(data)
    assert shown["checksum"] == hashlib.md5(data).hexdigest()
    assert shown["os_hash_algo"] == "sha512"
    assert shown["os_hash_value"] == hashlib.sha512(data).hexdigest()
    again = _put(client, token, made["id"], b"other bytes")
    assert again.status_code == 409  # data is set once
    got = client.get(f"{IMG}/{made['id']}/file", headers=h(token))
    assert got.status_code == 200 and got.content == data
    assert got.headers["content-md5"] == shown["checksum"]
    listed = ok(client.get(IMG, headers=h(token)))["images"]
    assert made["id"] in {i["id"] for i in listed}
    flavors = ok(client.get(f"{V21}/flavors", headers=h(token)))["flavors"]
    flavor = next(f["id"] for f in flavors if f["name"] == "SCS-1V-2")
    body = {"server": {"name": "own-os", "flavorRef": flavor, "imageRef": made["id"]}}
    booted = client.post(f"{V21}/servers", headers=h(token), json=body)
    assert booted.status_code == 202, booted.text
    server = ok(client.get(f"{V21}/servers/{booted.json()['server']['id']}", headers=h(token)))
    assert server["server"]["image"]["id"] == made["id"]


def test_patch_and_its_refusals(client: TestClient, world: World) -> None:
    token = keystone(client, "a-customer-member", {"id": world.a.project_id})
    made = _create(client, token, colour="blue")
    ops: list[dict[str, Any]] = [
        {"op": "replace", "path": "/name", "value": "renamed"},
        {"op": "add", "path": "/architecture", "value": "x86_64"},
        {"op": "remove", "path": "/colour"},
        {"op": "replace", "path": "/min_disk", "value": 8},
    ]
    patched = ok(_patch(client, token, made["id"], ops))
    assert patched["name"] == "renamed" and patched["architecture"] == "x86_64"
    assert "colour" not in patched and patched["min_disk"] == 8
    ops_and_answers: tuple[tuple[dict[str, Any], int], ...] = (
        ({"op": "replace", "path": "/status", "value": "active"}, 403),  # read-only
        ({"op": "move", "path": "/name"}, 400),
        ({"op": "add", "path": "/a/b", "value": 1}, 400),
        ({"op": "replace", "path": "/visibility", "value": "public"}, 403),
        ({"op": "replace", "path": "/name"}, 400),  # no value
    )
    for op, status in ops_and_answers:
        assert _patch(client, token, made["id"], [op]).status_code == status, op
    wrong_media = client.patch(f"{IMG}/{made['id']}", headers=h(token), json=[])
    assert wrong_media.status_code == 400
    assert ok(client.get(f"{IMG}/{made['id']}", headers=h(token)))["name"] == "renamed"
    for bad in (
        {"name": "x", "disk_format": "floppy"},
        {"name": "x", "visibility": "public"},
        {"name": "x", "visibility": "community"},
        {"name": "x", "min_disk": -1},
        {"name": "x", "status": "active"},
        {"disk_format": "raw"},
    ):
        refused = client.post(IMG, headers=h(token), json=bad)
        assert refused.status_code in (400, 403), (bad, refused.text)
    viewer = keystone(client, "a-customer-viewer", {"id": world.a.project_id})
    assert client.post(IMG, headers=h(viewer), json={"name": "v"}).status_code == 403


def test_another_projects_image_and_sharing(client: TestClient, world: World) -> None:
    token = keystone(client, "a-customer-member", {"id": world.a.project_id})
    other = keystone(client, "b-customer-member", {"id": world.b.project_id})
    made = _create(client, token)
    assert _put(client, token, made["id"], b"\x00" * 4096).status_code == 204
    url = f"{IMG}/{made['id']}"
    assert client.get(url, headers=h(other)).status_code == 404
    assert client.get(f"{url}/file", headers=h(other)).status_code == 404
    assert _patch(client, other, made["id"], []).status_code == 404
    assert client.delete(url, headers=h(other)).status_code == 404
    assert made["id"] not in {i["id"] for i in ok(client.get(IMG, headers=h(other)))["images"]}
    share = {"member": world.b.project_id}
    member = ok(client.post(f"{url}/members", headers=h(token), json=share))
    assert member["status"] == "pending"
    assert client.post(f"{url}/members", headers=h(token), json=share).status_code == 409
    theirs = ok(client.get(IMG, headers=h(other)))["images"]
    assert made["id"] not in {i["id"] for i in theirs}  # not until accepted
    pending = ok(client.get(f"{IMG}?member_status=pending", headers=h(other)))["images"]
    assert made["id"] in {i["id"] for i in pending}
    accept = {"status": "accepted"}
    me = f"{url}/members/{world.b.project_id}"
    assert client.put(me, headers=h(token), json=accept).status_code == 404  # the member's say
    assert ok(client.put(me, headers=h(other), json=accept))["status"] == "accepted"
    assert made["id"] in {i["id"] for i in ok(client.get(IMG, headers=h(other)))["images"]}
    assert client.get(f"{url}/file", headers=h(other)).content == b"\x00" * 4096
    assert _patch(client, other, made["id"], []).status_code == 403  # seen, not theirs
    deactivate = client.post(f"{url}/actions/deactivate", headers=h(token))
    assert deactivate.status_code == 204
    assert client.get(f"{url}/file", headers=h(other)).status_code == 403
    assert client.post(f"{url}/actions/reactivate", headers=h(token)).status_code == 204
    members = ok(client.get(f"{url}/members", headers=h(token)))["members"]
    assert [m["member_id"] for m in members] == [world.b.project_id]
    assert client.delete(me, headers=h(token)).status_code == 204
    assert client.get(url, headers=h(other)).status_code == 404


def test_quota_protection_and_deletion(
    client: TestClient, world: World, container: App, tmp_path: Path
) -> None:
    token = keystone(client, "a-customer-member", {"id": world.a.project_id})
    container.images.quota_bytes = 5 * 1024 * 1024
    big = _create(client, token, "big")
    refused = _put(client, token, big["id"], os.urandom(6 * 1024 * 1024))
    assert refused.status_code == 413, refused.text
    shown = ok(client.get(f"{IMG}/{big['id']}", headers=h(token)))
    assert shown["status"] == "queued" and shown["size"] is None
    store = container.images.bytes.root
    assert not list(store.rglob(big["id"] + "*"))  # nothing kept
    assert _put(client, token, big["id"], os.urandom(1024)).status_code == 204
    kept = _create(client, token, "kept", protected=True)
    assert _put(client, token, kept["id"], os.urandom(2048)).status_code == 204
    assert client.delete(f"{IMG}/{kept['id']}", headers=h(token)).status_code == 403
    unprotect = [{"op": "replace", "path": "/protected", "value": False}]
    assert _patch(client, token, kept["id"], unprotect).status_code == 200
    assert client.delete(f"{IMG}/{kept['id']}", headers=h(token)).status_code == 204
    assert client.get(f"{IMG}/{kept['id']}", headers=h(token)).status_code == 404
    assert not list(store.rglob(kept["id"] + "*"))
    empty = _create(client, token, "empty")
    assert client.get(f"{IMG}/{empty['id']}/file", headers=h(token)).status_code == 204
    schema = ok(client.get("/image/v2/schemas/image", headers=h(token)))
    assert schema["name"] == "image" and "checksum" in schema["properties"]


def test_glance_2_0_patch_and_a_missing_id(client: TestClient, world: World) -> None:
    """The older patch media type (``{"replace": "/name"}``) still works; an image path
    without its id is a 404, not the list."""
    token = keystone(client, "a-customer-member", {"id": world.a.project_id})
    made = _create(client, token)
    legacy = {"Content-Type": "application/openstack-images-v2.0-json-patch"}
    ops = [{"replace": "/name", "value": "legacy"}, {"add": "/tier", "value": "gold"}]
    patched = client.patch(f"{IMG}/{made['id']}", headers=h(token) | legacy, json=ops)
    assert patched.status_code == 200, patched.text
    assert patched.json()["name"] == "legacy" and patched.json()["tier"] == "gold"
    assert client.get(f"{IMG}/", headers=h(token)).status_code == 404
    assert client.delete(f"{IMG}/", headers=h(token)).status_code == 404


def test_image_tags(client: TestClient, world: World) -> None:
    token = keystone(client, "a-customer-member", {"id": world.a.project_id})
    made = _create(client, token, tags=["golden"])
    assert made["tags"] == ["golden"]
    url = f"{IMG}/{made['id']}/tags"
    assert client.put(f"{url}/hardened", headers=h(token)).status_code == 204
    assert client.put(f"{url}/hardened", headers=h(token)).status_code == 204  # once
    shown = ok(client.get(f"{IMG}/{made['id']}", headers=h(token)))
    assert shown["tags"] == ["golden", "hardened"]
    tagged = ok(client.get(f"{IMG}?tag=hardened", headers=h(token)))["images"]
    assert [i["id"] for i in tagged] == [made["id"]]
    assert client.delete(f"{url}/golden", headers=h(token)).status_code == 204
    assert client.delete(f"{url}/golden", headers=h(token)).status_code == 404
    other = keystone(client, "b-customer-member", {"id": world.b.project_id})
    assert client.put(f"{url}/mine", headers=h(other)).status_code == 404
    bad = client.post(IMG, headers=h(token), json={"name": "x", "tags": "not-a-list"})
    assert bad.status_code == 400


def test_list_filters(client: TestClient, world: World) -> None:
    token = keystone(client, "a-customer-member", {"id": world.a.project_id})
    small = _create(client, token, "small", disk_format="raw")
    big = _create(client, token, "big")
    assert _put(client, token, small["id"], b"x" * 10).status_code == 204
    assert _put(client, token, big["id"], b"x" * 1000).status_code == 204

    def names(**params: str) -> set[str]:
        found = ok(client.get(IMG, headers=h(token), params=params))["images"]
        return {i["name"] for i in found if i["owner"] == world.a.project_id}

    assert names(disk_format="raw") == {"small"}
    assert names(size="1000") == {"big"}
    assert names(size_min="11") == {"big"}
    assert names(size_max="10") == {"small"}
    assert names(size_min="5", size_max="2000") == {"small", "big"}
    assert client.get(IMG, headers=h(token), params={"size_min": "x"}).status_code == 400
