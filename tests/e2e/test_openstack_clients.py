"""The real `openstack` CLI (python-openstackclient) and openstacksdk against a live
`andromede serve`, unchanged: clouds.yaml pointing at /identity, nothing else."""

import hashlib
import json
import os
import resource
import socket
import subprocess
import time
from importlib.metadata import entry_points
from pathlib import Path
from typing import Any

import httpx
import openstack
import pytest

from tests.e2e.conftest import Service
from tests.e2e.forkserver import OPENSTACK, ForkServer

SCS_0102 = {
    "architecture",
    "min_disk",
    "min_ram",
    "os_distro",
    "os_version",
    "hw_disk_bus",
    "image_build_date",
    "image_original_user",
    "image_source",
    "image_description",
    "replace_frequency",
    "provided_until",
    "uuid_validity",
    "os_purpose",
}
MEMBER = "commune-member"
SSH_KEY = (
    "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGgcoDxUZOXS1nE2c0Kb1H3bGgq2H2qBvL2XG0x7d1lC e2e@host"
)


def clouds_yaml(service: Service, path: Path) -> Path:
    def cloud(user: str, password: str, domain: str, region: str) -> str:
        return (
            f"  {user}:\n"
            f"    auth:\n"
            f"      auth_url: {service.url}/identity\n"
            f"      username: {user}\n"
            f"      password: {password}\n"
            f"      project_name: production\n"
            f"      user_domain_name: Default\n"
            f'      project_domain_name: "{domain}"\n'
            f"    region_name: {region}\n"
            f"    identity_api_version: 3\n"
        )

    path.write_text(
        "clouds:\n"
        + cloud("commune-member", "demo-password-2026", "Commune de Ploubalay", "fr-rns-1")
        + cloud("clinique-member", "demo-password-2026", "Clinique des Tilleuls", "fr-par-1")
        + cloud("commune-viewer", "wrong-password", "Commune de Ploubalay", "fr-rns-1"),
        encoding="utf-8",
    )
    return path


class Osc:
    """The `openstack` CLI, each command a new process forked from one that imported the
    CLI once (``forkserver.py``); ``console_script`` runs the installed `openstack`
    executable itself."""

    def __init__(self, clouds: Path, server: ForkServer) -> None:
        self.env = {**os.environ, "OS_CLIENT_CONFIG_FILE": str(clouds)}
        self.env.pop("OS_CLOUD", None)
        self.server = server

    def __call__(self, cloud: str, *args: str) -> subprocess.CompletedProcess[str]:
        return self.server.run(["--os-cloud", cloud, *args], self.env, timeout=180)

    def console_script(self, cloud: str, *args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [str(OPENSTACK), "--os-cloud", cloud, *args],
            env=self.env,
            capture_output=True,
            text=True,
            timeout=180,
            check=False,
        )

    def json(self, cloud: str, *args: str) -> Any:
        done = self(cloud, *args, "-f", "json")
        assert done.returncode == 0, done.stderr
        return json.loads(done.stdout)


@pytest.fixture
def osc(service: Service, tmp_path: Path, osc_server: ForkServer) -> Osc:
    return Osc(clouds_yaml(service, tmp_path / "clouds.yaml"), osc_server)


def wait_status(osc: Osc, server: str, status: str) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if osc.json("commune-member", "server", "show", server)["status"] == status:
            return
        time.sleep(0.5)
    raise AssertionError(f"{server} never reached {status}")


def test_openstack_cli_drives_a_server_through_its_life(osc: Osc, tmp_path: Path) -> None:
    me = "commune-member"
    token = osc.json(me, "token", "issue")
    assert token["id"] and token["project_id"] and token["user_id"]
    flavors = {f["Name"] for f in osc.json(me, "flavor", "list")}
    assert {"SCS-1V-2", "SCS-2V-4-20s", "SCS-4V-16-100s"} <= flavors
    assert "cirros" in {i["Name"] for i in osc.json(me, "image", "list")}
    key = tmp_path / "k.pub"
    key.write_text(SSH_KEY + "\n")
    assert osc.json(me, "keypair", "create", "--public-key", str(key), "k1")["name"] == "k1"

    created = osc.json(
        me,
        "server",
        "create",
        "--flavor",
        "SCS-1V-2",
        "--image",
        "cirros",
        "--key-name",
        "k1",
        "--wait",
        "os-vm",
    )
    assert created["status"] == "ACTIVE"
    listed = osc.json(me, "server", "list")
    assert "os-vm" in {s["Name"] for s in listed}
    row = next(s for s in listed if s["Name"] == "os-vm")
    assert row["Image"] == "cirros" and row["Flavor"] == "SCS-1V-2" and row["Networks"]
    shown = osc.json(me, "server", "show", "os-vm")
    assert shown["OS-EXT-AZ:availability_zone"].startswith("fr-rns-1")  # the policy's region
    assert osc(me, "server", "stop", "os-vm").returncode == 0
    wait_status(osc, "os-vm", "SHUTOFF")
    assert osc(me, "server", "start", "os-vm").returncode == 0
    wait_status(osc, "os-vm", "ACTIVE")
    rebooted = osc(me, "server", "reboot", "--wait", "os-vm")
    assert rebooted.returncode == 0, rebooted.stderr
    tagged = osc(me, "server", "set", "--property", "role=web", "--property", "tier=gold", "os-vm")
    assert tagged.returncode == 0, tagged.stderr
    assert osc(me, "server", "unset", "--property", "tier", "os-vm").returncode == 0
    properties = osc.json(me, "server", "show", "os-vm")["properties"]
    assert properties in ({"role": "web"}, "role='web'"), properties
    limits = osc.json(me, "limits", "show", "--absolute")
    names = {row["Name"]: row["Value"] for row in limits}
    assert names["instances"] == 20 and names["total_instances_used"] >= 1, names

    # another customer cannot see it, even by id
    stranger = osc("clinique-member", "server", "show", shown["id"])
    assert stranger.returncode != 0 and "No Server found" in stranger.stderr
    # a region the customer's residency policy forbids
    refused = osc(
        me,
        "server",
        "create",
        "--flavor",
        "SCS-1V-2",
        "--image",
        "cirros",
        "--availability-zone",
        "fr-par-1a",
        "paris-vm",
    )
    assert refused.returncode != 0
    assert "residency policy refuses region fr-par-1" in refused.stderr
    deleted = osc(me, "server", "delete", "--wait", "os-vm")
    assert deleted.returncode == 0, deleted.stderr
    assert "os-vm" not in {s["Name"] for s in osc.json(me, "server", "list")}


def test_a_bad_password_is_refused(osc: Osc) -> None:
    refused = osc("commune-viewer", "token", "issue")
    assert refused.returncode != 0 and "401" in refused.stderr


def test_the_installed_openstack_executable_answers_as_the_journeys_runner(osc: Osc) -> None:
    """The journeys run ``openstackclient.shell:main`` in forked children; this holds
    them to what the installed `openstack` executable itself answers."""
    (script,) = [e for e in entry_points(group="console_scripts") if e.name == "openstack"]
    assert script.value == "openstackclient.shell:main"
    for args in (("flavor", "list", "-f", "json"), ("image", "show", "cirros", "-f", "json")):
        real, forked = osc.console_script(MEMBER, *args), osc(MEMBER, *args)
        assert real.returncode == forked.returncode == 0, (real.stderr, forked.stderr)
        assert json.loads(real.stdout) == json.loads(forked.stdout)
    real, forked = (run("commune-viewer", "token", "issue") for run in (osc.console_script, osc))
    assert real.returncode == forked.returncode != 0
    assert "401" in real.stderr and "401" in forked.stderr
    missing = osc(MEMBER, "server", "show", "no-such-server")
    assert missing.returncode == 1 and "No Server found" in missing.stderr
    real, forked = osc.console_script(MEMBER, "--version"), osc(MEMBER, "--version")
    assert real.stdout == forked.stdout and real.stdout.startswith("openstack ")


def test_the_runner_works_when_its_pipe_is_past_fd_1024() -> None:
    """A test process late in a run holds many files; select() fails past 1024."""
    limits = resource.getrlimit(resource.RLIMIT_NOFILE)
    room = 2048 if limits[1] == resource.RLIM_INFINITY else min(2048, limits[1])
    resource.setrlimit(resource.RLIMIT_NOFILE, (max(limits[0], room), limits[1]))
    held = [os.open(os.devnull, os.O_RDONLY) for _ in range(1100)]
    try:
        server = ForkServer()
        try:
            assert server.process.stdout and server.process.stdout.fileno() > 1024
            done = server.run(["--version"], os.environ, timeout=120)
            assert done.returncode == 0 and done.stdout.startswith("openstack "), done.stderr
        finally:
            server.close()
    finally:
        for fd in held:
            os.close(fd)
        resource.setrlimit(resource.RLIMIT_NOFILE, limits)


def test_openstacksdk_script(service: Service) -> None:
    conn = openstack.connect(
        auth_url=f"{service.url}/identity",
        username="commune-member",
        password="demo-password-2026",
        project_name="production",
        user_domain_name="Default",
        project_domain_name="Commune de Ploubalay",
        region_name="fr-rns-1",
    )
    image = conn.image.find_image("debian-12", ignore_missing=False)
    raw = httpx.get(
        f"{service.url}/image/v2/images",
        params={"name": "debian-12"},
        headers={"X-Auth-Token": str(conn.auth_token)},
    ).json()["images"][0]
    assert SCS_0102 <= set(raw), SCS_0102 - set(raw)  # mandatory image metadata, top level
    flavor = conn.compute.find_flavor("SCS-2V-4", ignore_missing=False)
    network = conn.network.find_network("provider-fr-rns-1", ignore_missing=False)
    assert image and flavor and network
    server = conn.compute.create_server(
        name="sdk-vm", image_id=image.id, flavor_id=flavor.id, networks=[{"uuid": network.id}]
    )
    server = conn.compute.wait_for_server(server, interval=0.5, wait=60)
    assert server.status == "ACTIVE"
    assert "sdk-vm" in {s.name for s in conn.compute.servers()}
    conn.compute.stop_server(server)
    conn.compute.wait_for_server(server, status="SHUTOFF", interval=0.5, wait=60)
    conn.compute.delete_server(server)
    conn.compute.wait_for_delete(server, interval=0.5, wait=60)
    assert "sdk-vm" not in {s.name for s in conn.compute.servers()}


def test_an_application_credential_in_clouds_yaml(osc: Osc, tmp_path: Path) -> None:
    """A customer makes a credential with the CLI, a script signs in with it from its own
    clouds.yaml (no password), and deleting it cuts the script off."""
    me = "commune-member"
    made = osc.json(me, "application", "credential", "create", "backup-script")
    assert made["Name"] == "backup-script" and made["Secret"]
    listed = osc.json(me, "application", "credential", "list")
    assert [c["Name"] for c in listed] == ["backup-script"]
    token = osc.json(me, "token", "issue")
    assert token["project_id"] == made["Project ID"]
    quotas = {q["Resource"]: q["Limit"] for q in osc.json(me, "quota", "show", "--compute")}
    assert quotas["instances"] == 20 and quotas["cores"] == 40 and quotas["key-pairs"] == 100
    script = tmp_path / "script-clouds.yaml"
    url = osc.env["OS_CLIENT_CONFIG_FILE"]
    auth_url = next(
        line.split(": ", 1)[1]
        for line in Path(url).read_text(encoding="utf-8").splitlines()
        if "auth_url" in line
    )
    script.write_text(
        "clouds:\n  script:\n    auth_type: v3applicationcredential\n    auth:\n"
        f"      auth_url: {auth_url}\n"
        f"      application_credential_id: {made['ID']}\n"
        f"      application_credential_secret: {made['Secret']}\n"
        "    region_name: fr-rns-1\n    identity_api_version: 3\n",
        encoding="utf-8",
    )
    robot = Osc(script, osc.server)
    assert isinstance(robot.json("script", "server", "list"), list)
    assert robot.json("script", "token", "issue")["project_id"] == made["Project ID"]
    deleted = osc(me, "application", "credential", "delete", made["ID"])
    assert deleted.returncode == 0, deleted.stderr
    refused = robot("script", "server", "list")
    assert refused.returncode != 0 and "401" in refused.stderr


def test_several_servers_with_one_command(osc: Osc) -> None:
    me = "commune-member"
    made = osc(me, "server", "create", "--flavor", "SCS-1V-2", "--image", "cirros",
               "--min", "3", "--max", "3", "batch")  # fmt: skip
    assert made.returncode == 0, made.stderr
    listed = sorted(s["Name"] for s in osc.json(me, "server", "list", "--name", "^batch-"))
    assert listed == ["batch-1", "batch-2", "batch-3"]
    bad = osc(me, "server", "create", "--flavor", "SCS-1V-2", "--image", "cirros",
              "--min", "3", "--max", "2", "nope")  # fmt: skip
    assert bad.returncode != 0


def test_a_security_group_opening_ssh(osc: Osc) -> None:
    """What a customer types to reach its servers on port 22."""
    me = "commune-member"
    made = osc.json(me, "security", "group", "create", "ssh-in", "--description", "admins")
    assert made["name"] == "ssh-in"
    rule = osc.json(me, "security", "group", "rule", "create", "--protocol", "tcp",
                    "--dst-port", "22", "--remote-ip", "203.0.113.0/24", "ssh-in")  # fmt: skip
    assert (rule["port_range_min"], rule["port_range_max"]) == (22, 22)
    twin = osc(me, "security", "group", "rule", "create", "--protocol", "tcp",
               "--dst-port", "22", "--remote-ip", "203.0.113.0/24", "ssh-in")  # fmt: skip
    assert twin.returncode != 0 and "409" in twin.stderr
    rules = osc.json(me, "security", "group", "rule", "list", "ssh-in")
    assert sorted(r["Port Range"] for r in rules) == ["", "", "22:22"]
    names = {g["Name"] for g in osc.json(me, "security", "group", "list")}
    assert names == {"default", "ssh-in"}
    server = osc.json(me, "server", "create", "--flavor", "SCS-1V-2", "--image", "cirros",
                      "--security-group", "ssh-in", "--wait", "bastion")  # fmt: skip
    shown = osc.json(me, "server", "show", server["id"])
    assert [g["name"] for g in shown["security_groups"]] == ["ssh-in"]
    added = osc(me, "server", "add", "security", "group", "bastion", "default")
    assert added.returncode == 0, added.stderr
    shown = osc.json(me, "server", "show", "bastion")
    assert sorted(g["name"] for g in shown["security_groups"]) == ["default", "ssh-in"]
    in_use = osc(me, "security", "group", "delete", "ssh-in")
    assert in_use.returncode != 0
    assert osc(me, "server", "remove", "security", "group", "bastion", "ssh-in").returncode == 0
    assert osc(me, "security", "group", "delete", "ssh-in").returncode == 0
    assert {g["Name"] for g in osc.json(me, "security", "group", "list")} == {"default"}
    usage = {q["Resource"]: q for q in osc.json(me, "quota", "show", "--usage")}
    assert (usage["security_groups"]["Limit"], usage["security_groups"]["In Use"]) == (10, 1)
    assert usage["instances"]["In Use"] >= 1  # the compute quotas beside the network ones


def test_a_server_rebuilt_from_another_image(osc: Osc) -> None:
    me = "commune-member"
    made = osc.json(me, "server", "create", "--flavor", "SCS-1V-2", "--image", "debian-12",
                    "--wait", "phoenix")  # fmt: skip
    rebuilt = osc(me, "server", "rebuild", "--image", "cirros", "--wait", "phoenix")
    assert rebuilt.returncode == 0, rebuilt.stderr
    shown = osc.json(me, "server", "show", "phoenix")
    assert shown["id"] == made["id"] and shown["status"] == "ACTIVE"
    assert shown["image"].startswith("cirros")
    refused = osc(me, "server", "rebuild", "--image", "no-such-image", "phoenix")
    assert refused.returncode != 0
    assert osc(me, "server", "stop", "phoenix").returncode == 0
    wait_status(osc, made["id"], "SHUTOFF")
    done = osc(me, "server", "resize", "--flavor", "SCS-2V-4", "--wait", "phoenix")
    assert done.returncode == 0, done.stderr
    assert osc.json(me, "server", "show", "phoenix")["status"] == "VERIFY_RESIZE"
    done = osc(me, "server", "resize", "confirm", "phoenix")
    assert done.returncode == 0, done.stderr
    shown = osc.json(me, "server", "show", "phoenix")
    # the client negotiates 2.79: the flavor comes embedded (2.47), as it is now
    assert shown["status"] == "SHUTOFF"
    assert (shown["flavor"]["original_name"], shown["flavor"]["vcpus"]) == ("SCS-2V-4", 2)


def test_an_own_image_uploaded_shared_and_booted(osc: Osc, tmp_path: Path) -> None:
    """``image create --file``: the bytes stream in, Glance's checksums come back, the
    image boots a server, is saved back byte for byte, and is deleted."""
    me = "commune-member"
    disk = tmp_path / "disk.raw"
    disk.write_bytes(os.urandom(5 * 1024 * 1024 + 3))
    made = osc.json(me, "image", "create", "--file", str(disk), "--disk-format", "raw",
                    "--container-format", "bare", "--property", "os_distro=alpine",
                    "--private", "my-alpine")  # fmt: skip
    assert made["status"] == "active" and made["size"] == disk.stat().st_size
    shown = osc.json(me, "image", "show", "my-alpine")
    assert shown["checksum"] == hashlib.md5(disk.read_bytes()).hexdigest()
    assert shown["visibility"] == "private" and shown["properties"]["os_distro"] == "alpine"
    saved = tmp_path / "saved.raw"
    fetched = osc(me, "image", "save", "--file", str(saved), "my-alpine")
    assert fetched.returncode == 0, fetched.stderr
    assert saved.read_bytes() == disk.read_bytes()
    assert "my-alpine" not in {i["Name"] for i in osc.json("clinique-member", "image", "list")}
    server = osc.json(me, "server", "create", "--flavor", "SCS-1V-2", "--image", "my-alpine",
                      "--wait", "alpine-vm")  # fmt: skip
    assert server["status"] == "ACTIVE"
    assert osc(me, "image", "set", "--name", "alpine-3", "my-alpine").returncode == 0
    assert osc(me, "image", "delete", "alpine-3").returncode == 0
    assert "alpine-3" not in {i["Name"] for i in osc.json(me, "image", "list")}


def test_a_private_network_behind_a_router(osc: Osc) -> None:
    """What a customer types to give its servers their own network, routed out."""
    me = "commune-member"
    net = osc.json(me, "network", "create", "lan")
    region = net["availability_zones"][0]
    sub = osc.json(me, "subnet", "create", "--network", "lan", "--subnet-range", "10.60.0.0/24",
                   "--allocation-pool", "start=10.60.0.100,end=10.60.0.150",
                   "--dns-nameserver", "9.9.9.9", "lan-v4")  # fmt: skip
    assert (sub["cidr"], sub["gateway_ip"]) == ("10.60.0.0/24", "10.60.0.1")
    twin = osc(me, "subnet", "create", "--network", "lan", "--subnet-range", "10.60.0.128/25",
               "lan-twin")  # fmt: skip
    assert twin.returncode != 0 and "overlaps with another subnet" in twin.stderr
    external = osc.json(me, "network", "list", "--external")
    assert f"provider-{region}" in {n["Name"] for n in external}
    assert osc.json(me, "router", "create", "edge")["name"] == "edge"
    done = osc(me, "router", "set", "--external-gateway", f"provider-{region}", "edge")
    assert done.returncode == 0, done.stderr
    done = osc(me, "router", "add", "subnet", "edge", "lan-v4")
    assert done.returncode == 0, done.stderr
    vip = osc.json(me, "port", "create", "--network", "lan",
                   "--fixed-ip", "subnet=lan-v4,ip-address=10.60.0.120", "db-vip")  # fmt: skip
    assert vip["fixed_ips"][0]["ip_address"] == "10.60.0.120"
    server = osc.json(me, "server", "create", "--flavor", "SCS-1V-2", "--image", "cirros",
                      "--network", "lan", "--wait", "inside")  # fmt: skip
    shown = osc.json(me, "server", "show", server["id"])
    assert shown["addresses"] in ({"lan": ["10.60.0.100"]}, "lan=10.60.0.100")
    floating = osc.json(me, "floating", "ip", "create", f"provider-{region}")
    address = floating["floating_ip_address"]
    done = osc(me, "server", "add", "floating", "ip", "inside", address)
    assert done.returncode == 0, done.stderr
    shown = osc.json(me, "server", "show", "inside")
    assert address in json.dumps(shown["addresses"])
    listed = osc.json(me, "floating", "ip", "list")
    assert [(f["Floating IP Address"], f["Fixed IP Address"]) for f in listed] == [
        (address, "10.60.0.100")
    ]
    assert osc(me, "server", "remove", "floating", "ip", "inside", address).returncode == 0
    assert osc(me, "floating", "ip", "delete", address).returncode == 0
    assert osc.json(me, "floating", "ip", "list") == []
    done = osc(me, "router", "set", "--route", "destination=192.168.0.0/24,gateway=10.60.0.120",
               "edge")  # fmt: skip
    assert done.returncode == 0, done.stderr
    router = osc.json(me, "router", "show", "edge")
    gateway = router["external_gateway_info"]["network_id"]
    assert gateway == next(n["ID"] for n in external if n["Name"] == f"provider-{region}")
    assert router["routes"] in (
        [{"destination": "192.168.0.0/24", "nexthop": "10.60.0.120"}],
        "destination='192.168.0.0/24', gateway='10.60.0.120'",
    )
    in_use = osc(me, "router", "remove", "subnet", "edge", "lan-v4")
    assert in_use.returncode != 0  # the route goes through it
    route = "destination=192.168.0.0/24,gateway=10.60.0.120"
    assert osc(me, "router", "unset", "--route", route, "edge").returncode == 0
    assert osc(me, "router", "remove", "subnet", "edge", "lan-v4").returncode == 0
    assert osc(me, "router", "delete", "edge").returncode == 0
    assert osc(me, "network", "delete", "lan").returncode != 0  # ports are still on it
    assert osc(me, "server", "delete", "--wait", "inside").returncode == 0
    assert osc(me, "port", "delete", "db-vip").returncode == 0
    assert osc(me, "network", "delete", "lan").returncode == 0
    assert "lan" not in {n["Name"] for n in osc.json(me, "network", "list")}


def test_what_later_microversions_give_the_cli(osc: Osc) -> None:
    """The client negotiates 2.79: a description and tags at create (2.19, 2.52), the tag
    filter (2.26), a lock with its reason (2.73), the console log, a crash dump (2.17) and
    the server's events; a server group with a rule (2.64); a running server resized."""
    me = "commune-member"
    made = osc.json(me, "server", "create", "--flavor", "SCS-1V-2", "--image", "debian-12",
                    "--description", "billing db", "--tag", "prod", "--tag", "db",
                    "--wait", "ledger")  # fmt: skip
    shown = osc.json(me, "server", "show", "ledger")
    assert shown["description"] == "billing db" and sorted(shown["tags"]) == ["db", "prod"]
    tagged = osc.json(me, "server", "list", "--tags", "prod")
    assert [s["ID"] for s in tagged] == [made["id"]]
    assert osc.json(me, "server", "list", "--tags", "nope") == []
    done = osc(me, "server", "lock", "--reason", "month-end", "ledger")
    assert done.returncode == 0, done.stderr
    assert osc.json(me, "server", "show", "ledger")["locked_reason"] == "month-end"
    assert osc(me, "server", "unlock", "ledger").returncode == 0
    log = osc(me, "console", "log", "show", "--lines", "1", "ledger")
    assert log.returncode == 0 and log.stdout.strip() == "ledger login:"
    dumped = osc(me, "server", "dump", "create", "ledger")
    assert dumped.returncode == 0, dumped.stderr
    assert "Kernel panic" in osc(me, "console", "log", "show", "ledger").stdout
    events = osc.json(me, "server", "event", "list", "ledger")
    assert {"create", "lock", "unlock", "trigger_crash_dump"} <= {e["Action"] for e in events}
    group = osc.json(me, "server", "group", "create", "--policy", "anti-affinity",
                     "--rule", "max_server_per_host=1", "spread")  # fmt: skip
    assert group["policy"] == "anti-affinity"
    crowded = osc.json(me, "server", "group", "create", "--policy", "anti-affinity",
                       "--rule", "max_server_per_host=3", "crowded")  # fmt: skip
    assert crowded["rules"] == {"max_server_per_host": 3}
    refused = osc(me, "server", "group", "create", "--policy", "affinity",
                  "--rule", "max_server_per_host=3", "crowded-2")  # fmt: skip
    assert refused.returncode != 0 and "anti-affinity only" in refused.stderr
    resized = osc(me, "server", "resize", "--flavor", "SCS-2V-4", "--wait", "ledger")
    assert resized.returncode == 0, resized.stderr  # running: restarted at its new size
    assert osc.json(me, "server", "show", "ledger")["status"] == "VERIFY_RESIZE"
    assert osc(me, "server", "resize", "confirm", "ledger").returncode == 0
    shown = osc.json(me, "server", "show", "ledger")
    assert (shown["status"], shown["flavor"]["original_name"]) == ("ACTIVE", "SCS-2V-4")


def test_a_connection_idle_between_polls_is_kept(service: Service) -> None:
    """The openstack CLI's ``--wait`` reuses its connection after 5 s of silence; the
    server must not close it at that moment (a request sent into a closing connection
    was reset). One connection, two requests 6 s apart, both answered."""
    host, port = service.url.removeprefix("http://").split(":")
    request = f"GET /v1/health HTTP/1.1\r\nHost: {host}\r\n\r\n".encode()
    with socket.create_connection((host, int(port)), timeout=10) as conn:
        conn.sendall(request)
        assert _whole_response(conn).startswith(b"HTTP/1.1 200")
        time.sleep(6)
        conn.sendall(request)
        assert _whole_response(conn).startswith(b"HTTP/1.1 200")


def _whole_response(conn: socket.socket) -> bytes:
    """Headers and body may arrive in separate segments: read up to Content-Length, so
    the second request's answer is not the tail of the first's."""
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = conn.recv(65536)
        assert chunk, f"connection closed after {data!r}"
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    length = next(
        int(line.split(b":", 1)[1])
        for line in head.split(b"\r\n")
        if line.lower().startswith(b"content-length:")
    )
    while len(body) < length:
        chunk = conn.recv(65536)
        assert chunk, f"connection closed in the body {body!r}"
        body += chunk
    return head
