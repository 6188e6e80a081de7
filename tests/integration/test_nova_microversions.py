"""Nova microversions 2.1 to 2.16 on both databases (the later ones are in
test_nova_microversions_later.py): negotiation (latest, a malformed
version 400, one out of range 406, the version answered in both headers) and the shape
changes a customer meets — 2.2 keypair types and status codes, 2.5 ``ip6``, 2.9
``locked``, 2.10 another user's keypairs refused, 2.13 a server group's project and user,
2.15 soft affinity policies that give way when no host would keep them."""

from typing import Any

from fastapi.testclient import TestClient

from andromede.bootstrap import App
from tests.integration.builders import World, ok
from tests.integration.test_neutron_networks import _make, _member
from tests.integration.test_openstack_face import V21, boot

SSH_KEY = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGqPnW1Hl3m8uXQ3y8m9p1Kxv1m3g7o1oL4bq2xj0f3Z laptop"


def at(token: str, version: str) -> dict[str, str]:
    return {"X-Auth-Token": token, "OpenStack-API-Version": f"compute {version}"}


def settle(container: App) -> None:
    while container.reconciler.run_once():
        pass


def test_negotiation(client: TestClient, world: World) -> None:
    token = _member(client, world)
    for asked, answered in (("2.1", "2.1"), ("2.9", "2.9"), ("latest", "2.79")):
        response = client.get(f"{V21}/flavors", headers=at(token, asked))
        assert response.status_code == 200
        assert response.headers["openstack-api-version"] == f"compute {answered}"
        assert response.headers["x-openstack-nova-api-version"] == answered
    assert client.get(f"{V21}/flavors", headers=at(token, "2.80")).status_code == 406
    malformed = client.get(f"{V21}/flavors", headers=at(token, "two"))
    assert malformed.status_code == 400 and "badRequest" in malformed.json()
    assert ok(client.get(f"{V21}"))["version"]["version"] == "2.79"


def test_keypairs_from_2_2(client: TestClient, world: World) -> None:
    token = _member(client, world)
    old = {"keypair": {"name": "old", "public_key": SSH_KEY}}
    made = client.post(f"{V21}/os-keypairs", headers=at(token, "2.1"), json=old)
    assert made.status_code == 200 and "type" not in made.json()["keypair"]
    typed = {"keypair": {"name": "typed", "public_key": SSH_KEY, "type": "ssh"}}
    assert (
        client.post(f"{V21}/os-keypairs", headers=at(token, "2.1"), json=typed).status_code == 400
    )
    made = client.post(f"{V21}/os-keypairs", headers=at(token, "2.2"), json=typed)
    assert made.status_code == 201 and made.json()["keypair"]["type"] == "ssh"
    cert = client.post(f"{V21}/os-keypairs", headers=at(token, "2.2"),
                       json={"keypair": {"name": "cert", "type": "x509"}})  # fmt: skip
    assert cert.status_code == 201, cert.text
    body = cert.json()["keypair"]
    assert body["type"] == "x509" and body["public_key"].startswith("-----BEGIN CERTIFICATE-----")
    assert body["private_key"].startswith("-----BEGIN PRIVATE KEY-----")
    assert len(body["fingerprint"].split(":")) == 20  # SHA-1, as Nova's
    shown = ok(client.get(f"{V21}/os-keypairs/cert", headers=at(token, "2.2")))["keypair"]
    assert (shown["type"], shown["fingerprint"]) == ("x509", body["fingerprint"])
    listed = ok(client.get(f"{V21}/os-keypairs", headers=at(token, "2.2")))["keypairs"]
    assert {k["keypair"]["name"]: k["keypair"]["type"] for k in listed} == {
        "old": "ssh",
        "typed": "ssh",
        "cert": "x509",
    }
    bad: list[dict[str, Any]] = [
        {"name": "pgp", "type": "pgp"},
        {"name": "fake", "type": "x509", "public_key": "-----BEGIN CERTIFICATE-----\nxx\n"},
    ]
    for keypair in bad:
        answer = client.post(
            f"{V21}/os-keypairs", headers=at(token, "2.2"), json={"keypair": keypair}
        )
        assert answer.status_code == 400
    other = {"user_id": "someone-else"}
    assert (
        client.get(f"{V21}/os-keypairs", headers=at(token, "2.10"), params=other).status_code == 403
    )
    assert client.delete(f"{V21}/os-keypairs/old", headers=at(token, "2.1")).status_code == 202
    assert client.delete(f"{V21}/os-keypairs/cert", headers=at(token, "2.2")).status_code == 204


def test_locked_and_server_groups(client: TestClient, container: App, world: World) -> None:
    token = _member(client, world)
    server = ok(boot(client, token), 202)["server"]
    settle(container)
    url = f"{V21}/servers/{server['id']}"
    assert "locked" not in ok(client.get(url, headers=at(token, "2.8")))["server"]
    assert ok(client.get(url, headers=at(token, "2.9")))["server"]["locked"] is False
    assert (
        client.post(f"{url}/action", headers=at(token, "2.9"), json={"lock": None}).status_code
        == 202
    )
    detail = ok(client.get(f"{V21}/servers/detail", headers=at(token, "2.9")))["servers"]
    assert [s["locked"] for s in detail if s["id"] == server["id"]] == [True]
    body = {"server_group": {"name": "ha", "policies": ["anti-affinity"]}}
    group = ok(client.post(f"{V21}/os-server-groups", headers=at(token, "2.13"), json=body))
    assert group["server_group"]["project_id"] == world.a.project_id
    assert group["server_group"]["user_id"]
    old = ok(
        client.get(
            f"{V21}/os-server-groups/{group['server_group']['id']}", headers=at(token, "2.12")
        )
    )
    assert "project_id" not in old["server_group"]


def test_address_filters(client: TestClient, container: App, world: World) -> None:
    token = _member(client, world)
    net = _make(client, token, "network", name="v6")
    _make(client, token, "subnet", network_id=net["id"], cidr="2001:db8:5::/64", ip_version=6)
    six = ok(boot(client, token, "six", networks=[{"uuid": net["id"]}]), 202)["server"]
    ok(boot(client, token, "four"), 202)
    settle(container)
    shown = ok(client.get(f"{V21}/servers/{six['id']}", headers=at(token, "2.5")))["server"]
    assert [(a["addr"], a["version"]) for a in shown["addresses"]["v6"]] == [("2001:db8:5::2", 6)]

    def names(version: str, **params: str) -> set[str]:
        found = ok(client.get(f"{V21}/servers", headers=at(token, version), params=params))
        return {s["name"] for s in found["servers"]}

    assert names("2.5", ip6="2001:db8:5") == {"six"}
    assert names("2.4", ip6="2001:db8:5") == {"six", "four"}  # not a filter before 2.5
    assert names("2.1", ip=r"^172\.") == {"four"}  # on the project's own network
    assert (
        client.get(f"{V21}/servers", headers=at(token, "2.1"), params={"ip": "("}).status_code
        == 400
    )


def test_soft_anti_affinity_gives_way(client: TestClient, container: App, world: World) -> None:
    """Four hosts per region: a fifth member of a hard anti-affinity group has no host, a
    fifth of a soft one shares one."""
    token = _member(client, world)
    groups = f"{V21}/os-server-groups"
    soft = {"server_group": {"name": "soft", "policies": ["soft-anti-affinity"]}}
    assert client.post(groups, headers=at(token, "2.14"), json=soft).status_code == 400
    made = ok(client.post(groups, headers=at(token, "2.15"), json=soft))["server_group"]
    hard = {"server_group": {"name": "hard", "policies": ["anti-affinity"]}}
    strict = ok(client.post(groups, headers=at(token, "2.15"), json=hard))["server_group"]

    flavor = next(
        f["id"]
        for f in ok(client.get(f"{V21}/flavors", headers=at(token, "2.15")))["flavors"]
        if f["name"] == "SCS-1V-2"
    )
    image = next(
        i["id"]
        for i in ok(client.get("/image/v2/images", headers=at(token, "2.15")))["images"]
        if i["name"] == "debian-12"
    )

    def member(group: str, n: int) -> Any:
        body = {
            "server": {"name": f"{group[:4]}-{n}", "flavorRef": flavor, "imageRef": image},
            "os:scheduler_hints": {"group": group},
        }
        return client.post(f"{V21}/servers", headers=at(token, "2.15"), json=body)

    for n in range(4):
        ok(member(made["id"], n), 202)
        ok(member(strict["id"], n), 202)
    assert member(strict["id"], 4).status_code in (400, 403, 409)  # no fifth host
    fifth = ok(member(made["id"], 4), 202)["server"]
    settle(container)
    shown = ok(client.get(f"{V21}/servers/{fifth['id']}", headers=at(token, "2.15")))["server"]
    assert shown["status"] == "ACTIVE"
    hosts = {
        s["hostId"]
        for s in ok(client.get(f"{V21}/servers/detail", headers=at(token, "2.15")))["servers"]
        if s["name"].startswith(made["id"][:4])
    }
    assert len(hosts) == 4  # five members on the region's four hosts
