"""Nova's lock on both databases: a locked server refuses every action but unlock (stop,
reboot, rebuild, metadata, security groups, delete), with the reason given; another
project cannot lock it; /v1 shows and changes the lock the same way."""

from fastapi.testclient import TestClient

from andromede.bootstrap import App
from tests.integration.builders import World, auth, ok
from tests.integration.test_openstack_face import V21, boot, h, keystone


def _settle(container: App) -> None:
    while container.reconciler.run_once():
        pass


def test_a_locked_server_refuses_all_but_unlock(
    client: TestClient, world: World, container: App
) -> None:
    token = keystone(client, "a-customer-member", {"id": world.a.project_id})
    sid = boot(client, token).json()["server"]["id"]
    _settle(container)
    url = f"{V21}/servers/{sid}"
    act = f"{url}/action"
    image = ok(client.get(url, headers=h(token)))["server"]["image"]["id"]
    lock = {"lock": {"locked_reason": "quarter-end close"}}
    assert client.post(act, headers=h(token), json=lock).status_code == 400  # before 2.73
    at_273 = {**h(token), "OpenStack-API-Version": "compute 2.73"}
    assert client.post(act, headers=at_273, json=lock).status_code == 202
    shown = ok(client.get(url, headers=at_273))["server"]
    assert (shown["locked"], shown["locked_reason"]) == (True, "quarter-end close")
    for refused in (
        client.post(act, headers=h(token), json={"os-stop": None}),
        client.post(act, headers=h(token), json={"reboot": {"type": "SOFT"}}),
        client.post(act, headers=h(token), json={"rebuild": {"imageRef": image}}),
        client.post(act, headers=h(token), json={"addSecurityGroup": {"name": "default"}}),
        client.post(f"{url}/metadata", headers=h(token), json={"metadata": {"a": "b"}}),
        client.delete(url, headers=h(token)),
    ):
        assert refused.status_code == 409, refused.text
        assert "locked" in refused.text
    _settle(container)
    assert ok(client.get(url, headers=h(token)))["server"]["status"] == "ACTIVE"
    other = keystone(client, "b-customer-member", {"id": world.b.project_id})
    assert client.post(act, headers=h(other), json={"unlock": None}).status_code == 404
    assert client.post(act, headers=h(token), json={"lock": "now"}).status_code == 400
    assert client.post(act, headers=h(token), json={"unlock": None}).status_code == 202
    assert client.post(act, headers=h(token), json={"os-stop": None}).status_code == 202


def test_lock_on_the_native_api(client: TestClient, world: World, container: App) -> None:
    member = auth(world.a.tokens["customer-member"])
    body = {"project_id": world.a.project_id, "name": "n1", "flavor": "SCS-1V-2"}
    body |= {"image": "debian-12", "region": "fr-par-1"}
    server = ok(client.post("/v1/servers", headers=member, json=body), 202)
    _settle(container)
    act = f"/v1/servers/{server['id']}/actions"
    locked = ok(client.post(act, headers=member, json={"action": "lock", "reason": "audit"}), 202)
    assert locked["locked"] is True and locked["locked_reason"] == "audit"
    assert client.post(act, headers=member, json={"action": "stop"}).status_code == 409
    assert client.delete(f"/v1/servers/{server['id']}", headers=member).status_code == 409
    unlocked = ok(client.post(act, headers=member, json={"action": "unlock"}), 202)
    assert unlocked["locked"] is False and unlocked["locked_reason"] is None
    assert client.post(act, headers=member, json={"action": "stop"}).status_code == 202
