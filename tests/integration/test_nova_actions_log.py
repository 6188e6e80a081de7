"""Nova's os-instance-actions (from the audit log, by request id), ``changes-since``, and
Nova's strict checks on create: a numeric name and a malformed IPv6 address are 400;
addresses come back in their shortest form."""

from datetime import timedelta

from fastapi.testclient import TestClient

from andromede.bootstrap import App
from andromede.kernel.clock import FrozenClock
from tests.integration.builders import World, ok
from tests.integration.test_openstack_face import V21, boot, h, keystone


def test_instance_actions_by_request(client: TestClient, world: World, container: App) -> None:
    token = keystone(client, "a-customer-member", {"id": world.a.project_id})
    made = boot(client, token)
    created_in = made.headers["x-compute-request-id"]
    sid = made.json()["server"]["id"]
    while container.reconciler.run_once():
        pass
    act = f"{V21}/servers/{sid}/action"
    reboot = client.post(act, headers=h(token), json={"reboot": {"type": "HARD"}})
    refused = client.post(act, headers=h(token), json={"os-start": None})
    assert refused.status_code == 409  # refused: not an action
    url = f"{V21}/servers/{sid}/os-instance-actions"
    listed = ok(client.get(url, headers=h(token)))["instanceActions"]
    assert [(a["action"], a["request_id"]) for a in listed] == [
        ("create", created_in),
        ("reboot", reboot.headers["x-compute-request-id"]),
    ]
    one = ok(client.get(f"{url}/{created_in}", headers=h(token)))["instanceAction"]
    assert one["instance_uuid"] == sid and one["action"] == "create"
    assert one["project_id"] == world.a.project_id and one["events"][0]["result"] == "Success"
    assert client.get(f"{url}/req-nope", headers=h(token)).status_code == 404
    other = keystone(client, "b-customer-member", {"id": world.b.project_id})
    assert client.get(url, headers=h(other)).status_code == 404


def test_changes_since_and_strict_create(
    client: TestClient, world: World, clock: FrozenClock
) -> None:
    token = keystone(client, "a-customer-member", {"id": world.a.project_id})
    made = boot(client, token, accessIPv6="0000:0000:0000:0000:0000:babe:220.12.22.2")
    assert made.status_code == 202, made.text
    sid = made.json()["server"]["id"]
    shown = ok(client.get(f"{V21}/servers/{sid}", headers=h(token)))["server"]
    assert shown["accessIPv6"] == "::babe:dc0c:1602"  # normalised, as Nova does
    past = (clock.now() - timedelta(hours=1)).isoformat()
    future = (clock.now() + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
    since = ok(client.get(f"{V21}/servers", headers=h(token), params={"changes-since": past}))
    assert [s["id"] for s in since["servers"]] == [sid]
    none = ok(client.get(f"{V21}/servers", headers=h(token), params={"changes-since": future}))
    assert none["servers"] == []
    bad = client.get(f"{V21}/servers", headers=h(token), params={"changes-since": "yesterday"})
    assert bad.status_code == 400
    flavors = ok(client.get(f"{V21}/flavors", headers=h(token)))["flavors"]
    flavor = next(f["id"] for f in flavors if f["name"] == "SCS-1V-2")
    boot_body = {"name": "ok", "flavorRef": flavor, "imageRef": shown["image"]["id"]}
    for extra in ({"name": 12345}, {"accessIPv6": "notvalid"}, {"accessIPv4": "::1"}):
        server = {**boot_body, **extra}
        refused = client.post(f"{V21}/servers", headers=h(token), json={"server": server})
        assert refused.status_code == 400, (extra, refused.text)
    assert len(ok(client.get(f"{V21}/servers", headers=h(token)))["servers"]) == 1
