"""Snapshots on both databases: Nova's createImage makes a private image in the server's
region, saving until the reconciler has the region's driver copy the disk, then active
with its checksums; Nova's image API shows and deletes it; a server boots from it; a
server that is building, locked or another project's gets no snapshot."""

import hashlib

from fastapi.testclient import TestClient

from andromede.bootstrap import App
from tests.integration.builders import World, auth, ok
from tests.integration.test_openstack_face import V21, boot, h, keystone


def settle(container: App) -> None:
    while container.reconciler.run_once():
        pass


def test_a_snapshot_from_request_to_boot(client: TestClient, container: App, world: World) -> None:
    token = keystone(client, "a-customer-member", {"id": world.a.project_id})
    server = ok(boot(client, token), 202)["server"]
    action = f"{V21}/servers/{server['id']}/action"
    early = client.post(action, headers=h(token), json={"createImage": {"name": "too-soon"}})
    assert early.status_code == 409  # still building
    settle(container)
    body = {"createImage": {"name": "golden €", "metadata": {"image_type": "test", "tier": "web"}}}
    answer = client.post(action, headers=h(token), json=body)
    assert answer.status_code == 202, answer.text
    image_id = answer.headers["location"].rsplit("/", 1)[-1]
    saving = ok(client.get(f"{V21}/images/{image_id}", headers=h(token)))["image"]
    assert (saving["status"], saving["server"]["id"]) == ("SAVING", server["id"])
    settle(container)
    shown = ok(client.get(f"{V21}/images/{image_id}", headers=h(token)))["image"]
    assert (shown["name"], shown["status"], shown["minDisk"]) == ("golden €", "ACTIVE", 4)  # root
    assert shown["metadata"]["image_type"] == "test"  # what was asked for wins, as in Nova
    assert (shown["metadata"]["tier"], shown["metadata"]["instance_uuid"]) == ("web", server["id"])
    glance = ok(client.get(f"/image/v2/images/{image_id}", headers=h(token)))
    assert (glance["status"], glance["visibility"]) == ("active", "private")
    assert glance["instance_uuid"] == server["id"]
    data = client.get(f"/image/v2/images/{image_id}/file", headers=h(token))
    assert data.status_code == 200 and hashlib.md5(data.content).hexdigest() == glance["checksum"]
    assert server["id"].encode() in data.content[:200]  # the simulated disk names its VM
    listed = ok(client.get(f"{V21}/images/detail?server={server['id']}", headers=h(token)))
    assert [i["id"] for i in listed["images"]] == [image_id]
    clone = ok(boot(client, token, "clone", imageRef=image_id), 202)["server"]
    settle(container)
    assert (
        ok(client.get(f"{V21}/servers/{clone['id']}", headers=h(token)))["server"]["status"]
        == "ACTIVE"
    )
    assert client.delete(f"{V21}/images/{image_id}", headers=h(token)).status_code == 204
    assert client.get(f"{V21}/images/{image_id}", headers=h(token)).status_code == 404


def test_no_snapshot_of_a_locked_or_anothers_server(
    client: TestClient, container: App, world: World
) -> None:
    token = keystone(client, "a-customer-member", {"id": world.a.project_id})
    server = ok(boot(client, token), 202)["server"]
    settle(container)
    action = f"{V21}/servers/{server['id']}/action"
    other = keystone(client, "b-customer-member", {"id": world.b.project_id})
    stolen = client.post(action, headers=h(other), json={"createImage": {"name": "x"}})
    assert stolen.status_code == 404
    unnamed = client.post(action, headers=h(token), json={"createImage": {"metadata": {}}})
    assert unnamed.status_code == 400
    assert client.post(action, headers=h(token), json={"lock": None}).status_code == 202
    locked = client.post(action, headers=h(token), json={"createImage": {"name": "x"}})
    assert locked.status_code == 409
    member = auth(world.a.tokens["customer-member"])
    images = ok(client.get(f"/v1/projects/{world.a.project_id}/images", headers=member))
    own = [i for i in images["items"] if i["project_id"] == world.a.project_id]
    assert own == []  # nothing was made by the refusals


def test_no_snapshot_where_the_policy_now_refuses(
    client: TestClient, container: App, world: World
) -> None:
    """An image of a server is a new copy of its disk in the region's store: a placement,
    refused where the customer's policy no longer allows the region."""
    token = keystone(client, "a-customer-member", {"id": world.a.project_id})
    server = ok(boot(client, token), 202)["server"]
    settle(container)
    brittany = {"scope_type": "customer", "scope_id": world.a.customer_id, "allow": ["in:FR-BRE"]}
    admin = auth(world.a.tokens["customer-admin"])
    ok(client.post("/v1/policies", headers=admin, json=brittany), 201)
    action = f"{V21}/servers/{server['id']}/action"
    refused = client.post(action, headers=h(token), json={"createImage": {"name": "copy"}})
    assert refused.status_code == 403, refused.text
    images = ok(client.get("/image/v2/images", headers=h(token)))["images"]
    assert "copy" not in {i["name"] for i in images}
