"""``andromede security-group`` and a server's groups, as a customer types them; the
server then rebuilt from another image; an own image uploaded, downloaded, deleted."""

import json
import os
from pathlib import Path

from tests.e2e.conftest import LoggedIn, Service


def test_a_customer_opens_ssh_to_its_servers(service: Service, tmp_path: Path) -> None:
    cli = LoggedIn(service, tmp_path / "cli.json")
    run = cli.run

    made = json.loads(run("security-group", "create", "admin-ssh", "--project", "production",
                          "--description", "the admins' network", "-o", "json"))  # fmt: skip
    assert made["name"] == "admin-ssh" and len(made["rules"]) == 2
    rule = json.loads(run("security-group", "rule-add", "admin-ssh", "--protocol", "tcp",
                          "--port", "22", "--remote-ip", "203.0.113.0/24",
                          "-o", "json"))  # fmt: skip
    assert (rule["port_range_min"], rule["port_range_max"]) == (22, 22)
    shown = run("security-group", "show", "admin-ssh")
    assert "203.0.113.0/24" in shown and "tcp" in shown
    bad = cli.raw("security-group", "rule-add", "admin-ssh", "--protocol", "tcp",
                      "--port", "22", "--remote-ip", "2001:db8::/32")  # fmt: skip
    assert bad.returncode == 2 and len(bad.stderr.strip().splitlines()) == 1
    bad_port = cli.raw("security-group", "rule-add", "admin-ssh", "--port", "ssh")  # fmt: skip
    assert bad_port.returncode == 2 and "--port" in bad_port.stderr
    server = json.loads(run("server", "create", "jump", "--project", "production",
                            "--flavor", "SCS-1V-2", "--image", "debian-12",
                            "--region", "fr-rns-1", "--security-group", "admin-ssh",
                            "--wait", "-o", "json"))  # fmt: skip
    detail = json.loads(run("server", "show", server["id"], "-o", "json"))
    assert detail["security_groups"] == ["admin-ssh"]
    run("server", "add-security-group", server["id"], "default")
    detail = json.loads(run("server", "show", server["id"], "-o", "json"))
    assert detail["security_groups"] == ["admin-ssh", "default"]
    in_use = cli.raw("security-group", "delete", "admin-ssh")
    assert in_use.returncode == 2 and "in use" in in_use.stderr
    rebuilt = json.loads(run("server", "rebuild", server["id"], "--image", "cirros", "--wait",
                             "-o", "json"))  # fmt: skip
    assert rebuilt["status"] == "ACTIVE" and rebuilt["id"] == server["id"]
    assert rebuilt["image_id"] != server["image_id"]
    bad = cli.raw("server", "rebuild", server["id"], "--image", "nope")
    assert bad.returncode == 2 and "image" in bad.stderr
    run("server", "remove-security-group", server["id"], "admin-ssh")
    run("security-group", "rule-delete", rule["id"])
    run("security-group", "delete", "admin-ssh")
    listed = json.loads(run("security-group", "list", "--project", "production", "-o", "json"))
    assert [g["name"] for g in listed] == ["default"]


def test_a_customer_uploads_and_downloads_its_image(service: Service, tmp_path: Path) -> None:
    cli = LoggedIn(service, tmp_path / "cli.json")
    disk = tmp_path / "disk.qcow2"
    disk.write_bytes(os.urandom(3 * 1024 * 1024 + 5))
    made = cli.raw("image", "upload", str(disk), "--name", "golden", "--project",
                       "production", "--property", "os_distro=debian", "-o", "json")  # fmt: skip
    assert made.returncode == 0, made.stderr
    image = json.loads(made.stdout)
    assert image["status"] == "active" and image["size"] == disk.stat().st_size
    own = json.loads(cli.run("image", "own", "--project", "production", "-o", "json"))
    assert image["id"] in {i["id"] for i in own}
    back = tmp_path / "back.qcow2"
    got = cli.raw("image", "download", image["id"], "--file", str(back))
    assert got.returncode == 0, got.stderr
    assert back.read_bytes() == disk.read_bytes()
    bad = cli.raw("image", "upload", str(disk), "--name", "x", "--project", "production",
                      "--property", "novalue")  # fmt: skip
    assert bad.returncode == 2 and "--property" in bad.stderr
    gone = cli.raw("image", "delete", image["id"])
    assert gone.returncode == 0, gone.stderr
    missing = cli.raw("image", "download", image["id"], "--file", str(back))
    assert missing.returncode == 2


def test_a_customer_spreads_servers_with_a_server_group(service: Service, tmp_path: Path) -> None:
    cli = LoggedIn(service, tmp_path / "cli.json")
    run = cli.run
    made = json.loads(run("server-group", "create", "web-tier", "--project", "production",
                          "--policy", "anti-affinity", "--max-per-host", "2",
                          "-o", "json"))  # fmt: skip
    assert (made["policy"], made["max_per_host"]) == ("anti-affinity", 2)
    server = json.loads(run("server", "create", "web-1", "--project", "production",
                            "--flavor", "SCS-1V-2", "--image", "debian-12",
                            "--region", "fr-rns-1", "--server-group", "web-tier",
                            "-o", "json"))  # fmt: skip
    shown = json.loads(run("server-group", "show", "web-tier", "-o", "json"))
    assert shown["members"] == [server["id"]]
    listed = run("server-group", "list", "--project", "production")
    assert "web-tier" in listed and "anti-affinity" in listed
    for bad in (
        ("server-group", "create", "x", "--project", "production", "--policy", "affinity",
         "--max-per-host", "2"),
        ("server-group", "create", "x", "--project", "production", "--policy", "near"),
        ("server-group", "list", "-o", "yaml"),
        ("server-group", "show", "no-such-group"),
    ):  # fmt: skip
        refused = cli.raw(*bad)
        assert refused.returncode == 2 and len(refused.stderr.strip().splitlines()) == 1, bad
    run("server", "delete", server["id"], "--wait")
    assert "deleted" in run("server-group", "delete", "web-tier")
    assert "web-tier" not in run("server-group", "list")
