"""/v1 networking: the same services as Neutron's face — a network with a subnet, a port,
a router joining the subnet with a gateway and a route, a subnet carved from a pool —
problem+json for bad input that changes nothing, another tenant's objects a 404."""

from fastapi.testclient import TestClient

from tests.integration.builders import World, auth, ok


def test_networking_on_the_native_api(client: TestClient, world: World) -> None:
    member = auth(world.a.tokens["customer-member"])
    pid = world.a.project_id
    net = ok(
        client.post("/v1/networks", headers=member, json={"project_id": pid, "name": "lan"}), 201
    )
    assert (net["region"], net["subnets"], net["external"]) == ("fr-par-1", [], False)
    subnet = {
        "cidr": "10.8.0.0/24",
        "allocation_pools": [{"start": "10.8.0.100", "end": "10.8.0.199"}],
        "dns_nameservers": ["9.9.9.9"],
    }
    sub = ok(client.post(f"/v1/networks/{net['id']}/subnets", headers=member, json=subnet), 201)
    assert (sub["gateway_ip"], sub["allocation_pools"]) == (
        "10.8.0.1",
        [{"start": "10.8.0.100", "end": "10.8.0.199"}],
    )
    bad = client.post(
        f"/v1/networks/{net['id']}/subnets", headers=member, json={"cidr": "10.8.0.128/25"}
    )
    assert bad.status_code == 400
    assert bad.headers["content-type"].startswith("application/problem+json")
    assert "overlaps with another subnet" in bad.json()["detail"]
    unknown = client.post(f"/v1/networks/{net['id']}/subnets", headers=member, json={"cird": "x"})
    assert unknown.status_code == 400  # a misspelt field is refused, not ignored
    no_gw = {"cidr": "10.9.0.0/24", "no_gateway": True}
    isolated = ok(client.post(f"/v1/networks/{net['id']}/subnets", headers=member, json=no_gw), 201)
    assert isolated["gateway_ip"] is None
    shown = ok(client.get(f"/v1/networks/{net['id']}", headers=member))
    assert {s["cidr"] for s in shown["subnets"]} == {"10.8.0.0/24", "10.9.0.0/24"}
    port_body = {"project_id": pid, "network_id": net["id"], "subnet_id": sub["id"], "name": "db"}
    port = ok(client.post("/v1/ports", headers=member, json=port_body), 201)
    assert port["address"] == "10.8.0.100" and len(port["security_groups"]) == 1
    external = [
        n
        for n in ok(client.get(f"/v1/networks?project_id={pid}", headers=member))["items"]
        if n["external"] and n["region"] == "fr-par-1"
    ]
    router_body = {"project_id": pid, "name": "edge", "external_network_id": external[0]["id"]}
    router = ok(client.post("/v1/routers", headers=member, json=router_body), 201)
    assert len(router["gateway_addresses"]) == 1 and router["interfaces"] == []
    joined = ok(
        client.post(
            f"/v1/routers/{router['id']}/interfaces", headers=member, json={"subnet_id": sub["id"]}
        ),
        201,
    )
    interface = joined["interfaces"][0]
    assert (interface["address"], interface["device_owner"]) == (
        "10.8.0.1",
        "network:router_interface",
    )
    routes = {"routes": [{"destination": "172.20.0.0/16", "nexthop": "10.8.0.100"}]}
    routed = ok(client.patch(f"/v1/routers/{router['id']}", headers=member, json=routes))
    assert routed["routes"] == routes["routes"]
    assert client.delete(f"/v1/routers/{router['id']}", headers=member).status_code == 409
    removed = client.delete(
        f"/v1/routers/{router['id']}/interfaces/{interface['id']}", headers=member
    )
    assert removed.status_code == 409  # the route goes through it
    ok(client.patch(f"/v1/routers/{router['id']}", headers=member, json={"routes": []}))
    left = ok(
        client.delete(f"/v1/routers/{router['id']}/interfaces/{interface['id']}", headers=member)
    )
    assert left["interfaces"] == []
    listed = ok(client.get(f"/v1/routers?project_id={pid}", headers=member))["items"]
    assert [r["id"] for r in listed] == [router["id"]]
    assert client.delete(f"/v1/routers/{router['id']}", headers=member).status_code == 204
    ports = ok(client.get(f"/v1/ports?project_id={pid}&network_id={net['id']}", headers=member))
    assert [p["id"] for p in ports["items"]] == [port["id"]]
    other = auth(world.b.tokens["customer-member"])
    for path in (
        f"/v1/networks/{net['id']}",
        f"/v1/subnets/{sub['id']}",
        f"/v1/ports/{port['id']}",
    ):
        assert client.get(path, headers=other).status_code == 404
        assert client.delete(path, headers=other).status_code == 404
    assert client.delete(f"/v1/networks/{net['id']}", headers=member).status_code == 409
    assert client.delete(f"/v1/ports/{port['id']}", headers=member).status_code == 204
    assert client.delete(f"/v1/networks/{net['id']}", headers=member).status_code == 204
    assert client.get(f"/v1/subnets/{sub['id']}", headers=member).status_code == 404


def test_subnet_pools_on_the_native_api(client: TestClient, world: World) -> None:
    member = auth(world.a.tokens["customer-member"])
    pid = world.a.project_id
    body = {
        "project_id": pid,
        "name": "blocks",
        "prefixes": ["10.64.0.0/16"],
        "default_prefixlen": 26,
    }
    pool = ok(client.post("/v1/subnet-pools", headers=member, json=body), 201)
    net = ok(
        client.post("/v1/networks", headers=member, json={"project_id": pid, "name": "n"}), 201
    )
    carve = {"subnetpool_id": pool["id"]}
    made = ok(client.post(f"/v1/networks/{net['id']}/subnets", headers=member, json=carve), 201)
    assert made["cidr"] == "10.64.0.0/26" and made["subnetpool_id"] == pool["id"]
    listed = ok(client.get(f"/v1/subnet-pools?project_id={pid}", headers=member))["items"]
    assert [p["id"] for p in listed] == [pool["id"]]
    assert client.delete(f"/v1/subnet-pools/{pool['id']}", headers=member).status_code == 409
    assert client.delete(f"/v1/subnets/{made['id']}", headers=member).status_code == 204
    assert client.delete(f"/v1/subnet-pools/{pool['id']}", headers=member).status_code == 204
