"""A volume copied into an image of its project, on both databases: through /v1 and
Cinder's ``os-volume_upload_image`` (the openstack CLI's ``image create --volume``); the
image is stored in the volume's region and holds the volume's content (its own image's
bytes, or the embedded backend's simulated disk); an attached volume needs force; a
refusal, another tenant's volume or a full image quota leaves no image behind."""

import hashlib
from typing import Any

from fastapi.testclient import TestClient

from andromede.bootstrap import App
from tests.integration.builders import World, auth, create_server, ok
from tests.integration.test_cinder_face import V3
from tests.integration.test_cinder_face import h as cinder
from tests.integration.test_glance_images import _create, _put
from tests.integration.test_openstack_face import h, keystone
from tests.integration.test_volumes import settle, storage, volume


def _images(client: TestClient, token: str) -> set[str]:
    return {i["id"] for i in ok(client.get("/image/v2/images", headers=h(token)))["images"]}


def _copy(client: TestClient, token: str, volume_id: str, **body: Any) -> Any:
    return client.post(f"/v1/volumes/{volume_id}/image", headers=auth(token), json=body)


def test_a_volume_becomes_an_image_with_its_content(
    client: TestClient, container: App, world: World
) -> None:
    storage(client, world)
    member = world.a.tokens["customer-member"]
    os_token = keystone(client, "a-customer-member", {"id": world.a.project_id})
    own = _create(client, os_token, "golden", disk_format="raw")
    data = b"golden disk " * 5000
    assert _put(client, os_token, own["id"], data).status_code == 204
    filled = ok(volume(client, member, world.a.project_id, size_gib=3, image=own["id"]), 201)

    copied = ok(_copy(client, member, filled["id"], name="golden-again"), 201)
    assert (copied["status"], copied["region"], copied["min_disk_gib"]) == ("active", "fr-par-1", 3)
    assert copied["properties"] == {"volume_id": filled["id"]}
    downloaded = client.get(f"/v1/images/{copied['id']}/file", headers=auth(member))
    assert downloaded.content == data

    empty = ok(volume(client, member, world.a.project_id, size_gib=1), 201)
    blank = ok(_copy(client, member, empty["id"], name="blank", disk_format="qcow2"), 201)
    content = client.get(f"/v1/images/{blank['id']}/file", headers=auth(member)).content
    assert content.startswith(f"andromede-volume volume={empty['id']} ".encode())
    assert hashlib.md5(content).hexdigest() == blank["checksum"]
    assert blank["size"] == len(content) and blank["disk_format"] == "qcow2"
    again = client.get(f"/v1/images/{blank['id']}/file", headers=auth(member)).content
    assert again == content  # the same simulated disk on every read


def test_refusals_leave_no_image(client: TestClient, container: App, world: World) -> None:
    storage(client, world)
    member = world.a.tokens["customer-member"]
    os_token = keystone(client, "a-customer-member", {"id": world.a.project_id})
    made = ok(volume(client, member, world.a.project_id, size_gib=1), 201)
    server = ok(create_server(client, member, world.a.project_id), 202)
    settle(container)
    attach = {"volume_id": made["id"]}
    ok(client.post(f"/v1/servers/{server['id']}/volumes", headers=auth(member), json=attach), 201)
    before = _images(client, os_token)

    unforced = _copy(client, member, made["id"], name="attached")
    assert unforced.status_code == 400 and "force" in unforced.text
    stranger = _copy(client, world.b.tokens["customer-member"], made["id"], name="stolen")
    assert stranger.status_code == 404
    viewer = _copy(client, world.a.tokens["customer-viewer"], made["id"], name="peek")
    assert viewer.status_code == 403
    bad_format = _copy(client, member, made["id"], name="odd", disk_format="floppy", force=True)
    assert bad_format.status_code == 400
    container.images.quota_bytes = 1024  # the simulated disk is larger
    full = _copy(client, member, made["id"], name="too-big", force=True)
    assert full.status_code == 413, full.text
    assert not list(container.images.bytes.root.rglob("*.part"))
    after = _images(client, os_token)
    queued = [
        i for i in ok(client.get("/image/v2/images", headers=h(os_token)))["images"]
        if i["id"] in after - before
    ]  # fmt: skip
    assert [(i["name"], i["status"]) for i in queued] == [("too-big", "queued")]

    container.images.quota_bytes = 10 * 1024 * 1024
    forced = ok(_copy(client, member, made["id"], name="attached", force=True), 201)
    assert forced["status"] == "active"


def test_cinder_upload_to_image(client: TestClient, world: World) -> None:
    storage(client, world)
    token = keystone(client, "a-customer-member", {"id": world.a.project_id})
    body = {"volume": {"size": 2, "availability_zone": "fr-par-1a", "description": "db"}}
    made = ok(client.post(f"{V3}/volumes", headers=cinder(token), json=body), 202)["volume"]
    url = f"{V3}/volumes/{made['id']}/action"
    wanted = {"image_name": "db-image", "disk_format": "qcow2", "force": "False"}
    answer = client.post(url, headers=cinder(token), json={"os-volume_upload_image": wanted})
    assert answer.status_code == 202, answer.text
    upload = answer.json()["os-volume_upload_image"]
    assert (upload["id"], upload["size"], upload["display_description"]) == (made["id"], 2, "db")
    assert (upload["image_name"], upload["disk_format"], upload["container_format"]) == (
        "db-image",
        "qcow2",
        "bare",
    )
    assert upload["volume_type"]["name"] == "ssd" and upload["visibility"] == "private"
    image = ok(client.get(f"/image/v2/images/{upload['image_id']}", headers=h(token)))
    assert (image["status"], image["name"], image["min_disk"]) == ("active", "db-image", 2)
    shown = ok(client.get(f"{V3}/volumes/{made['id']}", headers=cinder(token)))["volume"]
    assert shown["status"] == "available"

    nameless = client.post(url, headers=cinder(token), json={"os-volume_upload_image": {}})
    assert nameless.status_code == 400 and "badRequest" in nameless.json()
    other = keystone(client, "b-customer-member", {"id": world.b.project_id})
    hidden = client.post(url, headers=cinder(other), json={"os-volume_upload_image": wanted})
    assert hidden.status_code == 404 and "itemNotFound" in hidden.json()
