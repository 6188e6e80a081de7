"""``andromede network``, ``router``, ``port`` and ``floating-ip`` as a customer types
them: a network with a subnet, a router joining it with a gateway and a route, a server on
the network reached through a floating IP."""

import json
from pathlib import Path

from tests.e2e.conftest import LoggedIn, Service


def test_a_customer_builds_its_network(service: Service, tmp_path: Path) -> None:
    cli = LoggedIn(service, tmp_path / "cli.json")
    run = cli.run

    net = json.loads(run("network", "create", "office", "--project", "production", "-o", "json"))
    region = net["region"]
    sub = json.loads(run("network", "subnet-add", "office", "--cidr", "10.70.0.0/24",
                         "--pool", "10.70.0.10-10.70.0.20", "--dns", "9.9.9.9",
                         "-o", "json"))  # fmt: skip
    assert sub["allocation_pools"] == [{"start": "10.70.0.10", "end": "10.70.0.20"}]
    bad = cli.raw("network", "subnet-add", "office", "--cidr", "10.70.0.0/25")
    assert bad.returncode == 2 and len(bad.stderr.strip().splitlines()) == 1
    assert "overlaps" in bad.stderr
    bad_pool = cli.raw("network", "subnet-add", "office", "--cidr", "10.71.0.0/24",
                       "--pool", "10.71.0.9")  # fmt: skip
    assert bad_pool.returncode == 2 and "--pool" in bad_pool.stderr
    router = json.loads(run("router", "create", "edge", "--project", "production",
                            "--gateway", f"provider-{region}", "-o", "json"))  # fmt: skip
    assert len(router["gateway_addresses"]) == 1
    joined = json.loads(run("router", "add-subnet", "edge", sub["id"], "-o", "json"))
    assert [i["address"] for i in joined["interfaces"]] == ["10.70.0.1"]
    port = json.loads(run("port", "create", "office", "--project", "production",
                          "--address", "10.70.0.50", "-o", "json"))  # fmt: skip
    routed = json.loads(run("router", "routes", "edge", "--route", "172.16.9.0/24=10.70.0.50",
                            "-o", "json"))  # fmt: skip
    assert routed["routes"] == [{"destination": "172.16.9.0/24", "nexthop": "10.70.0.50"}]
    server = json.loads(run("server", "create", "desk", "--project", "production",
                            "--flavor", "SCS-1V-2", "--image", "cirros", "--region", region,
                            "--network", "office", "--wait", "-o", "json"))  # fmt: skip
    assert server["status"] == "ACTIVE"
    snap = json.loads(run("server", "snapshot", server["id"], "--name", "desk-golden", "--wait",
                          "-o", "json"))  # fmt: skip
    assert (snap["status"], snap["region"], snap["visibility"]) == ("active", region, "private")
    floating = json.loads(run("floating-ip", "create", "--network", f"provider-{region}",
                              "--project", "production", "--server", server["id"],
                              "-o", "json"))  # fmt: skip
    assert floating["fixed_ip_address"] == "10.70.0.10"
    shown_server = json.loads(run("server", "show", server["id"], "-o", "json"))
    assert floating["address"] in json.dumps(shown_server)
    held = json.loads(run("floating-ip", "list", "-o", "json"))
    assert [f["address"] for f in held] == [floating["address"]]
    off = json.loads(run("floating-ip", "disassociate", floating["id"], "-o", "json"))
    assert off["port_id"] is None
    run("floating-ip", "release", floating["id"])
    listed = json.loads(run("port", "list", "--network", "office", "-o", "json"))
    assert {p["address"] for p in listed} == {"10.70.0.1", "10.70.0.10", "10.70.0.50"}
    shown = run("network", "show", "office")
    assert "10.70.0.0/24" in shown
    run("router", "routes", "edge")
    run("router", "remove-interface", "edge", joined["interfaces"][0]["id"])
    run("router", "delete", "edge")
    run("server", "delete", server["id"])
    run("port", "delete", port["id"])
