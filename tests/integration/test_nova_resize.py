"""Nova's resize on both databases: a resized server waits in VERIFY_RESIZE, where only a
confirm, a revert or its deletion is taken; the revert gives the old flavor back, the
confirm keeps the new one; each change is a metered event. A stopped server stays
stopped; a running one is restarted by its hypervisor at the new size."""

from fastapi.testclient import TestClient
from sqlalchemy import select

from andromede.bootstrap import App
from andromede.compute.store import ServerEvent
from tests.integration.builders import World, ok
from tests.integration.test_neutron_networks import _member
from tests.integration.test_openstack_face import V21, boot, h


def settle(container: App) -> None:
    while container.reconciler.run_once():
        pass


def test_resize_then_revert_then_confirm(client: TestClient, container: App, world: World) -> None:
    token = _member(client, world)
    flavors = {
        f["name"]: f["id"] for f in ok(client.get(f"{V21}/flavors", headers=h(token)))["flavors"]
    }
    server = ok(boot(client, token), 202)["server"]
    settle(container)
    url = f"{V21}/servers/{server['id']}"

    def act(body: object) -> int:
        return client.post(f"{url}/action", headers=h(token), json=body).status_code

    def shown() -> tuple[str, str]:
        found = ok(client.get(url, headers=h(token)))["server"]
        return found["status"], found["flavor"]["id"]

    bigger = {"resize": {"flavorRef": flavors["SCS-2V-4"]}}
    assert act({"confirmResize": None}) == 400  # nothing to confirm
    assert act({"os-stop": None}) == 202
    settle(container)
    assert act(bigger) == 202
    assert shown() == ("VERIFY_RESIZE", flavors["SCS-2V-4"])
    assert act({"os-start": None}) == 409
    image = ok(client.get(url, headers=h(token)))["server"]["image"]["id"]
    assert act({"rebuild": {"imageRef": image}}) == 409
    assert act({"createImage": {"name": "mid-resize"}}) == 409
    assert act({"revertResize": None}) == 202
    assert shown() == ("SHUTOFF", flavors["SCS-1V-2"])
    assert act(bigger) == 202
    assert act({"confirmResize": None}) == 204
    assert shown() == ("SHUTOFF", flavors["SCS-2V-4"])
    assert act({"os-start": None}) == 202
    with container.uow(readonly=True) as session:
        flavors_seen = session.scalars(
            select(ServerEvent.flavor_id)
            .where(ServerEvent.server_id == server["id"])
            .order_by(ServerEvent.seq)
        ).all()
    assert flavors_seen[-3:] == [flavors["SCS-2V-4"], flavors["SCS-1V-2"], flavors["SCS-2V-4"]]


def test_a_running_server_is_resized_and_restarted(
    client: TestClient, container: App, world: World
) -> None:
    token = _member(client, world)
    flavors = {
        f["name"]: f["id"] for f in ok(client.get(f"{V21}/flavors", headers=h(token)))["flavors"]
    }
    server = ok(boot(client, token, "live"), 202)["server"]
    settle(container)
    url = f"{V21}/servers/{server['id']}"

    def act(body: object) -> int:
        return client.post(f"{url}/action", headers=h(token), json=body).status_code

    def shown() -> tuple[str, str, str]:
        found = ok(client.get(url, headers=h(token)))["server"]
        return found["status"], found["OS-EXT-STS:vm_state"], found["flavor"]["id"]

    assert act({"resize": {"flavorRef": flavors["SCS-2V-4"]}}) == 202
    assert shown() == ("RESIZE", "active", flavors["SCS-2V-4"])
    assert act({"confirmResize": None}) == 409  # not until it has restarted
    settle(container)
    assert shown() == ("VERIFY_RESIZE", "resized", flavors["SCS-2V-4"])
    console = {"os-getConsoleOutput": None}
    log = client.post(f"{url}/action", headers=h(token), json=console).json()["output"]
    assert "(reset)" in log and log.rstrip().endswith("live login:")  # restarted
    assert act({"revertResize": None}) == 202
    settle(container)
    assert shown() == ("ACTIVE", "active", flavors["SCS-1V-2"])
    assert act({"resize": {"flavorRef": flavors["SCS-2V-4"]}}) == 202
    settle(container)
    assert act({"confirmResize": None}) == 204
    assert shown() == ("ACTIVE", "active", flavors["SCS-2V-4"])


def test_a_resized_server_can_be_deleted(client: TestClient, container: App, world: World) -> None:
    token = _member(client, world)
    flavors = {
        f["name"]: f["id"] for f in ok(client.get(f"{V21}/flavors", headers=h(token)))["flavors"]
    }
    server = ok(boot(client, token), 202)["server"]
    settle(container)
    url = f"{V21}/servers/{server['id']}"
    ok(client.post(f"{url}/action", headers=h(token), json={"os-stop": None}), 202)
    settle(container)
    resize = {"resize": {"flavorRef": flavors["SCS-2V-4"]}}
    assert client.post(f"{url}/action", headers=h(token), json=resize).status_code == 202
    assert client.delete(url, headers=h(token)).status_code == 204
    settle(container)
    assert client.get(url, headers=h(token)).status_code == 404
