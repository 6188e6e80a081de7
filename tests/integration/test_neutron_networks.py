"""Neutron networks, subnets, ports, routers and subnet pools on both databases: what a
customer makes and changes, Neutron's refusals (each changes nothing), addresses from the
allocation pools, router interfaces and extra routes, subnets carved from a pool, a server
booted on the customer's own network, and another project's objects not found."""

from typing import Any

from fastapi.testclient import TestClient

from tests.integration.builders import World, ok
from tests.integration.test_openstack_face import V21, boot, h, keystone

NET = "/network/v2.0"


def _make(client: TestClient, token: str, kind: str, **fields: Any) -> Any:
    response = client.post(f"{NET}/{kind}s", headers=h(token), json={kind: fields})
    return ok(response, 201)[kind]


def _network(client: TestClient, token: str, name: str = "backend") -> Any:
    return _make(client, token, "network", name=name)


def _subnet(client: TestClient, token: str, network_id: str, cidr: str, **fields: Any) -> Any:
    return _make(client, token, "subnet", network_id=network_id, cidr=cidr, ip_version=4, **fields)


def _refused(response: Any, status: int, words: str = "") -> str:
    assert response.status_code == status, response.text
    message = response.json()["NeutronError"]["message"]
    assert words in message, message
    return str(message)


def _member(client: TestClient, world: World) -> str:
    return keystone(client, "a-customer-member", {"id": world.a.project_id})


def test_a_network_with_subnets_from_create_to_delete(client: TestClient, world: World) -> None:
    token = _member(client, world)
    net = _network(client, token)
    assert (net["status"], net["shared"], net["router:external"], net["subnets"]) == (
        "ACTIVE",
        False,
        False,
        [],
    )
    sub = _subnet(
        client,
        token,
        net["id"],
        "10.100.0.0/28",
        gateway_ip="10.100.0.1",
        allocation_pools=[{"start": "10.100.0.3", "end": "10.100.0.7"}],
        dns_nameservers=["8.8.4.4", "8.8.8.8"],
        host_routes=[{"destination": "10.20.0.0/32", "nexthop": "10.100.1.1"}],
    )
    assert sub["allocation_pools"] == [{"start": "10.100.0.3", "end": "10.100.0.7"}]
    assert sub["host_routes"] == [{"destination": "10.20.0.0/32", "nexthop": "10.100.1.1"}]
    six = _make(client, token, "subnet", network_id=net["id"], cidr="2001:db8::/64", ip_version=6)
    assert (six["gateway_ip"], six["allocation_pools"][0]["start"]) == (
        "2001:db8::1",
        "2001:db8::2",
    )
    shown = ok(client.get(f"{NET}/networks/{net['id']}", headers=h(token)))["network"]
    assert sorted(shown["subnets"]) == sorted([sub["id"], six["id"]])
    change = {
        "subnet": {
            "name": "New_subnet",
            "gateway_ip": "10.100.0.2",
            "dns_nameservers": ["7.8.8.8"],
            "host_routes": [],
            "enable_dhcp": False,
        }
    }
    updated = ok(client.put(f"{NET}/subnets/{sub['id']}", headers=h(token), json=change))["subnet"]
    assert (updated["name"], updated["gateway_ip"], updated["enable_dhcp"]) == (
        "New_subnet",
        "10.100.0.2",
        False,
    )
    assert updated["allocation_pools"] == sub["allocation_pools"]  # pools set by hand stay
    renamed = {"network": {"name": "New_network", "admin_state_up": False}}
    net2 = ok(client.put(f"{NET}/networks/{net['id']}", headers=h(token), json=renamed))
    assert (net2["network"]["name"], net2["network"]["admin_state_up"]) == ("New_network", False)
    fields = ok(client.get(f"{NET}/networks/{net['id']}?fields=id&fields=name", headers=h(token)))
    assert sorted(fields["network"]) == ["id", "name"]
    listed = ok(client.get(f"{NET}/subnets?fields=id,network_id", headers=h(token)))["subnets"]
    assert all(sorted(s) == ["id", "network_id"] for s in listed)
    assert {sub["id"], six["id"]} <= {s["id"] for s in listed}
    assert client.delete(f"{NET}/networks/{net['id']}", headers=h(token)).status_code == 204
    assert client.get(f"{NET}/subnets/{sub['id']}", headers=h(token)).status_code == 404


def test_malformed_subnets_are_refused_and_change_nothing(client: TestClient, world: World) -> None:
    token = _member(client, world)
    net = _network(client, token)
    _subnet(client, token, net["id"], "10.100.0.0/28")
    bad: list[tuple[dict[str, Any], str]] = [
        ({"cidr": "10.100.0.0/28"}, "overlaps with another subnet"),
        ({"cidr": "10.300.0.0/24"}, "not a valid IP subnet"),
        ({"cidr": "2001:db8::/64"}, "not an IPv4 subnet"),
        ({"cidr": "10.1.0.0/24", "gateway_ip": "10.2.0.1"}, "conflicts with the subnet"),
        (
            {"cidr": "10.1.0.0/24", "allocation_pools": [{"start": "10.1.0.5", "end": "10.1.1.9"}]},
            "spans beyond",
        ),
        (
            {
                "cidr": "10.1.0.0/24",
                "allocation_pools": [
                    {"start": "10.1.0.5", "end": "10.1.0.20"},
                    {"start": "10.1.0.10", "end": "10.1.0.30"},
                ],
            },
            "overlapping allocation pools",
        ),
        (
            {"cidr": "10.1.0.0/24", "allocation_pools": [{"start": "10.1.0.1", "end": "10.1.0.9"}]},
            "conflicts with allocation pool",
        ),
        ({"cidr": "10.1.0.0/24", "dns_nameservers": ["8.8.8.8", "8.8.8.8"]}, "Duplicate"),
        ({"cidr": "10.1.0.0/24", "ip_version": 5}, "is not in [4, 6]"),
    ]
    for fields, words in bad:
        body = {"subnet": {"network_id": net["id"], "ip_version": 4, **fields}}
        _refused(client.post(f"{NET}/subnets", headers=h(token), json=body), 400, words)
    shown = ok(client.get(f"{NET}/networks/{net['id']}", headers=h(token)))["network"]
    assert len(shown["subnets"]) == 1
    provider = next(
        n
        for n in ok(client.get(f"{NET}/networks?shared=true", headers=h(token)))["networks"]
        if n["router:external"]
    )
    body = {"subnet": {"network_id": provider["id"], "ip_version": 4, "cidr": "10.9.0.0/24"}}
    _refused(client.post(f"{NET}/subnets", headers=h(token), json=body), 403)


def test_ports_take_addresses_from_the_pools(client: TestClient, world: World) -> None:
    token = _member(client, world)
    net = _network(client, token)
    bare = _make(client, token, "port", network_id=net["id"], name="early")
    assert bare["fixed_ips"] == [] and bare["status"] == "DOWN"  # no subnet yet, no address
    sub = _subnet(
        client,
        token,
        net["id"],
        "10.100.0.0/28",
        allocation_pools=[{"start": "10.100.0.2", "end": "10.100.0.3"}],
    )
    first = _make(client, token, "port", network_id=net["id"])
    assert first["fixed_ips"] == [{"subnet_id": sub["id"], "ip_address": "10.100.0.2"}]
    groups = ok(client.get(f"{NET}/security-groups?name=default", headers=h(token)))
    assert first["security_groups"] == [groups["security_groups"][0]["id"]]
    asked = {"network_id": net["id"], "fixed_ips": [{"ip_address": "10.100.0.9"}]}
    chosen = _make(client, token, "port", **asked)
    assert chosen["fixed_ips"][0]["ip_address"] == "10.100.0.9"  # outside the pools, asked for
    twin = client.post(f"{NET}/ports", headers=h(token), json={"port": asked})
    _refused(twin, 409, "already allocated")
    _make(client, token, "port", network_id=net["id"])  # 10.100.0.3, the pool's last
    full = client.post(f"{NET}/ports", headers=h(token), json={"port": {"network_id": net["id"]}})
    _refused(full, 409, "No more IP addresses")
    bulk = {"ports": [{"network_id": net["id"], "fixed_ips": []}, {"network_id": net["id"]}]}
    bulk_answer = client.post(f"{NET}/ports", headers=h(token), json=bulk)
    _refused(bulk_answer, 409, "No more IP addresses")  # the second fails: neither is made
    listed = ok(client.get(f"{NET}/ports?network_id={net['id']}", headers=h(token)))["ports"]
    assert len(listed) == 4
    change = {"port": {"name": "New_Port", "admin_state_up": False, "security_groups": []}}
    updated = ok(client.put(f"{NET}/ports/{first['id']}", headers=h(token), json=change))["port"]
    assert (updated["name"], updated["admin_state_up"], updated["security_groups"]) == (
        "New_Port",
        False,
        [],
    )
    _refused(client.delete(f"{NET}/networks/{net['id']}", headers=h(token)), 409, "in use")
    assert client.delete(f"{NET}/ports/{first['id']}", headers=h(token)).status_code == 204
    again = _make(client, token, "port", network_id=net["id"])
    assert again["fixed_ips"][0]["ip_address"] == "10.100.0.2"  # a freed address comes back
    _refused(client.delete(f"{NET}/subnets/{sub['id']}", headers=h(token)), 409, "IP allocation")


def test_bulk_ports_on_two_networks(client: TestClient, world: World) -> None:
    token = _member(client, world)
    one, two = _network(client, token, "one"), _network(client, token, "two")
    body = {"ports": [{"network_id": one["id"]}, {"network_id": two["id"]}]}
    made = ok(client.post(f"{NET}/ports", headers=h(token), json=body), 201)["ports"]
    assert [p["network_id"] for p in made] == [one["id"], two["id"]]
    assert all(p["admin_state_up"] for p in made)


def test_routers_interfaces_gateway_and_routes(client: TestClient, world: World) -> None:
    token = _member(client, world)
    networks = ok(client.get(f"{NET}/networks?router:external=true", headers=h(token)))
    external = networks["networks"]
    assert external and all(n["router:external"] for n in external)
    public = external[0]
    router = _make(
        client,
        token,
        "router",
        name="edge",
        admin_state_up=False,
        external_gateway_info={"network_id": public["id"]},
    )
    gateway = router["external_gateway_info"]
    assert gateway["network_id"] == public["id"] and gateway["external_fixed_ips"][0]["ip_address"]
    a_net, b_net, c_net = (_network(client, token, n) for n in ("a", "b", "c"))
    a = _subnet(client, token, a_net["id"], "10.100.0.0/28")
    b = _subnet(client, token, b_net["id"], "10.100.0.16/28")
    overlapping = _subnet(client, token, c_net["id"], "10.100.0.0/28")
    rid = router["id"]

    def put(verb: str, body: dict[str, Any]) -> Any:
        return client.put(f"{NET}/routers/{rid}/{verb}", headers=h(token), json=body)

    via_subnet = ok(put("add_router_interface", {"subnet_id": a["id"]}))
    port = ok(client.get(f"{NET}/ports/{via_subnet['port_id']}", headers=h(token)))["port"]
    assert (port["device_id"], port["fixed_ips"][0]["ip_address"]) == (rid, "10.100.0.1")
    _refused(put("add_router_interface", {"subnet_id": overlapping["id"]}), 400, "overlaps")
    own_port = _make(client, token, "port", network_id=b_net["id"])
    via_port = ok(put("add_router_interface", {"port_id": own_port["id"]}))
    assert via_port["subnet_id"] == b["id"]
    by_device = ok(client.get(f"{NET}/ports?device_id={rid}", headers=h(token)))["ports"]
    assert sorted(p["id"] for p in by_device) == sorted([via_subnet["port_id"], own_port["id"]])
    _refused(client.delete(f"{NET}/routers/{rid}", headers=h(token)), 409, "still has ports")
    routes = [{"destination": "192.168.0.0/24", "nexthop": "10.100.0.2"}]
    set_routes = {"router": {"routes": routes, "admin_state_up": True}}
    updated = ok(client.put(f"{NET}/routers/{rid}", headers=h(token), json=set_routes))["router"]
    assert (updated["routes"], updated["admin_state_up"]) == (routes, True)
    far = {"router": {"routes": [{"destination": "192.168.1.0/24", "nexthop": "10.200.0.2"}]}}
    _refused(client.put(f"{NET}/routers/{rid}", headers=h(token), json=far), 400, "not connected")
    _refused(put("remove_router_interface", {"subnet_id": a["id"]}), 409, "required by")
    no_gateway = {"router": {"external_gateway_info": {"network_id": a_net["id"]}}}
    _refused(client.put(f"{NET}/routers/{rid}", headers=h(token), json=no_gateway), 400, "external")
    missing = {"router": {"external_gateway_info": {"network_id": rid}}}
    assert client.put(f"{NET}/routers/{rid}", headers=h(token), json=missing).status_code == 404
    clear = {"router": {"routes": None}}
    assert (
        ok(client.put(f"{NET}/routers/{rid}", headers=h(token), json=clear))["router"]["routes"]
        == []
    )
    ok(put("remove_router_interface", {"subnet_id": a["id"]}))
    ok(put("remove_router_interface", {"port_id": own_port["id"]}))
    assert client.get(f"{NET}/ports/{own_port['id']}", headers=h(token)).status_code == 404
    assert put("remove_router_interface", {"subnet_id": a["id"]}).status_code == 404
    assert client.delete(f"{NET}/routers/{rid}", headers=h(token)).status_code == 204
    assert client.get(f"{NET}/routers/{rid}", headers=h(token)).status_code == 404


def test_subnets_carved_from_a_pool(client: TestClient, world: World) -> None:
    token = _member(client, world)
    pool = _make(client, token, "subnetpool", name="blocks", prefixes=["1.0.0.0/16", "2.0.0.0/16"])
    assert (pool["ip_version"], pool["min_prefixlen"], pool["default_prefixlen"]) == (4, 8, 8)
    renamed = {"subnetpool": {"name": "renamed", "default_prefixlen": 24}}
    pool = ok(client.put(f"{NET}/subnetpools/{pool['id']}", headers=h(token), json=renamed))[
        "subnetpool"
    ]
    net = _network(client, token)
    carve = {"network_id": net["id"], "subnetpool_id": pool["id"]}
    first = _make(client, token, "subnet", **carve)
    second = _make(client, token, "subnet", **carve, prefixlen=28)
    assert (first["cidr"], second["cidr"]) == ("1.0.0.0/24", "1.0.1.0/28")
    too_wide = {"subnet": {**carve, "prefixlen": 4}}
    _refused(client.post(f"{NET}/subnets", headers=h(token), json=too_wide), 400, "prefixlen")
    bad_pool = {"subnetpool": {"name": "x", "prefixes": ["1.0.0.0/16", "1.0.128.0/17"]}}
    _refused(client.post(f"{NET}/subnetpools", headers=h(token), json=bad_pool), 400, "overlaps")
    gone = client.delete(f"{NET}/subnetpools/{pool['id']}", headers=h(token))
    _refused(gone, 409, "in use")
    for sub in (first, second):
        assert client.delete(f"{NET}/subnets/{sub['id']}", headers=h(token)).status_code == 204
    assert client.delete(f"{NET}/subnetpools/{pool['id']}", headers=h(token)).status_code == 204
    assert client.get(f"{NET}/subnetpools/{pool['id']}", headers=h(token)).status_code == 404


def test_a_server_on_the_customers_own_network(client: TestClient, world: World) -> None:
    token = _member(client, world)
    net = _network(client, token)
    _subnet(client, token, net["id"], "192.168.10.0/24")
    made = ok(boot(client, token, networks=[{"uuid": net["id"]}]), 202)["server"]
    server = ok(client.get(f"{V21}/servers/{made['id']}", headers=h(token)))["server"]
    assert server["addresses"]["backend"][0]["addr"] == "192.168.10.2"
    ports = ok(client.get(f"{NET}/ports?device_id={made['id']}", headers=h(token)))["ports"]
    assert [(p["device_owner"], p["status"]) for p in ports] == [("compute:nova", "ACTIVE")]
    assert client.delete(f"{NET}/ports/{ports[0]['id']}", headers=h(token)).status_code == 409
    quota = ok(client.get(f"{NET}/quotas/{world.a.project_id}/details", headers=h(token)))
    assert quota["quota"]["port"]["used"] == 1 and quota["quota"]["network"]["used"] >= 1


def test_a_server_on_a_network_goes_to_the_networks_region(
    client: TestClient, world: World
) -> None:
    """No zone asked: the server goes where the network (or the port) it is booted on
    is, not to the project's first allowed region (fr-par-1)."""
    token = _member(client, world)
    net = _make(client, token, "network", name="lan", availability_zone_hints=["fr-rns-1"])
    _subnet(client, token, net["id"], "192.168.20.0/24")
    port = _make(client, token, "port", network_id=net["id"])
    for networks in ([{"uuid": net["id"]}], [{"port": port["id"]}], None):
        said: dict[str, Any] = {"networks": networks} if networks else {}
        made = ok(boot(client, token, **said), 202)["server"]
        shown = ok(client.get(f"{V21}/servers/{made['id']}", headers=h(token)))["server"]
        wanted = "fr-rns-1" if networks else "fr-par-1"
        assert shown["OS-EXT-AZ:availability_zone"].startswith(wanted), networks


def test_another_projects_networking_is_not_found(client: TestClient, world: World) -> None:
    token = _member(client, world)
    other = keystone(client, "b-customer-member", {"id": world.b.project_id})
    net = _network(client, token)
    sub = _subnet(client, token, net["id"], "10.100.0.0/28")
    port = _make(client, token, "port", network_id=net["id"])
    router = _make(client, token, "router", name="edge")
    pool = _make(client, token, "subnetpool", name="blocks", prefixes=["1.0.0.0/16"])
    for kind, obj in (
        ("networks", net),
        ("subnets", sub),
        ("ports", port),
        ("routers", router),
        ("subnetpools", pool),
    ):
        assert client.get(f"{NET}/{kind}/{obj['id']}", headers=h(other)).status_code == 404
        assert client.delete(f"{NET}/{kind}/{obj['id']}", headers=h(other)).status_code == 404
        listed = ok(client.get(f"{NET}/{kind}", headers=h(other)))[kind]
        assert obj["id"] not in {o["id"] for o in listed}
    stolen = {"port": {"network_id": net["id"]}}
    assert client.post(f"{NET}/ports", headers=h(other), json=stolen).status_code == 404
    foreign = {"subnet_id": sub["id"]}
    theirs = _make(client, other, "router", name="theirs")
    answer = client.put(
        f"{NET}/routers/{theirs['id']}/add_router_interface", headers=h(other), json=foreign
    )
    assert answer.status_code == 404


def test_networks_and_routers_go_where_the_residency_policy_allows(
    client: TestClient, world: World
) -> None:
    token = _member(client, world)
    rennes = _make(client, token, "network", name="bzh", availability_zone_hints=["fr-rns-1"])
    assert rennes["availability_zones"] == ["fr-rns-1"]
    paris = _network(client, token)  # the first region the policy allows
    assert paris["availability_zones"] == ["fr-par-1"]
    public = {
        n["availability_zones"][0]: n["id"]
        for n in ok(client.get(f"{NET}/networks?router:external=true", headers=h(token)))[
            "networks"
        ]
    }
    router = _make(
        client, token, "router", external_gateway_info={"network_id": public["fr-rns-1"]}
    )
    assert router["availability_zones"] == ["fr-rns-1"]  # a router alone follows its gateway
    sub = _subnet(client, token, paris["id"], "10.100.0.0/28")
    add = {"subnet_id": sub["id"]}
    answer = client.put(
        f"{NET}/routers/{router['id']}/add_router_interface", headers=h(token), json=add
    )
    _refused(answer, 400, "not in fr-rns-1")
    policy = {"scope_type": "customer", "scope_id": world.a.customer_id, "allow": ["in:FR-IDF"]}
    ok(client.post("/v1/policies", headers=h(world.a.tokens["customer-admin"]), json=policy), 201)
    body = {"network": {"name": "far", "availability_zone_hints": ["fr-rns-1"]}}
    assert client.post(f"{NET}/networks", headers=h(token), json=body).status_code == 403
    before = ok(client.get(f"{NET}/routers/{router['id']}", headers=h(token)))["router"]
    move = {"router": {"external_gateway_info": {"network_id": public["fr-par-1"]}}}
    moved = ok(client.put(f"{NET}/routers/{router['id']}", headers=h(token), json=move))["router"]
    assert moved["availability_zones"] == ["fr-par-1"] != before["availability_zones"]
    back = {"router": {"external_gateway_info": {"network_id": public["fr-rns-1"]}}}
    refused = client.put(f"{NET}/routers/{router['id']}", headers=h(token), json=back)
    assert refused.status_code == 403
    after = ok(client.get(f"{NET}/routers/{router['id']}", headers=h(token)))["router"]
    assert after["external_gateway_info"]["network_id"] == public["fr-par-1"]  # nothing changed


def test_a_server_booted_on_a_port_of_its_own(
    client: TestClient, world: World, container: Any
) -> None:
    """Nova's ``networks: [{"port": …}]``: the server takes the port and its address; when
    the server goes, the port stays, unbound, with its address."""
    token = _member(client, world)
    net = _network(client, token)
    _subnet(client, token, net["id"], "192.168.20.0/24")
    vip = _make(client, token, "port", network_id=net["id"],
                fixed_ips=[{"ip_address": "192.168.20.50"}], name="vip")  # fmt: skip
    made = ok(boot(client, token, networks=[{"port": vip["id"]}]), 202)["server"]
    server = ok(client.get(f"{V21}/servers/{made['id']}", headers=h(token)))["server"]
    assert [a["addr"] for a in server["addresses"]["backend"]] == ["192.168.20.50"]
    bound = ok(client.get(f"{NET}/ports/{vip['id']}", headers=h(token)))["port"]
    assert (bound["device_id"], bound["device_owner"]) == (made["id"], "compute:nova")
    again = boot(client, token, "twin", networks=[{"port": vip["id"]}])
    assert again.status_code == 409  # the port is in use
    other = keystone(client, "b-customer-member", {"id": world.b.project_id})
    assert boot(client, other, "thief", networks=[{"port": vip["id"]}]).status_code == 400
    assert client.delete(f"{V21}/servers/{made['id']}", headers=h(token)).status_code == 204
    while container.reconciler.run_once():
        pass
    kept = ok(client.get(f"{NET}/ports/{vip['id']}", headers=h(token)))["port"]
    assert (kept["device_id"], kept["fixed_ips"][0]["ip_address"]) == ("", "192.168.20.50")
