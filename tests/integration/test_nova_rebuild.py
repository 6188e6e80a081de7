"""Nova's rebuild on both databases: the same server started again from another image
(its id, host and addresses kept), done once by the hypervisor however often the
reconciler passes, a stopped server stopped again after; bad requests refused with
nothing changed; another project's server not found. /v1 rebuilds the same way."""

from typing import Any

from fastapi.testclient import TestClient

from andromede.bootstrap import App
from tests.integration.builders import World, auth, ok, sim
from tests.integration.test_openstack_face import V21, boot, h, keystone


def _settle(container: App) -> None:
    while container.reconciler.run_once():
        pass


def _ubuntu(client: TestClient, world: World) -> str:
    body = {"name": "ubuntu-24.04", "os_distro": "ubuntu", "os_version": "24.04", "min_disk_gib": 4}
    return str(ok(client.post("/v1/images", headers=auth(world.admin), json=body), 201)["id"])


def test_rebuild_starts_the_same_server_from_another_image(
    client: TestClient, world: World, container: App
) -> None:
    ubuntu = _ubuntu(client, world)
    token = keystone(client, "a-customer-member", {"id": world.a.project_id})
    made = boot(client, token, metadata={"role": "web"})
    sid = made.json()["server"]["id"]
    _settle(container)
    url = f"{V21}/servers/{sid}"
    before = ok(client.get(url, headers=h(token)))["server"]
    rebuild = {"rebuild": {"imageRef": ubuntu, "name": "vm1-ubuntu", "metadata": {"os": "u"}}}
    answer = client.post(f"{url}/action", headers=h(token), json=rebuild)
    assert answer.status_code == 202, answer.text
    view = answer.json()["server"]
    assert view["status"] == "REBUILD" and "OS-EXT-STS:task_state" not in view  # as Nova's
    shown = ok(client.get(url, headers=h(token)))["server"]
    assert shown["OS-EXT-STS:task_state"] == "rebuilding"
    assert view["image"]["id"] == ubuntu and view["adminPass"]
    again = client.post(f"{url}/action", headers=h(token), json=rebuild)
    assert again.status_code == 409  # one rebuild at a time
    _settle(container)
    _settle(container)
    after = ok(client.get(url, headers=h(token)))["server"]
    assert after["status"] == "ACTIVE" and after["name"] == "vm1-ubuntu"
    assert after["metadata"] == {"os": "u"}
    assert (after["id"], after["hostId"], after["addresses"]) == (
        before["id"],
        before["hostId"],
        before["addresses"],
    )
    assert sim(container).rebuilds(sid) == [(1, ubuntu)]  # once, whatever the passes
    assert sim(container).create_count(sid) == 1
    stop = client.post(f"{url}/action", headers=h(token), json={"os-stop": None})
    assert stop.status_code == 202
    _settle(container)
    debian = before["image"]["id"]
    back = client.post(f"{url}/action", headers=h(token), json={"rebuild": {"imageRef": debian}})
    assert back.status_code == 202
    _settle(container)
    stopped = ok(client.get(url, headers=h(token)))["server"]
    assert stopped["status"] == "SHUTOFF" and stopped["image"]["id"] == debian
    assert sim(container).rebuilds(sid) == [(1, ubuntu), (2, debian)]


def test_bad_rebuilds_change_nothing(client: TestClient, world: World, container: App) -> None:
    token = keystone(client, "a-customer-member", {"id": world.a.project_id})
    sid = boot(client, token).json()["server"]["id"]
    url = f"{V21}/servers/{sid}"
    image = ok(client.get(url, headers=h(token)))["server"]["image"]["id"]
    building = client.post(f"{url}/action", headers=h(token), json={"rebuild": {"imageRef": image}})
    assert building.status_code == 409  # not before it was built
    _settle(container)
    bads: tuple[dict[str, Any], ...] = (
        {"rebuild": {"imageRef": "no-such-image"}},
        {"rebuild": {}},
        {"rebuild": {"imageRef": image, "flavorRef": "SCS-2V-4"}},
        {"rebuild": {"imageRef": image, "metadata": ["x"]}},
        {"rebuild": {"imageRef": image, "name": 7}},
        {"rebuild": "now"},
    )
    for bad in bads:
        refused = client.post(f"{url}/action", headers=h(token), json=bad)
        assert refused.status_code == 400, (bad, refused.text)
    assert ok(client.get(url, headers=h(token)))["server"]["status"] == "ACTIVE"
    other = keystone(client, "b-customer-member", {"id": world.b.project_id})
    theirs = client.post(f"{url}/action", headers=h(other), json={"rebuild": {"imageRef": image}})
    assert theirs.status_code == 404
    assert sim(container).rebuilds(sid) == []


def test_rebuild_on_the_native_api(client: TestClient, world: World, container: App) -> None:
    ubuntu = _ubuntu(client, world)
    member = auth(world.a.tokens["customer-member"])
    body = {"project_id": world.a.project_id, "name": "n1", "flavor": "SCS-1V-2"}
    body |= {"image": "debian-12", "region": "fr-par-1"}
    server = ok(client.post("/v1/servers", headers=member, json=body), 202)
    _settle(container)
    act = f"/v1/servers/{server['id']}/actions"
    rebuilt = ok(client.post(act, headers=member, json={"action": "rebuild", "image": ubuntu}), 202)
    assert rebuilt["status"] == "REBUILD" and rebuilt["image_id"] == ubuntu
    _settle(container)
    shown = ok(client.get(f"/v1/servers/{server['id']}", headers=member))
    assert shown["status"] == "ACTIVE"
    refused = client.post(act, headers=member, json={"action": "rebuild", "image": "nope"})
    assert refused.status_code == 400
