"""Nova's os-volume_attachments on both databases: attach, list, show, detach as the
openstack CLI and Tempest call them; 2.79's delete_on_termination taken and shown; bad
bodies are 400 and another project's server or volume is 404."""

import uuid
from typing import Any

from fastapi.testclient import TestClient

from andromede.bootstrap import App
from tests.integration.builders import World, auth, ok
from tests.integration.test_openstack_face import V21, boot, h, keystone
from tests.integration.test_volumes import settle, storage, volume


def at(token: str, version: str) -> dict[str, str]:
    return {**h(token), "OpenStack-API-Version": f"compute {version}"}


def test_attach_list_show_detach_through_nova(
    client: TestClient, container: App, world: World
) -> None:
    storage(client, world)
    token = keystone(client, "a-customer-member", {"id": world.a.project_id})
    server = ok(boot(client, token), 202)["server"]
    settle(container)
    member = world.a.tokens["customer-member"]
    made = ok(volume(client, member, world.a.project_id, name="pg", size_gib=4), 201)
    url = f"{V21}/servers/{server['id']}/os-volume_attachments"

    body = {"volumeAttachment": {"volumeId": made["id"], "delete_on_termination": True}}
    old = client.post(url, headers=at(token, "2.60"), json=body)
    assert old.status_code == 400 and "badRequest" in old.json()  # not before 2.79
    attached = ok(client.post(url, headers=at(token, "2.79"), json=body))["volumeAttachment"]
    assert (attached["volumeId"], attached["device"]) == (made["id"], "/dev/vdb")
    assert attached["delete_on_termination"] is True and attached["tag"] is None

    listed = ok(client.get(url, headers=at(token, "2.1")))["volumeAttachments"]
    assert [a["device"] for a in listed] == ["/dev/vda", "/dev/vdb"]  # SCS-1V-2 is diskless
    assert listed[1] == {
        "id": made["id"],
        "serverId": server["id"],
        "volumeId": made["id"],
        "device": "/dev/vdb",
    }
    shown = ok(client.get(f"{url}/{made['id']}", headers=at(token, "2.79")))["volumeAttachment"]
    assert shown["delete_on_termination"] is True
    server_view = ok(client.get(f"{V21}/servers/{server['id']}", headers=at(token, "2.79")))
    assert server_view["server"]["os-extended-volumes:volumes_attached"][1] == {
        "id": made["id"],
        "delete_on_termination": True,
    }
    in_use = ok(client.get(f"/v1/volumes/{made['id']}", headers=auth(member)))
    assert in_use["status"] == "in-use"

    assert client.delete(f"{url}/{made['id']}", headers=h(token)).status_code == 202
    left = ok(client.get(url, headers=h(token)))["volumeAttachments"]
    assert [a["device"] for a in left] == ["/dev/vda"]
    assert ok(client.get(f"/v1/volumes/{made['id']}", headers=auth(member)))["status"] == (
        "available"
    )


def test_bad_attachments_are_refused(client: TestClient, container: App, world: World) -> None:
    storage(client, world)
    token = keystone(client, "a-customer-member", {"id": world.a.project_id})
    server = ok(boot(client, token), 202)["server"]
    settle(container)
    url = f"{V21}/servers/{server['id']}/os-volume_attachments"
    for bad in (
        {},
        {"volumeAttachment": {"volumeId": "not-a-uuid"}},
        {"volumeAttachment": {"volumeId": str(uuid.uuid4()), "device": 7}},
        {"volumeAttachment": {"volumeId": str(uuid.uuid4()), "colour": "red"}},
    ):
        answer = client.post(url, headers=h(token), json=bad)
        assert answer.status_code == 400 and "badRequest" in answer.json(), (bad, answer.text)
    missing = {"volumeAttachment": {"volumeId": str(uuid.uuid4())}}
    assert client.post(url, headers=h(token), json=missing).status_code == 404
    theirs = ok(
        volume(client, world.b.tokens["customer-admin"], world.b.project_id, size_gib=1), 201
    )
    foreign = {"volumeAttachment": {"volumeId": theirs["id"]}}
    assert client.post(url, headers=h(token), json=foreign).status_code == 404
    stranger = keystone(client, "b-customer-admin", {"id": world.b.project_id})
    assert client.get(url, headers=h(stranger)).status_code == 404


def _boot_from_volume(client: TestClient, token: str, name: str, delete: bool) -> str:
    body = _boot_body(client, token, name, delete)
    made = client.post(f"{V21}/servers", headers=at(token, "2.67"), json=body)
    return str(ok(made, 202)["server"]["id"])


def _boot_body(client: TestClient, token: str, name: str, delete: bool) -> dict[str, Any]:
    flavors = ok(client.get(f"{V21}/flavors", headers=h(token)))["flavors"]
    flavor = next(f["id"] for f in flavors if f["name"] == "SCS-2V-4")
    image = next(
        i["id"]
        for i in ok(client.get("/image/v2/images", headers=h(token)))["images"]
        if i["name"] == "debian-12"
    )
    bdm = {"uuid": image, "boot_index": 0, "source_type": "image", "destination_type": "volume"}
    bdm |= {"volume_size": 12, "delete_on_termination": delete, "volume_type": "ssd"}
    body = {"server": {"name": name, "flavorRef": flavor, "block_device_mapping_v2": [bdm]}}
    body["server"]["networks"] = "none"
    return body


def test_boot_from_volume_makes_a_real_root_volume(
    client: TestClient, container: App, world: World
) -> None:
    storage(client, world)
    token = keystone(client, "a-customer-member", {"id": world.a.project_id})
    member = auth(world.a.tokens["customer-member"])
    kept = _boot_from_volume(client, token, "keeps-its-disk", delete=False)
    gone = _boot_from_volume(client, token, "takes-its-disk", delete=True)
    settle(container)
    roots = {}
    for server in (kept, gone):
        listed = ok(client.get(f"{V21}/servers/{server}/os-volume_attachments", headers=h(token)))
        (attachment,) = listed["volumeAttachments"]
        assert attachment["device"] == "/dev/vda"
        roots[server] = attachment["volumeId"]
        volume_view = ok(client.get(f"/v1/volumes/{roots[server]}", headers=member))
        assert (volume_view["status"], volume_view["bootable"], volume_view["size_gib"]) == (
            "in-use",
            True,
            12,
        )
    detail = ok(client.get(f"{V21}/servers/detail", headers=at(token, "2.79")))["servers"]
    attached = {s["id"]: s["os-extended-volumes:volumes_attached"] for s in detail}
    assert attached[kept] == [{"id": roots[kept], "delete_on_termination": False}]
    root_detach = client.delete(
        f"{V21}/servers/{kept}/os-volume_attachments/{roots[kept]}", headers=h(token)
    )
    assert root_detach.status_code == 400

    for server in (kept, gone):
        assert client.delete(f"{V21}/servers/{server}", headers=h(token)).status_code == 204
    assert ok(client.get(f"/v1/volumes/{roots[kept]}", headers=member))["status"] == "available"
    assert client.get(f"/v1/volumes/{roots[gone]}", headers=member).status_code == 404


def test_a_servers_addresses_by_network(client: TestClient, container: App, world: World) -> None:
    """GET /servers/{id}/ips, which Tempest's attach tests read first."""
    token = keystone(client, "a-customer-member", {"id": world.a.project_id})
    server = ok(boot(client, token), 202)["server"]
    settle(container)
    addresses = ok(client.get(f"{V21}/servers/{server['id']}/ips", headers=h(token)))["addresses"]
    ((network, found),) = addresses.items()
    assert found and all(a["version"] == 4 and a["addr"] for a in found)
    one = ok(client.get(f"{V21}/servers/{server['id']}/ips/{network}", headers=h(token)))
    assert one == {network: found}
    assert (
        client.get(f"{V21}/servers/{server['id']}/ips/nowhere", headers=h(token)).status_code == 404
    )
    stranger = keystone(client, "b-customer-admin", {"id": world.b.project_id})
    assert client.get(f"{V21}/servers/{server['id']}/ips", headers=h(stranger)).status_code == 404


def test_a_volume_type_where_the_region_sells_none_is_refused(
    client: TestClient, world: World
) -> None:
    """Without block storage a diskless flavor boots on the host's own disk; but a
    mapping that names a volume type asks for something the region does not sell, and
    taking it silently would bill and place it as what it is not."""
    token = keystone(client, "a-customer-member", {"id": world.a.project_id})
    before = ok(client.get(f"{V21}/servers", headers=h(token)))["servers"]
    made = client.post(
        f"{V21}/servers", headers=at(token, "2.67"), json=_boot_body(client, token, "typed", True)
    )
    assert made.status_code == 400
    assert "sells no volume types" in made.json()["badRequest"]["message"]
    assert ok(client.get(f"{V21}/servers", headers=h(token)))["servers"] == before
