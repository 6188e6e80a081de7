"""/v1 for a server's description, serial console and crash dump, on both databases:
the same rules as the OpenStack face (one service), errors as problem+json, another
customer's server not found."""

from fastapi.testclient import TestClient

from andromede.bootstrap import App
from tests.integration.builders import World, auth, ok


def _settle(container: App) -> None:
    while container.reconciler.run_once():
        pass


def test_console_description_and_crash_dump(
    client: TestClient, world: World, container: App
) -> None:
    member = auth(world.a.tokens["customer-member"])
    body = {"project_id": world.a.project_id, "name": "n1", "flavor": "SCS-1V-2"}
    body |= {"image": "debian-12", "region": "fr-par-1", "description": "front"}
    server = ok(client.post("/v1/servers", headers=member, json=body), 202)
    assert server["description"] == "front"
    url = f"/v1/servers/{server['id']}"
    early = client.get(f"{url}/console", headers=member)
    assert early.status_code in (200, 409)  # a VM being built may not have a console yet
    _settle(container)
    changed = ok(client.patch(url, headers=member, json={"description": None}))
    assert (changed["description"], changed["name"]) == (None, "n1")
    too_long = client.patch(url, headers=member, json={"description": "x" * 300})
    assert too_long.status_code == 400
    assert too_long.headers["content-type"].startswith("application/problem+json")
    log = ok(client.get(f"{url}/console", headers=member, params={"lines": 1}))["output"]
    assert log == "n1 login: \n"
    assert client.get(f"{url}/console", headers=member, params={"lines": -3}).status_code == 400
    dumped = ok(client.post(f"{url}/actions", headers=member, json={"action": "crash_dump"}), 202)
    assert dumped["status"] == "ACTIVE"
    assert "Kernel panic" in ok(client.get(f"{url}/console", headers=member))["output"]
    other = auth(world.b.tokens["customer-member"])
    assert client.get(f"{url}/console", headers=other).status_code == 404
    assert (
        client.post(f"{url}/actions", headers=other, json={"action": "crash_dump"}).status_code
        == 404
    )
    ok(client.post(f"{url}/actions", headers=member, json={"action": "lock"}), 202)
    locked = client.post(f"{url}/actions", headers=member, json={"action": "crash_dump"})
    assert locked.status_code == 409
