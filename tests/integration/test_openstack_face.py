"""The OpenStack face through the real app: Keystone tokens and catalog, Nova 2.1 shapes
(validated against schemas written from the Compute API reference), Glance, Neutron,
microversion negotiation, OpenStack error shapes, and the same rules as /v1."""

import base64
from typing import Any

import pytest
from fastapi.testclient import TestClient

from andromede.bootstrap import App
from andromede.compute.store import Server
from andromede.kernel.clock import FrozenClock
from tests.integration.builders import PASSWORD, SSH_KEY, World, ok, sim
from tests.integration.nova_schemas import validate

V21 = "/compute/v2.1"


def keystone(client: TestClient, username: str, project: dict[str, Any]) -> str:
    body = {
        "auth": {
            "identity": {
                "methods": ["password"],
                "password": {
                    "user": {"name": username, "domain": {"name": "Default"}, "password": PASSWORD}
                },
            },
            "scope": {"project": project},
        }
    }
    response = client.post("/identity/v3/auth/tokens", json=body)
    assert response.status_code == 201, response.text
    token = response.json()["token"]
    assert token["project"]["id"] and token["catalog"]
    return response.headers["X-Subject-Token"]


def h(token: str) -> dict[str, str]:
    return {"X-Auth-Token": token, "OpenStack-API-Version": "compute 2.1"}


@pytest.fixture
def member(client: TestClient, world: World) -> str:
    return keystone(client, "a-customer-member", {"id": world.a.project_id})


def boot(client: TestClient, token: str, name: str = "vm1", **extra: Any) -> Any:
    flavors = ok(client.get(f"{V21}/flavors", headers=h(token)))["flavors"]
    flavor = next(f for f in flavors if f["name"] == "SCS-1V-2")
    image = next(
        i
        for i in ok(client.get("/image/v2/images", headers=h(token)))["images"]
        if i["name"] == "debian-12"
    )
    body = {"server": {"name": name, "flavorRef": flavor["id"], "imageRef": image["id"], **extra}}
    return client.post(f"{V21}/servers", headers=h(token), json=body)


def test_discovery_documents(client: TestClient) -> None:
    root = client.get("/identity")
    assert root.status_code == 300 and root.json()["versions"]["values"][0]["id"] == "v3.14"
    validate("list_versions", ok(client.get("/compute/")))
    compute = ok(client.get("/compute/"))["versions"]
    assert [v["id"] for v in compute] == ["v2.0", "v2.1"]
    for version in compute:
        (link,) = [link for link in version["links"] if link["rel"] == "self"]
        assert link["href"].startswith("http://127.0.0.1:8080/")  # configured, not Host
        path = link["href"].removeprefix("http://127.0.0.1:8080")
        document = ok(client.get(path))
        validate("get_version", document)
        assert document["version"]["links"][0]["href"] == link["href"]
    current = ok(client.get("/compute/v2.1"))["version"]
    assert (current["version"], current["min_version"]) == ("2.79", "2.1")
    assert client.get("/image").status_code == 300
    assert ok(client.get("/network"))["versions"][0]["id"] == "v2.0"


def test_token_carries_catalog_roles_and_domain(client: TestClient, world: World) -> None:
    body = {
        "auth": {
            "identity": {
                "methods": ["password"],
                "password": {"user": {"name": "a-customer-viewer", "password": PASSWORD}},
            },
            "scope": {"project": {"name": "production", "domain": {"name": "Customer a"}}},
        }
    }
    response = client.post("/identity/v3/auth/tokens", json=body)
    assert response.status_code == 201, response.text
    token = response.json()["token"]
    assert token["expires_at"].endswith("Z") and token["project"]["id"] == world.a.project_id
    assert [r["name"] for r in token["roles"]] == ["reader"]
    assert token["user"]["domain"]["name"] == "Customer a"
    kinds = {entry["type"] for entry in token["catalog"]}
    assert kinds == {"identity", "compute", "image", "network", "block-storage", "volumev3"}
    compute = next(e for e in token["catalog"] if e["type"] == "compute")
    assert {e["region_id"] for e in compute["endpoints"]} == {"fr-par-1", "fr-rns-1"}
    bad = client.post(
        "/identity/v3/auth/tokens",
        json={
            **body,
            "auth": {
                **body["auth"],
                "identity": {
                    "methods": ["password"],
                    "password": {"user": {"name": "a-customer-viewer", "password": "wrong-one"}},
                },
            },
        },
    )
    assert bad.status_code == 401 and bad.json()["error"]["code"] == 401


def test_server_lifecycle_in_nova_shapes(
    client: TestClient, container: App, member: str, world: World
) -> None:
    created = boot(client, member, metadata={"role": "web"})
    assert created.status_code == 202, created.text
    assert created.headers["location"].endswith(created.json()["server"]["id"])
    assert created.headers["x-openstack-request-id"].startswith("req-")
    assert created.headers["x-openstack-nova-api-version"] == "2.1"
    validate("create_server", created.json())
    server_id = created.json()["server"]["id"]
    shown = ok(client.get(f"{V21}/servers/{server_id}", headers=h(member)))
    validate("get_server", shown)
    assert shown["server"]["status"] == "BUILD"
    while container.reconciler.run_once():
        pass
    shown = ok(client.get(f"{V21}/servers/{server_id}", headers=h(member)))["server"]
    assert shown["status"] == "ACTIVE" and shown["OS-EXT-STS:power_state"] == 1
    (network,) = shown["addresses"]  # the project's own network, not the shared provider's
    assert network != "provider-fr-par-1" and shown["addresses"][network][0]["addr"].startswith(
        "172."
    )
    assert shown["metadata"] == {"role": "web"}
    listing = ok(
        client.get(f"{V21}/servers/detail", headers=h(member), params={"deleted": "False"})
    )
    validate("list_servers_detail", listing)
    assert listing["servers"] == [shown]  # listed from rows, shown from the server: the same
    brief = ok(client.get(f"{V21}/servers", headers=h(member), params={"name": "^vm"}))
    validate("list_servers", brief)
    assert [s["id"] for s in brief["servers"]] == [server_id]

    def act(body: dict[str, Any]) -> Any:
        return client.post(f"{V21}/servers/{server_id}/action", headers=h(member), json=body)

    assert act({"os-stop": None}).status_code == 202
    while container.reconciler.run_once():
        pass
    again = act({"os-stop": None})
    assert again.status_code == 409 and "conflictingRequest" in again.json()
    assert act({"os-start": None}).status_code == 202
    assert act({"reboot": {"type": "HARD"}}).status_code == 409  # still starting
    while container.reconciler.run_once():
        pass
    assert act({"reboot": {"type": "HARD"}}).status_code == 202
    renamed = client.put(
        f"{V21}/servers/{server_id}", headers=h(member), json={"server": {"name": "web-1"}}
    )
    validate("get_server", ok(renamed))
    assert client.delete(f"{V21}/servers/{server_id}", headers=h(member)).status_code == 204
    while container.reconciler.run_once():
        pass
    gone = client.get(f"{V21}/servers/{server_id}", headers=h(member))
    assert gone.status_code == 404 and gone.json()["itemNotFound"]["code"] == 404
    # the next server gets the network's next address, not the deleted one's (freed
    # addresses come back once the network's counter has gone round: test_create_budget)
    again = boot(client, member, "vm2").json()["server"]["id"]
    fresh = ok(client.get(f"{V21}/servers/{again}", headers=h(member)))["server"]["addresses"]
    first, second = shown["addresses"][network][0]["addr"], fresh[network][0]["addr"]
    assert first.rsplit(".", 1)[0] == second.rsplit(".", 1)[0] and second != first


def test_flavors_keypairs_limits_zones_images_networks(
    client: TestClient, member: str, world: World
) -> None:
    detail = ok(
        client.get(f"{V21}/flavors/detail", headers=h(member), params={"is_public": "None"})
    )
    validate("list_flavors_details", detail)
    small = [f for f in detail["flavors"] if f["ram"] >= 16384]
    assert (
        small
        == ok(client.get(f"{V21}/flavors/detail", headers=h(member), params={"minRam": 16384}))[
            "flavors"
        ]
    )
    flavor = next(f for f in detail["flavors"] if f["name"] == "SCS-2V-4-20s")
    validate("get_flavor", ok(client.get(f"{V21}/flavors/{flavor['id']}", headers=h(member))))
    specs = ok(client.get(f"{V21}/flavors/{flavor['id']}/os-extra_specs", headers=h(member)))
    validate("get_extra_specs", specs)
    assert specs["extra_specs"]["scs:name-v2"] == "SCS-2V-4-20s"
    assert specs["extra_specs"]["scs:disk0-type"] == "ssd"
    brief = ok(client.get(f"{V21}/flavors", headers=h(member), params={"limit": 2}))
    validate("list_flavors", brief)
    first = brief["flavors"]
    after = ok(
        client.get(
            f"{V21}/flavors", headers=h(member), params={"limit": 2, "marker": first[1]["id"]}
        )
    )
    assert first[1]["id"] not in {f["id"] for f in after["flavors"]}

    made = client.post(
        f"{V21}/os-keypairs",
        headers=h(member),
        json={"keypair": {"name": "k1", "public_key": SSH_KEY}},
    )
    assert made.status_code == 200
    validate("create_keypair", made.json())
    validate("list_keypairs", ok(client.get(f"{V21}/os-keypairs", headers=h(member))))
    validate("get_keypair", ok(client.get(f"{V21}/os-keypairs/k1", headers=h(member))))
    generated = ok(
        client.post(f"{V21}/os-keypairs", headers=h(member), json={"keypair": {"name": "k2"}})
    )
    assert "PRIVATE KEY" in generated["keypair"]["private_key"]
    assert client.delete(f"{V21}/os-keypairs/k1", headers=h(member)).status_code == 202
    assert client.get(f"{V21}/os-keypairs/k1", headers=h(member)).status_code == 404

    limits = ok(client.get(f"{V21}/limits", headers=h(member), params={"reserved": "False"}))
    validate("get_limit", limits)
    assert limits["limits"]["absolute"]["maxTotalInstances"] == 20
    zones = ok(client.get(f"{V21}/os-availability-zone", headers=h(member)))
    validate("list_availability_zones", zones)
    assert {z["zoneName"] for z in zones["availabilityZoneInfo"]} >= {"fr-par-1a", "fr-rns-1b"}

    images = ok(client.get("/image/v2/images", headers=h(member), params={"name": "debian-12"}))[
        "images"
    ]
    assert [i["name"] for i in images] == ["debian-12"]
    both = ok(
        client.get(
            "/image/v2/images", headers=h(member), params={"id": f"in:{images[0]['id']},nope"}
        )
    )
    assert [i["id"] for i in both["images"]] == [images[0]["id"]]
    assert client.get("/image/v2/images/debian-12", headers=h(member)).status_code == 404

    networks = ok(client.get("/network/v2.0/networks", headers=h(member)))["networks"]
    assert {n["name"] for n in networks} == {
        "provider-fr-par-1",
        "provider-fr-rns-1",
        "production-fr-par-1",
        "production-fr-rns-1",
    }
    one = ok(client.get(f"/network/v2.0/networks/{networks[0]['id']}", headers=h(member)))
    assert one["network"]["id"] == networks[0]["id"]
    missing = client.get("/network/v2.0/networks/nope", headers=h(member))
    assert missing.status_code == 404 and "NeutronError" in missing.json()
    shared = ok(client.get("/network/v2.0/networks", headers=h(member), params={"shared": "true"}))
    assert {n["name"] for n in shared["networks"]} == {"provider-fr-par-1", "provider-fr-rns-1"}
    own = ok(client.get("/network/v2.0/networks", headers=h(member), params={"shared": "false"}))
    assert {n["project_id"] for n in own["networks"]} == {world.a.project_id}


def test_versions_errors_and_walls(client: TestClient, member: str, world: World) -> None:
    unsupported = client.get(
        f"{V21}/flavors", headers={**h(member), "OpenStack-API-Version": "compute 2.90"}
    )
    assert unsupported.status_code == 406
    latest = client.get(
        f"{V21}/flavors", headers={**h(member), "X-OpenStack-Nova-API-Version": "latest"}
    )
    # the generic header (2.1 in h) wins over the legacy one, as in Nova
    assert latest.status_code == 200 and latest.headers["openstack-api-version"] == "compute 2.1"
    bad_flavor = client.post(
        f"{V21}/servers",
        headers=h(member),
        json={"server": {"name": "x", "flavorRef": "nope", "imageRef": "nope"}},
    )
    assert bad_flavor.status_code == 400 and "badRequest" in bad_flavor.json()
    assert client.get(f"{V21}/servers/detail").status_code == 401
    other = keystone(client, "b-customer-member", {"id": world.b.project_id})
    server_id = boot(client, member).json()["server"]["id"]
    stranger = client.get(f"{V21}/servers/{server_id}", headers=h(other))
    assert stranger.status_code == 404 and "itemNotFound" in stranger.json()
    assert client.delete(f"{V21}/servers/{server_id}", headers=h(other)).status_code == 404
    partner = {"Authorization": f"Bearer {world.a.tokens['partner-admin']}"}
    quota = {"quota_instances": 1}
    ok(client.patch(f"/v1/projects/{world.a.project_id}", headers=partner, json=quota))
    over = boot(client, member, "one-too-many")
    assert over.status_code == 403 and over.json()["overLimit"]["code"] == 403


def test_residency_policy_applies_on_the_openstack_face(
    client: TestClient, member: str, world: World
) -> None:
    admin = keystone(client, "a-customer-admin", {"id": world.a.project_id})
    policy = {"scope_type": "customer", "scope_id": world.a.customer_id, "allow": ["in:FR-BRE"]}
    ok(client.post("/v1/policies", headers={"Authorization": f"Bearer {admin}"}, json=policy), 201)
    refused = boot(client, member, availability_zone="fr-par-1a")
    assert refused.status_code == 403
    assert "residency policy refuses region fr-par-1" in refused.json()["forbidden"]["message"]
    placed = boot(client, member)  # no zone: the first region the policy allows
    assert placed.status_code == 202
    server_id = placed.json()["server"]["id"]
    shown = ok(client.get(f"{V21}/servers/{server_id}", headers=h(member)))["server"]
    assert shown["OS-EXT-AZ:availability_zone"].startswith("fr-rns-1")


def test_a_partner_acts_in_its_customers_project_on_its_behalf(
    client: TestClient, container: App, world: World
) -> None:
    partner = keystone(client, "a-partner-admin", {"id": world.a.project_id})
    created = boot(client, partner, "by-partner")
    assert created.status_code == 202
    server_id = created.json()["server"]["id"]
    with container.uow(readonly=True) as session:
        from sqlalchemy import select

        from andromede.audit.store import AuditEntry

        entry = session.scalars(
            select(AuditEntry).where(
                AuditEntry.action == "server.create", AuditEntry.target_id == server_id
            )
        ).one()
    assert entry.actor == "a-partner-admin" and entry.on_behalf_of == world.a.customer_id
    other = keystone(client, "b-partner-admin", {"id": world.b.project_id})
    assert client.get(f"{V21}/servers/{server_id}", headers=h(other)).status_code == 404
    refused = client.post(
        "/identity/v3/auth/tokens",
        json={
            "auth": {
                "identity": {
                    "methods": ["password"],
                    "password": {"user": {"name": "b-partner-admin", "password": PASSWORD}},
                },
                "scope": {"project": {"id": world.a.project_id}},
            }
        },
    )
    assert refused.status_code == 401  # another partner's project is no scope at all


def test_volume_boot_access_ips_and_fault_on_error(
    client: TestClient, container: App, member: str
) -> None:
    flavors = ok(client.get(f"{V21}/flavors", headers=h(member)))["flavors"]
    flavor = next(f["id"] for f in flavors if f["name"] == "SCS-2V-4")
    image = ok(client.get("/image/v2/images", headers=h(member)))["images"][0]["id"]
    bdm = [
        {
            "uuid": image,
            "boot_index": 0,
            "source_type": "image",
            "destination_type": "volume",
            "volume_size": 30,
        }
    ]
    body = {
        "server": {
            "name": "from-volume",
            "flavorRef": flavor,
            "block_device_mapping_v2": bdm,
            "networks": "none",
            "accessIPv4": "192.0.2.10",
        }
    }
    at_237 = {**h(member), "OpenStack-API-Version": "compute 2.37"}  # networks "none"
    created = ok(client.post(f"{V21}/servers", headers=at_237, json=body), 202)
    shown = ok(client.get(f"{V21}/servers/{created['server']['id']}", headers=h(member)))
    validate("get_server", shown)
    assert shown["server"]["addresses"] == {} and shown["server"]["accessIPv4"] == "192.0.2.10"
    bad_ip = client.put(
        f"{V21}/servers/{created['server']['id']}",
        headers=h(member),
        json={"server": {"accessIPv4": "not-an-ip"}},
    )
    assert bad_ip.status_code == 400 and "badRequest" in bad_ip.json()

    sim(container).failure_rate = 1.0  # the hypervisor fails every build from now on
    failing = boot(client, member, "doomed").json()["server"]["id"]
    while container.reconciler.run_once():
        pass
    broken = ok(client.get(f"{V21}/servers/{failing}", headers=h(member)))
    validate("get_server", broken)
    assert broken["server"]["status"] == "ERROR" and broken["server"]["fault"]["message"]


def test_project_networks_are_the_projects_own(
    client: TestClient, container: App, member: str, world: World
) -> None:
    networks = ok(client.get("/network/v2.0/networks", headers=h(member)))["networks"]
    mine = next(n for n in networks if n["name"] == "production-fr-par-1")
    assert not mine["shared"] and mine["project_id"] == world.a.project_id
    subnet = next(
        s
        for s in ok(client.get("/network/v2.0/subnets", headers=h(member)))["subnets"]
        if s["network_id"] == mine["id"]
    )
    assert subnet["cidr"].startswith("172.")
    server = boot(client, member, "on-mine", networks=[{"uuid": mine["id"]}])
    assert server.status_code == 202, server.text
    shown = ok(client.get(f"{V21}/servers/{server.json()['server']['id']}", headers=h(member)))
    (address,) = shown["server"]["addresses"]["production-fr-par-1"]
    assert address["addr"].startswith(subnet["cidr"].rsplit(".", 1)[0])
    twice = boot(client, member, "two-ports", networks=[{"uuid": mine["id"]}] * 2)
    assert twice.status_code == 202, twice.text
    shown = ok(client.get(f"{V21}/servers/{twice.json()['server']['id']}", headers=h(member)))
    ports = shown["server"]["addresses"]["production-fr-par-1"]
    assert len({p["addr"] for p in ports}) == 2  # two ports, two addresses
    other = keystone(client, "b-customer-member", {"id": world.b.project_id})
    theirs = ok(client.get("/network/v2.0/networks", headers=h(other)))["networks"]
    assert mine["id"] not in {n["id"] for n in theirs}
    assert client.get(f"/network/v2.0/networks/{mine['id']}", headers=h(other)).status_code == 404
    stolen = boot(client, other, "on-theirs", networks=[{"uuid": mine["id"]}])
    assert stolen.status_code == 400 and "badRequest" in stolen.json()


def test_server_groups_in_nova_shapes(client: TestClient, member: str) -> None:
    body = {"server_group": {"name": "ha", "policies": ["anti-affinity"]}}
    made = ok(client.post(f"{V21}/os-server-groups", headers=h(member), json=body))
    validate("get_server_group", made)
    group_id = made["server_group"]["id"]
    hints = {"os:scheduler_hints": {"group": group_id}}
    flavors = ok(client.get(f"{V21}/flavors", headers=h(member)))["flavors"]
    image = ok(client.get("/image/v2/images", headers=h(member)))["images"][0]["id"]
    server = {"name": "in-group", "flavorRef": flavors[0]["id"], "imageRef": image}
    created = client.post(f"{V21}/servers", headers=h(member), json={"server": server, **hints})
    assert created.status_code == 202, created.text
    shown = ok(client.get(f"{V21}/os-server-groups/{group_id}", headers=h(member)))
    validate("get_server_group", shown)
    assert shown["server_group"]["members"] == [created.json()["server"]["id"]]
    validate("list_server_groups", ok(client.get(f"{V21}/os-server-groups", headers=h(member))))
    wrong = client.post(
        f"{V21}/os-server-groups",
        headers=h(member),
        json={"server_group": {"name": "x", "policies": ["affinity", "anti-affinity"]}},
    )
    assert wrong.status_code == 400 and "badRequest" in wrong.json()


def test_keystone_password_and_totp_and_the_lockout(
    client: TestClient, container: App, clock: FrozenClock, world: World
) -> None:
    from dataclasses import replace

    from andromede.tenancy import totp

    container.login.rules = replace(container.login.rules, staff_mfa_required=True)
    with container.uow() as session:
        secret = container.login.mfa_enrol(session, "lbernard")[0]

    def auth(methods: list[str], password: str, passcode: str | None = None) -> Any:
        identity: dict[str, Any] = {
            "methods": methods,
            "password": {"user": {"name": "lbernard", "password": password}},
        }
        if passcode is not None:
            identity["totp"] = {"user": {"name": "lbernard", "passcode": passcode}}
        return client.post("/identity/v3/auth/tokens", json={"auth": {"identity": identity}})

    missing = auth(["password"], PASSWORD)
    assert missing.status_code == 401 and missing.json()["error"]["code"] == 401
    good = auth(["password", "totp"], PASSWORD, totp.code_at(secret, clock.now()))
    assert good.status_code == 201 and good.json()["token"]["methods"] == ["password", "totp"]
    for _ in range(5):
        assert auth(["password"], "wrong-password").status_code == 401
    locked = auth(["password", "totp"], PASSWORD, totp.code_at(secret, clock.now()))
    assert locked.status_code == 423 and "error" in locked.json()


def test_user_data_reaches_the_hypervisor_as_cloud_init(
    client: TestClient, container: App, member: str
) -> None:
    """What a cluster's nodes carry through the openstack driver: Nova's base64 user data,
    kept as text and handed to the driver at boot; anything else is a 400."""
    cloud_init = "#cloud-config\nhostname: node-1\n"
    encoded = base64.b64encode(cloud_init.encode()).decode()
    created = boot(client, member, "with-user-data", user_data=encoded)
    assert created.status_code == 202, created.text
    server_id = created.json()["server"]["id"]
    with container.uow(readonly=True) as session:
        server = session.get(Server, server_id)
        assert server is not None and server.user_data == cloud_init
    refused = boot(client, member, "bad-user-data", user_data="not base64!")
    assert refused.status_code == 400 and "user_data" in refused.text


def test_a_listed_server_is_its_own_view_and_changes_show_at_once(
    client: TestClient, container: App, member: str
) -> None:
    """Lists are put together from views kept by their inputs: what a list says of a server
    is what the server's own page says, before and after it changes."""
    made = [boot(client, member, f"kept-{n}").json()["server"]["id"] for n in range(3)]
    while container.reconciler.run_once():
        pass
    for _ in range(2):  # the second list comes from the kept views
        listed = ok(client.get(f"{V21}/servers/detail", headers=h(member)))["servers"]
        mine = {s["id"]: s for s in listed if s["id"] in made}
        for server_id in made:
            alone = ok(client.get(f"{V21}/servers/{server_id}", headers=h(member)))["server"]
            assert mine[server_id] == alone
    body = {"server": {"name": "renamed"}}
    ok(client.put(f"{V21}/servers/{made[0]}", headers=h(member), json=body))
    client.post(f"{V21}/servers/{made[1]}/action", headers=h(member), json={"os-stop": None})
    listed = ok(client.get(f"{V21}/servers/detail", headers=h(member)))["servers"]
    mine = {s["id"]: s for s in listed}
    assert mine[made[0]]["name"] == "renamed"
    assert mine[made[1]]["OS-EXT-STS:task_state"] == "powering-off"
    assert mine[made[2]]["name"] == "kept-2"
