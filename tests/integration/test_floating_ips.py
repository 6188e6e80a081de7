"""Floating IPs on both databases: allocated from the region's external network, forwarded
to a port behind a router of the project (refused when no router reaches it), shown on the
server as Nova shows it, kept in use by the router, released; billed per hour held as their
own SKU through the three price lists, to the cent; another project's address not found."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from fastapi.testclient import TestClient

from andromede.bootstrap import App
from andromede.compute.port_links import Nic, PublicAddress, SubnetLink
from andromede.kernel.clock import FrozenClock
from andromede.worker.jobs import close_month
from tests.integration.builders import World, auth, ok, sim
from tests.integration.test_neutron_networks import NET, _make, _member, _refused, _subnet
from tests.integration.test_openstack_face import V21, boot, h, keystone


def _public(client: TestClient, token: str, region: str = "fr-par-1") -> str:
    networks = ok(client.get(f"{NET}/networks?router:external=true", headers=h(token)))
    return next(n["id"] for n in networks["networks"] if n["availability_zones"] == [region])


def _routed_server(client: TestClient, container: App, token: str) -> tuple[Any, Any, Any]:
    """A server on the project's own network, joined by a router to the external one."""
    net = _make(client, token, "network", name="lan")
    sub = _subnet(client, token, net["id"], "192.168.7.0/24")
    router = _make(client, token, "router", name="edge",
                   external_gateway_info={"network_id": _public(client, token)})  # fmt: skip
    add = {"subnet_id": sub["id"]}
    ok(client.put(f"{NET}/routers/{router['id']}/add_router_interface", headers=h(token), json=add))
    server = ok(boot(client, token, networks=[{"uuid": net["id"]}]), 202)["server"]
    while container.reconciler.run_once():
        pass
    ports = ok(client.get(f"{NET}/ports?device_id={server['id']}", headers=h(token)))["ports"]
    return server, ports[0], router


def test_a_floating_ip_from_allocation_to_release(
    client: TestClient, container: App, world: World
) -> None:
    token = _member(client, world)
    server, port, router = _routed_server(client, container, token)
    public = _public(client, token)
    floating = _make(client, token, "floatingip", floating_network_id=public)
    assert (floating["status"], floating["port_id"]) == ("DOWN", None)
    address = floating["floating_ip_address"]
    lan = _make(client, token, "network", name="island")
    island = _subnet(client, token, lan["id"], "192.168.8.0/24")
    stray = _make(client, token, "port", network_id=lan["id"])
    assert stray["fixed_ips"][0]["subnet_id"] == island["id"]
    url = f"{NET}/floatingips/{floating['id']}"
    unreachable = client.put(url, headers=h(token), json={"floatingip": {"port_id": stray["id"]}})
    _refused(unreachable, 404, "is not reachable from subnet")
    moved = ok(client.put(url, headers=h(token), json={"floatingip": {"port_id": port["id"]}}))
    assert moved["floatingip"]["fixed_ip_address"] == port["fixed_ips"][0]["ip_address"]
    assert (moved["floatingip"]["router_id"], moved["floatingip"]["status"]) == (
        router["id"],
        "ACTIVE",
    )
    shown = ok(client.get(f"{V21}/servers/{server['id']}", headers=h(token)))["server"]
    assert [(a["addr"], a["OS-EXT-IPS:type"]) for a in shown["addresses"]["lan"]] == [
        ("192.168.7.2", "fixed"),
        (address, "floating"),
    ]
    second = _make(client, token, "floatingip", floating_network_id=public)
    twin = {"floatingip": {"port_id": port["id"]}}
    answer = client.put(f"{NET}/floatingips/{second['id']}", headers=h(token), json=twin)
    _refused(answer, 409, "already has a floating IP")
    rid = router["id"]
    sub_id = port["fixed_ips"][0]["subnet_id"]
    leave = client.put(
        f"{NET}/routers/{rid}/remove_router_interface", headers=h(token), json={"subnet_id": sub_id}
    )
    _refused(leave, 409, "required by one or more floating IPs")
    no_gateway: dict[str, Any] = {"router": {"external_gateway_info": {}}}
    _refused(client.put(f"{NET}/routers/{rid}", headers=h(token), json=no_gateway), 409, "gateway")
    quota = ok(client.get(f"{NET}/quotas/{world.a.project_id}/details", headers=h(token)))
    assert quota["quota"]["floatingip"] == {"limit": 50, "used": 2, "reserved": 0}
    other = _member_b(client, world)
    assert client.get(url, headers=h(other)).status_code == 404
    assert client.delete(url, headers=h(other)).status_code == 404
    assert all(f["id"] != floating["id"] for f in _listed(client, other))
    off = ok(client.put(url, headers=h(token), json={"floatingip": {"port_id": None}}))
    assert off["floatingip"]["port_id"] is None
    assert client.delete(url, headers=h(token)).status_code == 204
    assert client.get(url, headers=h(token)).status_code == 404
    assert {f["id"] for f in _listed(client, token)} == {second["id"]}
    again = _make(client, token, "floatingip", floating_network_id=public,
                  floating_ip_address=address)  # fmt: skip
    assert again["floating_ip_address"] == address  # released, it can be taken again


def test_the_hypervisor_receives_the_servers_floating_ips(
    client: TestClient, container: App, world: World
) -> None:
    """The hypervisor builds a server with its ports on the customer's network; associated,
    moved away, released: after each change the next reconciler pass gives it exactly the
    server's floating IPs; a port that has one when a server boots on it gives it to the
    build."""
    token = _member(client, world)
    server, port, router = _routed_server(client, container, token)
    public = _public(client, token)
    floating = _make(client, token, "floatingip", floating_network_id=public)
    url = f"{NET}/floatingips/{floating['id']}"
    hypervisor = sim(container)
    subnet = port["fixed_ips"][0]["subnet_id"]
    link = SubnetLink(subnet, "192.168.7.0/24", 4, "192.168.7.1", True, router["id"], True)
    assert hypervisor.nics(server["id"]) == [
        Nic(port["id"], port["network_id"], "192.168.7.2", link)
    ]  # built with its port, subnet and router
    assert hypervisor.public_addresses(server["id"]) == []
    ok(client.put(url, headers=h(token), json={"floatingip": {"port_id": port["id"]}}))
    assert hypervisor.public_addresses(server["id"]) == []  # not before the pass
    container.reconciler.run_once()
    given = [PublicAddress(floating["floating_ip_address"], port["id"], link)]
    assert hypervisor.public_addresses(server["id"]) == given
    ok(client.put(url, headers=h(token), json={"floatingip": {"port_id": None}}))
    container.reconciler.run_once()
    assert hypervisor.public_addresses(server["id"]) == []

    lan = port["network_id"]
    own = _make(client, token, "port", network_id=lan)
    ok(client.put(url, headers=h(token), json={"floatingip": {"port_id": own["id"]}}))
    second = ok(boot(client, token, networks=[{"port": own["id"]}]), 202)["server"]
    while container.reconciler.run_once():
        pass
    given = [PublicAddress(floating["floating_ip_address"], own["id"], link)]
    assert hypervisor.public_addresses(second["id"]) == given
    assert client.delete(url, headers=h(token)).status_code == 204
    container.reconciler.run_once()
    assert hypervisor.public_addresses(second["id"]) == []


def _member_b(client: TestClient, world: World) -> str:
    return keystone(client, "b-customer-member", {"id": world.b.project_id})


def _listed(client: TestClient, token: str) -> list[Any]:
    return list(ok(client.get(f"{NET}/floatingips", headers=h(token)))["floatingips"])


def test_floating_ips_refused_where_they_cannot_be(client: TestClient, world: World) -> None:
    token = _member(client, world)
    own = _make(client, token, "network", name="lan")
    body = {"floatingip": {"floating_network_id": own["id"]}}
    _refused(client.post(f"{NET}/floatingips", headers=h(token), json=body), 400, "external")
    body = {"floatingip": {"floating_network_id": "nope"}}
    assert client.post(f"{NET}/floatingips", headers=h(token), json=body).status_code == 404
    policy = {"scope_type": "customer", "scope_id": world.a.customer_id, "allow": ["in:FR-IDF"]}
    ok(client.post("/v1/policies", headers=h(world.a.tokens["customer-admin"]), json=policy), 201)
    far = {"floatingip": {"floating_network_id": _public(client, token, "fr-rns-1")}}
    assert client.post(f"{NET}/floatingips", headers=h(token), json=far).status_code == 403
    assert _listed(client, token) == []


def test_an_address_held_ten_hours_is_billed_to_the_cent(
    client: TestClient, container: App, clock: FrozenClock, world: World
) -> None:
    """10 h held at 0.0045 list: wholesale at gold's 25 % off 0.03375 -> 0.03, resale at
    list (no markup set) 0.045 -> 0.05, half-up; the line names the address."""
    clock.set(datetime(2026, 10, 1, 8, tzinfo=UTC))
    member = auth(world.a.tokens["customer-member"])
    networks = ok(client.get(f"/v1/networks?project_id={world.a.project_id}", headers=member))
    public = next(n for n in networks["items"] if n["external"] and n["region"] == "fr-par-1")
    body = {"project_id": world.a.project_id, "network_id": public["id"]}
    made = ok(client.post("/v1/floating-ips", headers=member, json=body), 201)
    clock.advance(timedelta(hours=10))
    assert client.delete(f"/v1/floating-ips/{made['id']}", headers=member).status_code == 204
    clock.advance(timedelta(days=5))
    admin = auth(world.a.tokens["customer-admin"])
    usage = ok(client.get("/v1/usage", headers=admin, params={"month": "2026-10"}))["items"]
    held = [i for i in usage if i["sku"] == "floating-ip:fr-par-1"]
    assert [(i["unit"], Decimal(i["quantity"])) for i in held] == [("hour", Decimal(10))]
    clock.set(datetime(2026, 11, 1, 2, tzinfo=UTC))
    close_month(container, "2026-10")
    wholesale = _invoice(client, world.a.tokens["partner-admin"], "wholesale")
    line = next(x for x in wholesale["lines"] if x["sku"] == "floating-ip:fr-par-1")
    assert (Decimal(line["unit_price"]), Decimal(line["quantity"]), line["amount"]) == (
        Decimal("0.003375"),
        Decimal(10),
        "0.03",
    )
    assert made["address"] in line["description"]
    resale = _invoice(client, world.a.tokens["customer-admin"], "resale")
    line = next(x for x in resale["lines"] if x["sku"] == "floating-ip:fr-par-1")
    assert (Decimal(line["unit_price"]), line["amount"]) == (Decimal("0.0045"), "0.05")


def _invoice(client: TestClient, token: str, kind: str) -> Any:
    items = ok(client.get("/v1/invoices", headers=auth(token)))["items"]
    found = next(i for i in items if i["kind"] == kind)
    return ok(client.get(f"/v1/invoices/{found['id']}", headers=auth(token)))


def test_a_server_booted_without_a_network_is_on_its_projects_own_and_reachable(
    client: TestClient, container: App, world: World
) -> None:
    """SecNumCloud 9.7: by default a server is on its project's own network, which no other
    tenant's server is on; the shared provider network only when the customer names it.
    A floating IP reaches it without a router of the customer's (the cloud links the
    network it made to the region's uplink)."""
    token = _member(client, world)
    other = keystone(client, "b-customer-member", {"id": world.b.project_id})
    mine = ok(boot(client, token, "mine"), 202)["server"]
    theirs = ok(boot(client, other, "theirs"), 202)["server"]
    public = _public(client, token)
    chosen = ok(boot(client, token, "chosen", networks=[{"uuid": public}]), 202)["server"]
    while container.reconciler.run_once():
        pass

    def network_of(server: Any, as_token: str) -> Any:
        (port,) = ok(client.get(f"{NET}/ports?device_id={server['id']}", headers=h(as_token)))[
            "ports"
        ]
        net = ok(client.get(f"{NET}/networks/{port['network_id']}", headers=h(as_token)))
        return port, net["network"]

    port, own = network_of(mine, token)
    _, their_own = network_of(theirs, other)
    assert (own["shared"], own["router:external"]) == (False, False)
    assert own["project_id"] == world.a.project_id and their_own["id"] != own["id"]
    assert client.get(f"{NET}/networks/{own['id']}", headers=h(other)).status_code == 404
    assert network_of(chosen, token)[1]["id"] == public  # the customer's choice
    floating = _make(client, token, "floatingip", floating_network_id=public)
    url = f"{NET}/floatingips/{floating['id']}"
    moved = ok(client.put(url, headers=h(token), json={"floatingip": {"port_id": port["id"]}}))
    assert moved["floatingip"]["fixed_ip_address"] == port["fixed_ips"][0]["ip_address"]
    shown = ok(client.get(f"{V21}/servers/{mine['id']}", headers=h(token)))["server"]
    assert [a["OS-EXT-IPS:type"] for a in shown["addresses"][own["name"]]] == [
        "fixed",
        "floating",
    ]
