"""Nova microversions 2.17 to 2.79 on both databases: each shape change a customer meets,
on either side of the version that brings it — a server's description (2.19), tags
(2.26, 2.52), networks ``auto``/``none`` and then required (2.37), the embedded flavor
(2.47), the proxies and limits gone (2.36, 2.39, 2.57), createImage's body (2.45),
rebuild's keypair and user data (2.54, 2.57), flavors (2.55, 2.61, 2.75), server groups'
policy and rules (2.64), list filters (2.38, 2.66, 2.73, 2.75), lock reasons (2.73), the
crash dump (2.17) and the console output, keypair and instance-action paging (2.35,
2.58, 2.62); the whole server validated against the 2.79 schema."""

import base64
from typing import Any

from fastapi.testclient import TestClient

from andromede.bootstrap import App
from tests.integration.builders import World, ok
from tests.integration.nova_schemas import validate
from tests.integration.test_neutron_networks import _member
from tests.integration.test_nova_microversions import SSH_KEY, at, settle
from tests.integration.test_openstack_face import V21, boot, keystone


def _refs(client: TestClient, token: str) -> tuple[str, str]:
    flavors = ok(client.get(f"{V21}/flavors", headers=at(token, "2.1")))["flavors"]
    images = ok(client.get("/image/v2/images", headers=at(token, "2.1")))["images"]
    flavor = next(f["id"] for f in flavors if f["name"] == "SCS-1V-2")
    return flavor, next(i["id"] for i in images if i["name"] == "debian-12")


def _create(client: TestClient, token: str, version: str, **fields: Any) -> Any:
    flavor, image = _refs(client, token)
    body = {"server": {"name": "vm", "flavorRef": flavor, "imageRef": image, **fields}}
    return client.post(f"{V21}/servers", headers=at(token, version), json=body)


def test_a_server_at_2_79(client: TestClient, container: App, world: World) -> None:
    token = _member(client, world)
    for version, fields in (
        ("2.37", {}),  # networks required from 2.37
        ("2.36", {"networks": "none"}),  # a string from 2.37 only
        ("2.18", {"description": "db"}),
        ("2.51", {"tags": ["a"]}),
        ("2.57", {"networks": "auto", "personality": []}),
        ("2.63", {"networks": "auto", "trusted_image_certificates": ["cert-id"]}),
        ("2.31", {"networks": [{"uuid": "x", "tag": "nic1"}]}),
        ("2.52", {"networks": "auto", "tags": ["a/b"]}),
    ):
        answer = _create(client, token, version, **fields)
        assert answer.status_code == 400, (version, fields, answer.text)
    made = _create(
        client, token, "2.79", networks="auto", description="primary db", tags=["prod", "db"]
    )
    sid = ok(made, 202)["server"]["id"]
    settle(container)
    shown = ok(client.get(f"{V21}/servers/{sid}", headers=at(token, "2.79")))
    validate("get_server_279", shown)
    server = shown["server"]
    assert (server["description"], server["tags"]) == ("primary db", ["db", "prod"])
    assert server["flavor"]["original_name"] == "SCS-1V-2" and server["flavor"]["vcpus"] == 1
    assert server["flavor"]["extra_specs"]["scs:name-v2"] == "SCS-1V-2"
    assert server["addresses"]  # "auto": the project's network in the region
    assert (server["locked_reason"], server["server_groups"]) == (None, [])
    assert server["trusted_image_certificates"] is None
    older = ok(client.get(f"{V21}/servers/{sid}", headers=at(token, "2.46")))["server"]
    assert set(older["flavor"]) == {"id", "links"} and "trusted_image_certificates" not in older
    assert (
        "description"
        not in ok(client.get(f"{V21}/servers/{sid}", headers=at(token, "2.18")))["server"]
    )
    assert "tags" not in ok(client.get(f"{V21}/servers/{sid}", headers=at(token, "2.25")))["server"]
    detail = ok(client.get(f"{V21}/servers/detail", headers=at(token, "2.79")))
    validate("list_servers_detail_279", detail)
    none = ok(_create(client, token, "2.37", networks="none"), 202)["server"]["id"]
    assert (
        ok(client.get(f"{V21}/servers/{none}", headers=at(token, "2.37")))["server"]["addresses"]
        == {}
    )


def test_update_and_rebuild_by_version(client: TestClient, container: App, world: World) -> None:
    token = _member(client, world)
    sid = ok(boot(client, token), 202)["server"]["id"]
    settle(container)
    url = f"{V21}/servers/{sid}"
    described = {"server": {"description": "web"}}
    assert client.put(url, headers=at(token, "2.18"), json=described).status_code == 400
    partial = ok(client.put(url, headers=at(token, "2.74"), json=described))["server"]
    assert partial["description"] == "web" and "OS-EXT-STS:vm_state" not in partial
    whole = ok(client.put(url, headers=at(token, "2.75"), json=described))
    validate("get_server_279", whole | {"server": {**whole["server"]}})
    too_long = {"server": {"description": "x" * 256}}
    assert client.put(url, headers=at(token, "2.19"), json=too_long).status_code == 400

    key = {"keypair": {"name": "ops", "public_key": SSH_KEY}}
    ok(client.post(f"{V21}/os-keypairs", headers=at(token, "2.2"), json=key), 201)
    image = ok(client.get(url, headers=at(token, "2.1")))["server"]["image"]["id"]
    act = f"{url}/action"
    cloud_init = base64.b64encode(b"#cloud-config\nhostname: web\n").decode()
    for version, extra in (
        ("2.53", {"key_name": "ops"}),
        ("2.56", {"user_data": cloud_init}),
        ("2.57", {"personality": []}),
        ("2.57", {"key_name": "no-such-key"}),
        ("2.57", {"user_data": "not base64!"}),
    ):
        body = {"rebuild": {"imageRef": image, **extra}}
        answer = client.post(act, headers=at(token, version), json=body)
        assert answer.status_code == 400, (version, extra, answer.text)
    body = {"rebuild": {"imageRef": image, "key_name": "ops", "user_data": cloud_init}}
    body["rebuild"]["description"] = "rebuilt"
    rebuilt = ok(client.post(act, headers=at(token, "2.75"), json=body), 202)["server"]
    assert (rebuilt["key_name"], rebuilt["description"]) == ("ops", "rebuilt")
    settle(container)
    unset = {"rebuild": {"imageRef": image, "key_name": None}}
    ok(client.post(act, headers=at(token, "2.57"), json=unset), 202)
    settle(container)
    assert ok(client.get(url, headers=at(token, "2.79")))["server"]["key_name"] is None


def test_tags(client: TestClient, container: App, world: World) -> None:
    token = _member(client, world)
    first = ok(boot(client, token, "first"), 202)["server"]["id"]
    second = ok(boot(client, token, "second"), 202)["server"]["id"]
    settle(container)
    tags = f"{V21}/servers/{first}/tags"
    assert client.get(tags, headers=at(token, "2.25")).status_code == 404
    v = at(token, "2.26")
    assert ok(client.put(tags, headers=v, json={"tags": ["web", "prod"]}))["tags"] == [
        "prod",
        "web",
    ]
    assert client.put(f"{tags}/eu", headers=v).status_code == 201
    assert client.put(f"{tags}/eu", headers=v).status_code == 204
    assert client.get(f"{tags}/eu", headers=v).status_code == 204
    assert client.get(f"{tags}/us", headers=v).status_code == 404
    assert client.delete(f"{tags}/us", headers=v).status_code == 404
    assert client.put(tags, headers=v, json={"tags": ["a,b"]}).status_code == 400
    assert ok(client.get(tags, headers=v))["tags"] == ["eu", "prod", "web"]
    ok(client.put(f"{V21}/servers/{second}/tags", headers=v, json={"tags": ["prod"]}))

    def names(**params: str) -> set[str]:
        found = ok(client.get(f"{V21}/servers", headers=v, params=params))["servers"]
        return {s["name"] for s in found}

    assert names(tags="prod,web") == {"first"}
    assert names(**{"tags-any": "web,prod"}) == {"first", "second"}
    assert names(**{"not-tags": "prod,web"}) == {"second"}
    assert names(**{"not-tags-any": "web"}) == {"second"}
    other = keystone(client, "b-customer-member", {"id": world.b.project_id})
    assert client.get(tags, headers=at(other, "2.26")).status_code == 404
    assert client.delete(f"{tags}/eu", headers=v).status_code == 204
    assert client.delete(tags, headers=v).status_code == 204
    assert ok(client.get(tags, headers=v))["tags"] == []


def test_list_queries_by_version(client: TestClient, container: App, world: World) -> None:
    token = _member(client, world)
    sid = ok(boot(client, token), 202)["server"]["id"]
    settle(container)
    servers = f"{V21}/servers"
    assert client.get(servers, headers=at(token, "2.37"), params={"status": "bogus"}).json() == {
        "servers": []
    }
    assert (
        client.get(servers, headers=at(token, "2.38"), params={"status": "bogus"}).status_code
        == 400
    )
    assert (
        client.get(servers, headers=at(token, "2.74"), params={"colour": "red"}).status_code == 200
    )
    assert (
        client.get(servers, headers=at(token, "2.75"), params={"colour": "red"}).status_code == 400
    )
    lock = {"lock": {"locked_reason": "audit"}}
    assert (
        client.post(f"{servers}/{sid}/action", headers=at(token, "2.73"), json=lock).status_code
        == 202
    )
    for version, locked, expected in (
        ("2.73", "true", 1),
        ("2.73", "false", 0),
        ("2.72", "false", 1),
    ):
        found = ok(client.get(servers, headers=at(token, version), params={"locked": locked}))
        assert len(found["servers"]) == expected, (version, locked)
    past = {"changes-before": "2000-01-01T00:00:00Z"}
    assert ok(client.get(servers, headers=at(token, "2.66"), params=past))["servers"] == []
    assert len(ok(client.get(servers, headers=at(token, "2.65"), params=past))["servers"]) == 1
    crossed = {"changes-since": "2030-01-01T00:00:00Z", "changes-before": "2020-01-01T00:00:00Z"}
    assert client.get(servers, headers=at(token, "2.66"), params=crossed).status_code == 400


def test_console_output_and_crash_dump(client: TestClient, container: App, world: World) -> None:
    token = _member(client, world)
    sid = ok(boot(client, token, "console-vm"), 202)["server"]["id"]
    settle(container)
    act = f"{V21}/servers/{sid}/action"
    v = at(token, "2.17")
    output = ok(client.post(act, headers=v, json={"os-getConsoleOutput": {}}))["output"]
    assert "console-vm login:" in output and "Linux version" in output
    last = ok(client.post(act, headers=v, json={"os-getConsoleOutput": {"length": 2}}))["output"]
    assert last.splitlines() == ["", "console-vm login: "]
    for bad in ({"length": "many"}, {"length": -2}):
        assert client.post(act, headers=v, json={"os-getConsoleOutput": bad}).status_code == 400
    assert (
        client.post(act, headers=at(token, "2.16"), json={"trigger_crash_dump": None}).status_code
        == 400
    )
    assert client.post(act, headers=v, json={"trigger_crash_dump": None}).status_code == 202
    after = ok(client.post(act, headers=v, json={"os-getConsoleOutput": None}))["output"]
    assert "Kernel panic - not syncing: NMI" in after
    assert after.rstrip().endswith("console-vm login:")  # booted again after the dump
    actions = ok(client.get(f"{V21}/servers/{sid}/os-instance-actions", headers=v))
    assert "trigger_crash_dump" in [a["action"] for a in actions["instanceActions"]]
    other = keystone(client, "b-customer-member", {"id": world.b.project_id})
    assert (
        client.post(act, headers=at(other, "2.17"), json={"os-getConsoleOutput": {}}).status_code
        == 404
    )
    assert client.post(act, headers=v, json={"os-stop": None}).status_code == 202
    settle(container)
    assert client.post(act, headers=v, json={"trigger_crash_dump": None}).status_code == 409
    snapshot = client.post(act, headers=at(token, "2.45"), json={"createImage": {"name": "snap"}})
    assert snapshot.status_code == 202 and "Location" not in snapshot.headers
    assert (
        ok(client.get(f"/image/v2/images/{snapshot.json()['image_id']}", headers=v))["name"]
        == "snap"
    )


def test_proxies_limits_and_quotas(client: TestClient, world: World) -> None:
    token = _member(client, world)
    assert client.get(f"{V21}/images", headers=at(token, "2.35")).status_code == 200
    gone = client.get(f"{V21}/images", headers=at(token, "2.36"))
    assert gone.status_code == 404 and "itemNotFound" in gone.json()

    def absolute(version: str) -> set[str]:
        return set(
            ok(client.get(f"{V21}/limits", headers=at(token, version)))["limits"]["absolute"]
        )

    assert {"maxSecurityGroups", "maxImageMeta", "maxPersonality"} <= absolute("2.35")
    assert "maxSecurityGroups" not in absolute("2.36") and "maxImageMeta" in absolute("2.38")
    assert "maxImageMeta" not in absolute("2.39") and "maxPersonality" in absolute("2.56")
    assert "maxPersonality" not in absolute("2.57") and "maxTotalCores" in absolute("2.79")
    quotas = f"{V21}/os-quota-sets/{world.a.project_id}"
    assert "floating_ips" in ok(client.get(quotas, headers=at(token, "2.35")))["quota_set"]
    at_236 = ok(client.get(quotas, headers=at(token, "2.36")))["quota_set"]
    assert "floating_ips" not in at_236 and "injected_files" in at_236
    assert "injected_files" not in ok(client.get(quotas, headers=at(token, "2.57")))["quota_set"]


def test_flavors_groups_and_keypair_pages(client: TestClient, world: World) -> None:
    token = _member(client, world)
    flavor, _ = _refs(client, token)
    url = f"{V21}/flavors/{flavor}"
    assert ok(client.get(url, headers=at(token, "2.74")))["flavor"]["swap"] == ""
    latest = ok(client.get(url, headers=at(token, "2.75")))
    validate("get_flavor_275", latest)
    assert latest["flavor"]["extra_specs"]["scs:name-v2"] == "SCS-1V-2"
    assert "extra_specs" not in ok(client.get(url, headers=at(token, "2.60")))["flavor"]
    assert (
        "description" in ok(client.get(f"{V21}/flavors", headers=at(token, "2.55")))["flavors"][0]
    )

    groups = f"{V21}/os-server-groups"
    for version, body in (
        ("2.64", {"name": "g", "policies": ["anti-affinity"]}),
        ("2.63", {"name": "g", "policy": "anti-affinity"}),
        ("2.64", {"name": "g", "policy": "anti-affinity", "rules": {"max_server_per_host": 0}}),
        ("2.64", {"name": "g", "policy": "anti-affinity", "rules": {"max_server_per_host": "x"}}),
        ("2.64", {"name": "g", "policy": "anti-affinity", "rules": {"max_server_per_host": True}}),
        ("2.64", {"name": "g", "policy": "anti-affinity", "rules": {"max_servers": 2}}),
        ("2.64", {"name": "g", "policy": "affinity", "rules": {"max_server_per_host": 1}}),
        ("2.64", {"name": "g", "policy": "spread"}),
    ):
        answer = client.post(groups, headers=at(token, version), json={"server_group": body})
        assert answer.status_code == 400, (version, body, answer.text)
    rules = {"name": "ha", "policy": "anti-affinity", "rules": {"max_server_per_host": 1}}
    made = ok(client.post(groups, headers=at(token, "2.64"), json={"server_group": rules}))
    validate("get_server_group_264", made)
    assert made["server_group"]["rules"] == {"max_server_per_host": 1}  # kept as asked
    old = ok(client.get(f"{groups}/{made['server_group']['id']}", headers=at(token, "2.63")))
    assert old["server_group"]["policies"] == ["anti-affinity"]

    for name in ("k1", "k2", "k3"):
        key = {"keypair": {"name": name, "public_key": SSH_KEY}}
        ok(client.post(f"{V21}/os-keypairs", headers=at(token, "2.35"), json=key), 201)
    page = ok(client.get(f"{V21}/os-keypairs", headers=at(token, "2.35"), params={"limit": 2}))
    assert [k["keypair"]["name"] for k in page["keypairs"]] == ["k1", "k2"]
    assert "marker=k2" in page["keypairs_links"][0]["href"]
    rest = client.get(f"{V21}/os-keypairs", headers=at(token, "2.35"), params={"marker": "k2"})
    assert [k["keypair"]["name"] for k in ok(rest)["keypairs"]] == ["k3"]
    everything = client.get(f"{V21}/os-keypairs", headers=at(token, "2.34"), params={"limit": 1})
    assert len(ok(everything)["keypairs"]) == 3  # no paging before 2.35
    assert (
        client.get(
            f"{V21}/os-keypairs", headers=at(token, "2.35"), params={"marker": "zz"}
        ).status_code
        == 400
    )


def test_max_server_per_host_lets_a_host_take_that_many(
    client: TestClient, container: App, world: World
) -> None:
    """Four hosts per region: an anti-affinity group whose rule allows two members per
    host takes eight members, two on each host, and has no host for a ninth."""
    token = _member(client, world)
    rule = {"name": "pairs", "policy": "anti-affinity", "rules": {"max_server_per_host": "2"}}
    groups = f"{V21}/os-server-groups"
    group = ok(client.post(groups, headers=at(token, "2.64"), json={"server_group": rule}))
    assert group["server_group"]["rules"] == {"max_server_per_host": 2}
    flavor, image = _refs(client, token)

    def member(n: int) -> Any:
        server = {"name": f"p{n}", "flavorRef": flavor, "imageRef": image, "networks": "auto"}
        body = {"server": server, "os:scheduler_hints": {"group": group["server_group"]["id"]}}
        return client.post(f"{V21}/servers", headers=at(token, "2.64"), json=body)

    for n in range(8):
        ok(member(n), 202)
    refused = member(8)
    assert refused.status_code in (400, 403, 409), refused.text
    assert "server-group" in refused.text
    settle(container)
    servers = ok(client.get(f"{V21}/servers/detail", headers=at(token, "2.64")))["servers"]
    per_host: dict[str, int] = {}
    for server in servers:
        if server["name"].startswith("p"):
            per_host[server["hostId"]] = per_host.get(server["hostId"], 0) + 1
    assert sorted(per_host.values()) == [2, 2, 2, 2]


def test_instance_action_pages(client: TestClient, container: App, world: World) -> None:
    token = _member(client, world)
    sid = ok(boot(client, token), 202)["server"]["id"]
    settle(container)
    act = f"{V21}/servers/{sid}/action"
    for verb in ("os-stop", "os-start"):
        assert client.post(act, headers=at(token, "2.1"), json={verb: None}).status_code == 202
        settle(container)
    url = f"{V21}/servers/{sid}/os-instance-actions"
    assert "updated_at" not in ok(client.get(url, headers=at(token, "2.57")))["instanceActions"][0]
    newest = ok(client.get(url, headers=at(token, "2.58"), params={"limit": 2}))["instanceActions"]
    assert [a["action"] for a in newest] == ["start", "stop"] and newest[0]["updated_at"]
    rest = client.get(url, headers=at(token, "2.58"), params={"marker": newest[1]["request_id"]})
    assert [a["action"] for a in ok(rest)["instanceActions"]] == ["create"]
    one = ok(client.get(f"{url}/{newest[0]['request_id']}", headers=at(token, "2.62")))
    server = ok(client.get(f"{V21}/servers/{sid}", headers=at(token, "2.62")))["server"]
    assert one["instanceAction"]["events"][0]["hostId"] == server["hostId"]
    assert (
        client.get(url, headers=at(token, "2.58"), params={"marker": "req-none"}).status_code == 400
    )
