"""``andromede volume-type`` and ``storage-pool`` as the operator and a customer type
them: the demo's types and pools, a pool added, grown and disabled; a customer reads the
types and no pool; a bad ratio is one line and exit code 2."""

import json
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.e2e.conftest import LoggedIn, Service, start_service


@pytest.fixture
def lenient(tmp_path: Path) -> Iterator[Service]:
    """The demo with staff MFA optional (its TOTP flow is tested in test_cli.py)."""
    svc = start_service(tmp_path / "svc", ANDROMEDE_STAFF_MFA="optional")
    yield svc
    svc.stop()


def test_the_operator_declares_storage_and_customers_read_the_types(
    lenient: Service, tmp_path: Path
) -> None:
    service = lenient
    admin = LoggedIn(service, tmp_path / "admin.json", user="cmartin", password="e2e-admin-secret")
    pools = json.loads(admin.run("storage-pool", "list", "--region", "fr-rns-1", "-o", "json"))
    assert sorted(p["name"] for p in pools) == ["fr-rns-1a-ceph", "fr-rns-1b-ceph"]
    assert {p["ratio"] for p in pools} == {"1.5"}
    admin.run("volume-type", "create", "archive", "--region", "fr-rns-1")
    made = json.loads(admin.run("storage-pool", "create", "rns-a-hdd", "--zone", "fr-rns-1a",
                                "--backend", "ceph-rbd", "--volume-type", "archive",
                                "--total-gib", "5000", "--ratio", "2", "-o", "json"))  # fmt: skip
    assert (made["region"], made["volume_types"], made["ratio"]) == ("fr-rns-1", ["archive"], "2")
    admin.run("storage-pool", "set", "rns-a-hdd", "--total-gib", "8000", "--disabled")
    shown = json.loads(admin.run("storage-pool", "show", "rns-a-hdd", "-o", "json"))
    assert (shown["total_gib"], shown["enabled"]) == (8000, False)
    for bad in (
        ("storage-pool", "create", "x", "--zone", "fr-rns-1a", "--backend", "b",
         "--volume-type", "archive", "--total-gib", "10", "--ratio", "0.5"),
        ("storage-pool", "set", "rns-a-hdd", "--total-gib", "10"),
        ("volume-type", "list", "-o", "yaml"),
    ):  # fmt: skip
        refused = admin.raw(*bad)
        assert refused.returncode == 2 and len(refused.stderr.strip().splitlines()) == 1, bad

    customer = LoggedIn(service, tmp_path / "customer.json")
    types = json.loads(customer.run("volume-type", "list", "--region", "fr-rns-1", "-o", "json"))
    assert sorted(t["name"] for t in types) == ["archive", "ssd", "ssd-replicated"]
    assert json.loads(customer.run("storage-pool", "list", "-o", "json")) == []
    assert customer.raw("volume-type", "create", "mine", "--region", "fr-rns-1").returncode == 2


def an_active_server(me: LoggedIn) -> str:
    """One of the demo's servers once it is up (the service boots them as it starts)."""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        servers = json.loads(me.run("server", "list", "-o", "json"))
        active = [s["id"] for s in servers if s["status"] == "ACTIVE"]
        if active:
            return str(active[0])
        time.sleep(0.5)
    raise AssertionError(f"no server of the demo came up: {servers}")


def test_a_customer_runs_its_volumes_from_the_command_line(
    lenient: Service, tmp_path: Path
) -> None:
    """commune-member: a volume made, attached, extended, snapshotted, backed up and
    restored, copied into an image, detached, deleted; the operator raises the project's
    quota; a bad size or a volume still attached is one line and exit code 2."""
    me = LoggedIn(lenient, tmp_path / "member.json")
    made = json.loads(me.run("volume", "create", "ledger", "--project", "production",
                             "--size", "4", "-o", "json"))  # fmt: skip
    assert (made["status"], made["region"], made["volume_type"]) == ("available", "fr-rns-1", "ssd")
    server = an_active_server(me)
    attached = json.loads(me.run("volume", "attach", "ledger", "--server", server, "-o", "json"))
    assert attached["device"].startswith("/dev/vd")
    me.run("volume", "extend", "ledger", "--size", "6")
    snap = json.loads(me.run("volume-snapshot", "create", "ledger", "--force", "-o", "json"))
    backup = json.loads(me.run("volume-backup", "create", "ledger", "--force", "-o", "json"))
    assert (snap["size_gib"], backup["backup_store"]) == (6, "fr-rns-1-backup")
    restored = json.loads(me.run("volume-backup", "restore", backup["id"], "--name", "copy",
                                 "-o", "json"))  # fmt: skip
    assert (restored["size_gib"], restored["name"]) == (6, "copy")
    copied = json.loads(me.run("volume", "upload-image", "ledger", "--name", "ledger-img",
                               "--force", "-o", "json"))  # fmt: skip
    assert (copied["status"], copied["region"], copied["disk_format"]) == (
        "active",
        "fr-rns-1",
        "raw",
    )
    assert copied["min_disk_gib"] == 6 and copied["size"] > 0
    for bad in (
        ("volume", "create", "x", "--project", "production", "--size", "0"),
        ("volume", "delete", "ledger"),  # attached
        ("volume", "upload-image", "ledger", "--name", "unforced"),  # attached
        ("volume", "set-quota", "--project", "production", "--limit", "volumes"),
    ):
        refused = me.raw(*bad)
        assert refused.returncode == 2 and len(refused.stderr.strip().splitlines()) == 1, bad
    me.run("volume", "detach", "ledger", "--server", server)
    me.run("volume-snapshot", "delete", snap["id"])
    me.run("volume", "delete", "ledger")
    names = {v["name"] for v in json.loads(me.run("volume", "list", "-o", "json"))}
    assert "ledger" not in names and "copy" in names
    quota = json.loads(me.run("volume", "quota", "--project", "production", "-o", "json"))
    assert quota["limits"]["volumes"] == 20 and quota["in_use"]["backups"] == 1
