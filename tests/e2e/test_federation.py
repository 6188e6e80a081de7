"""Federation: instance A runs its region fr-rns-1 on instance B's OpenStack face through
the openstack driver. A server created in A appears in B, runs, stops and disappears; its
security group rules changed in A follow it to B, its console and crash dump go through
B; a customer's own image is sent to B's Glance when a server first boots from it; a
customer's network, subnet, router and floating IP get their counterparts in B, and a
resize in A resizes B's server."""

import hashlib
import ipaddress
import os
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import openstack
import pytest

from tests.e2e import plain_http as http
from tests.e2e.conftest import Service, start_service

PASSWORD = "demo-password-2026"


@pytest.fixture
def pair(tmp_path: Path) -> Iterator[tuple[Service, Service]]:
    yield from federate(tmp_path)


@pytest.fixture
def failing_pair(tmp_path: Path) -> Iterator[tuple[Service, Service]]:
    """B's hypervisors fail every build."""
    yield from federate(tmp_path, ANDROMEDE_SIM_FAILURE_RATE="1.0")


def federate(tmp_path: Path, **b_env: str) -> Iterator[tuple[Service, Service]]:
    b = start_service(tmp_path / "b", **b_env)
    clouds = tmp_path / "clouds.yaml"
    clouds.write_text(
        "clouds:\n"
        "  cloud-b:\n"
        "    auth:\n"
        f"      auth_url: {b.url}/identity\n"
        "      username: brasserie-member\n"
        f"      password: {PASSWORD}\n"
        "      project_name: production\n"
        "      user_domain_name: Default\n"
        '      project_domain_name: "Brasserie Lumière SAS"\n'
        "    region_name: fr-rns-1\n",
        encoding="utf-8",
    )
    try:
        a = start_service(
            tmp_path / "a",
            ANDROMEDE_OPENSTACK_CLOUDS_FILE=str(clouds),
            ANDROMEDE_OPENSTACK_REGIONS="fr-rns-1=cloud-b",
        )
    except BaseException:
        b.stop()
        raise
    yield a, b
    a.stop()
    b.stop()


def eventually(check: Callable[[], Any], timeout: float = 60) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = check()
        if result:
            return result
        time.sleep(0.3)
    raise AssertionError("condition not met in time")


def login_a(a: Service) -> dict[str, str]:
    token = http.post(
        f"{a.url}/v1/tokens", json={"username": "brasserie-member", "password": PASSWORD}
    ).json()["token"]
    return {"Authorization": f"Bearer {token}"}


def sdk(service: Service) -> Any:
    return openstack.connect(
        auth_url=f"{service.url}/identity",
        username="brasserie-member",
        password=PASSWORD,
        project_name="production",
        user_domain_name="Default",
        project_domain_name="Brasserie Lumière SAS",
        region_name="fr-rns-1",
    )


def create_in_a(a: Service) -> tuple[str, dict[str, str]]:
    h = login_a(a)
    project = next(
        p
        for p in http.get(f"{a.url}/v1/projects", headers=h).json()["items"]
        if p["name"] == "production"
    )
    body = {
        "project_id": project["id"],
        "name": "federated",
        "flavor": "SCS-2V-4",
        "image": "debian-12",
        "region": "fr-rns-1",
    }
    created = http.post(f"{a.url}/v1/servers", headers=h, json=body)
    assert created.status_code == 202, created.text
    return str(created.json()["id"]), h


def test_a_remote_failure_is_an_error_with_the_remote_fault(
    failing_pair: tuple[Service, Service],
) -> None:
    a, _ = failing_pair
    server_id, h = create_in_a(a)

    def failed() -> dict[str, Any] | None:
        shown: dict[str, Any] = http.get(f"{a.url}/v1/servers/{server_id}", headers=h).json()
        return shown if shown["status"] == "ERROR" else None

    shown = eventually(failed)
    assert "simulated hypervisor failure" in shown["fault"]


def test_a_server_of_a_lives_in_b(pair: tuple[Service, Service]) -> None:
    a, b = pair
    server_id, h = create_in_a(a)

    remote = sdk(b)

    def in_b() -> Any:
        return next(
            (s for s in remote.compute.servers() if s.name == f"andromede-{server_id}"), None
        )

    def status_in_a() -> str:
        return str(http.get(f"{a.url}/v1/servers/{server_id}", headers=h).json()["status"])

    assert eventually(lambda: status_in_a() == "ACTIVE")
    twin = in_b()
    assert twin is not None and twin.status == "ACTIVE"
    assert twin.metadata["andromede_server_id"] == server_id
    assert len([s for s in remote.compute.servers() if s.name == twin.name]) == 1  # built once
    assert_firewall_in_b(a, h, server_id, remote, twin)
    assert_rule_reaches_b(a, h, server_id, remote)
    console = f"{a.url}/v1/servers/{server_id}/console"
    last = http.get(console, headers=h, params={"lines": 1})
    assert last.json()["output"] == f"andromede-{server_id} login: \n"  # read from b
    dump = {"action": "crash_dump"}
    assert http.post(f"{a.url}/v1/servers/{server_id}/actions", headers=h, json=dump).is_success
    assert "Kernel panic" in http.get(console, headers=h).json()["output"]

    stop = http.post(f"{a.url}/v1/servers/{server_id}/actions", headers=h, json={"action": "stop"})
    assert stop.status_code == 202
    assert eventually(lambda: status_in_a() == "SHUTOFF")
    assert eventually(lambda: in_b().status == "SHUTOFF")

    assert http.delete(f"{a.url}/v1/servers/{server_id}", headers=h).status_code == 202
    assert eventually(lambda: in_b() is None)
    assert eventually(
        lambda: http.get(f"{a.url}/v1/servers/{server_id}", headers=h).status_code == 404
    )


def assert_firewall_in_b(
    a: Service, h: dict[str, str], server_id: str, remote: Any, twin: Any
) -> None:
    """The server's security group has its counterpart in B, with the same rules (the
    rule admitting the group's members names the counterpart), and B's server is in it."""
    project_id = http.get(f"{a.url}/v1/servers/{server_id}", headers=h).json()["project_id"]
    groups = http.get(f"{a.url}/v1/security-groups?project_id={project_id}", headers=h).json()
    ours = next(g for g in groups["items"] if g["name"] == "default")
    counterpart = remote.network.find_security_group(f"andromede-{ours['id']}")
    assert counterpart is not None
    rules = list(remote.network.security_group_rules(security_group_id=counterpart.id))
    assert sorted((r.direction, r.ether_type, r.remote_group_id) for r in rules) == [
        ("egress", "IPv4", None),
        ("egress", "IPv6", None),
        ("ingress", "IPv4", counterpart.id),
        ("ingress", "IPv6", counterpart.id),
    ]
    names = {g["name"] for g in remote.compute.get_server(twin.id).security_groups}
    assert names == {counterpart.name}


def assert_rule_reaches_b(a: Service, h: dict[str, str], server_id: str, remote: Any) -> None:
    """A rule added in A to the running server's group reaches its counterpart in B
    without a rebuild."""
    project_id = http.get(f"{a.url}/v1/servers/{server_id}", headers=h).json()["project_id"]
    groups = http.get(f"{a.url}/v1/security-groups?project_id={project_id}", headers=h).json()
    ours = next(g for g in groups["items"] if g["name"] == "default")
    rule = {"direction": "ingress", "protocol": "tcp", "port_range_min": 22}
    rule |= {"port_range_max": 22, "remote_ip_prefix": "192.0.2.0/24"}
    added = http.post(f"{a.url}/v1/security-groups/{ours['id']}/rules", headers=h, json=rule)
    assert added.status_code == 201, added.text
    counterpart = remote.network.find_security_group(f"andromede-{ours['id']}")

    def ssh_in_b() -> bool:
        rules = remote.network.security_group_rules(security_group_id=counterpart.id)
        return any(r.port_range_min == 22 and r.remote_ip_prefix == "192.0.2.0/24" for r in rules)

    assert eventually(ssh_in_b)


def test_a_customers_own_image_is_sent_to_the_region_once(
    pair: tuple[Service, Service],
) -> None:
    """An image the customer uploaded to A, stored in the federated region, reaches B's
    Glance (private, the same bytes) the first time a server boots from it there, and
    only then."""
    a, b = pair
    h = login_a(a)
    project = next(
        p
        for p in http.get(f"{a.url}/v1/projects", headers=h).json()["items"]
        if p["name"] == "production"
    )
    body = {"name": "golden", "disk_format": "raw", "region": "fr-rns-1"}
    image = http.post(f"{a.url}/v1/projects/{project['id']}/images", headers=h, json=body)
    assert image.status_code == 201, image.text
    image_id = image.json()["id"]
    data = os.urandom(3 * 1024 * 1024 + 7)
    put = http.put(f"{a.url}/v1/images/{image_id}/file", headers=h, content=data)
    assert put.status_code == 204, put.text
    servers = []
    for name in ("from-golden-1", "from-golden-2"):
        server = {"project_id": project["id"], "name": name, "flavor": "SCS-1V-2"}
        server |= {"image": image_id, "region": "fr-rns-1"}
        made = http.post(f"{a.url}/v1/servers", headers=h, json=server)
        assert made.status_code == 202, made.text
        servers.append(made.json()["id"])

    def all_active() -> bool:
        found = [http.get(f"{a.url}/v1/servers/{sid}", headers=h).json() for sid in servers]
        return all(s["status"] == "ACTIVE" for s in found)

    assert eventually(all_active)
    remote = sdk(b)
    sent = [i for i in remote.image.images() if i.name == f"andromede-{image_id}"]
    assert len(sent) == 1 and sent[0].visibility == "private"
    assert sent[0].checksum == hashlib.md5(data, usedforsecurity=False).hexdigest()

    snap = http.post(f"{a.url}/v1/servers/{servers[0]}/snapshots", headers=h,
                      json={"name": "golden-2"})  # fmt: skip
    assert snap.status_code == 202, snap.text
    images = f"{a.url}/v1/projects/{project['id']}/images"

    def saved() -> Any:
        found = next(
            i for i in http.get(images, headers=h).json()["items"] if i["name"] == "golden-2"
        )
        return found if found["status"] != "saving" else None

    assert saved_image_is_bs_disk(a, h, eventually(saved))
    leftovers = [i for i in remote.image.images() if i.name.startswith("andromede-snapshot-")]
    assert leftovers == []  # the bytes came back; B's copy is gone


def saved_image_is_bs_disk(a: Service, h: dict[str, str], image: dict[str, Any]) -> bool:
    """The snapshot is active in A and holds the disk of B's simulated VM."""
    assert image["status"] == "active" and image["region"] == "fr-rns-1"
    data = http.get(f"{a.url}/v1/images/{image['id']}/file", headers=h).content
    return data.startswith(b"andromede-sim-disk server=")


def test_a_customers_network_router_floating_ip_and_resize_reach_the_region(
    pair: tuple[Service, Service],
) -> None:
    """A server in A on the customer's own network, behind a router with a gateway, with a
    floating IP: B gets the network's and the subnet's counterparts (same CIDR), a port
    with the same fixed address, the router with its gateway and interface, and the same
    public address on that port; taken away in A, the address leaves B; resized in A, it
    is resized in B; deleted in A, its port leaves B."""
    a, b = pair
    ours, remote = sdk(a), sdk(b)
    here = ["fr-rns-1"]
    net = ours.network.create_network(name="lan", availability_zone_hints=here)
    subnet = ours.network.create_subnet(network_id=net.id, cidr="10.42.0.0/24", ip_version=4)
    public = next(n for n in ours.network.networks(is_router_external=True)
                  if "fr-rns-1" in n.availability_zones)  # fmt: skip
    flavor = ours.compute.find_flavor("SCS-1V-2", ignore_missing=False)
    image = ours.image.find_image("debian-12", ignore_missing=False)
    server = ours.compute.create_server(
        name="web",
        flavor_id=flavor.id,
        image_id=image.id,
        networks=[{"uuid": net.id}],  # no zone: the network's region
    )
    ours.compute.wait_for_server(server, interval=0.3, wait=60)
    port = next(iter(ours.network.ports(device_id=server.id)))
    fixed = port.fixed_ips[0]["ip_address"]
    router = ours.network.create_router(  # after the build: it reaches B with the address
        name="edge", availability_zone_hints=here, external_gateway_info={"network_id": public.id}
    )
    ours.network.add_interface_to_router(router, subnet_id=subnet.id)
    # An address near the top of the range: B has given none of those to anything (the
    # first free ones go to its own servers and routers, which A's do not mirror).
    top = ipaddress.ip_network(ours.network.get_subnet(public.subnet_ids[0]).cidr)[-10]
    floating = ours.network.create_ip(
        floating_network_id=public.id, port_id=port.id, floating_ip_address=str(top)
    )

    twin_net = remote.network.find_network(f"andromede-{net.id}")
    twin_subnet = remote.network.find_subnet(f"andromede-{subnet.id}")
    assert twin_net is not None and twin_subnet is not None
    assert (twin_subnet.cidr, twin_subnet.network_id) == ("10.42.0.0/24", twin_net.id)
    twin_server = next(s for s in remote.compute.servers() if s.name == f"andromede-{server.id}")
    twin_port = remote.network.find_port(f"andromede-{server.id}-{port.id}")
    assert twin_port.device_id == twin_server.id
    assert twin_port.fixed_ips[0]["ip_address"] == fixed

    def public_in_b() -> list[tuple[str, str]]:
        return [(i.floating_ip_address, i.port_id) for i in remote.network.ips()]

    assert eventually(lambda: public_in_b() == [(floating.floating_ip_address, twin_port.id)])
    twin_router = remote.network.find_router(f"andromede-{router.id}")
    assert twin_router is not None and twin_router.external_gateway_info["network_id"]
    joined = [p for p in remote.network.ports(device_id=twin_router.id)
              if p.device_owner == "network:router_interface"]  # fmt: skip
    assert [p.fixed_ips[0]["subnet_id"] for p in joined] == [twin_subnet.id]
    ours.network.update_ip(floating, port_id=None)
    assert eventually(lambda: public_in_b() == [])
    ours.network.update_ip(floating, port_id=port.id)
    assert eventually(lambda: public_in_b() == [(floating.floating_ip_address, twin_port.id)])

    ours.compute.resize_server(server, ours.compute.find_flavor("SCS-2V-4").id)
    ours.compute.wait_for_server(server, status="VERIFY_RESIZE", interval=0.3, wait=60)
    ours.compute.confirm_server_resize(server)

    def flavor_in_b() -> str:
        twin = remote.compute.get_server(twin_server.id)
        return f"{twin.status} {twin.flavor.original_name}"

    assert eventually(lambda: flavor_in_b() == "ACTIVE SCS-2V-4")  # resized there, confirmed

    ours.compute.delete_server(server)
    ours.compute.wait_for_delete(server, interval=0.3, wait=60)
    assert remote.network.find_port(f"andromede-{server.id}-{port.id}") is None
    assert public_in_b() == []
    assert not [s for s in remote.compute.servers() if s.name == f"andromede-{server.id}"]
