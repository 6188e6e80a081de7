"""Block storage with the real openstack CLI against ``andromede serve`` (demo data, its
``ssd`` types and Ceph-like pools): a volume made, attached, extended while attached,
snapshotted, backed up, restored, cloned from its snapshot, detached, deleted under
Cinder's rules; a server booted from a volume, its volume copied into an image; the volume
quotas as the CLI shows them."""

from tests.e2e.test_openstack_clients import Osc, osc  # noqa: F401  (the fixture)

ME = "commune-member"


def test_a_customer_keeps_its_data_on_volumes(osc: Osc) -> None:  # noqa: F811
    made = osc.json(ME, "volume", "create", "--size", "5", "pgdata")
    assert (made["status"], made["size"], made["type"]) == ("available", 5, "ssd")
    assert made["availability_zone"].startswith("fr-rns-1")  # the commune's residency
    assert {"ssd", "ssd-replicated"} <= {t["Name"] for t in osc.json(ME, "volume", "type", "list")}
    booted = osc(ME, "server", "create", "--flavor", "SCS-2V-4-20s", "--image", "cirros",
                 "--wait", "db")  # fmt: skip
    assert booted.returncode == 0, booted.stderr
    assert osc(ME, "server", "add", "volume", "db", "pgdata").returncode == 0
    shown = osc.json(ME, "volume", "show", "pgdata")
    assert shown["status"] == "in-use"
    assert [a["device"] for a in shown["attachments"]] == ["/dev/vdb"]
    attached = osc.json(ME, "server", "volume", "list", "db")
    assert [(a["Device"], a["Volume ID"]) for a in attached] == [("/dev/vdb", made["id"])]

    assert osc(ME, "volume", "set", "--size", "8", "pgdata").returncode == 0  # online
    assert osc.json(ME, "volume", "show", "pgdata")["size"] == 8
    snap = osc.json(ME, "volume", "snapshot", "create", "--volume", "pgdata", "--force", "nightly")
    assert (snap["status"], snap["size"]) == ("available", 8)
    backup = osc.json(ME, "volume", "backup", "create", "--force", "--name", "weekly", "pgdata")
    assert osc.json(ME, "volume", "backup", "show", backup["id"])["status"] == "available"
    restored = osc.json(ME, "volume", "backup", "restore", "weekly", "restored")
    assert osc.json(ME, "volume", "show", restored["volume_id"])["size"] == 8
    clone = osc.json(ME, "volume", "create", "--snapshot", "nightly", "--size", "9", "clone")
    assert (clone["status"], clone["size"], clone["snapshot_id"]) == ("available", 9, snap["id"])

    assert osc(ME, "server", "remove", "volume", "db", "pgdata").returncode == 0
    assert osc.json(ME, "volume", "show", "pgdata")["status"] == "available"
    refused = osc(ME, "volume", "delete", "pgdata")
    assert refused.returncode != 0 and "snapshot" in refused.stderr
    assert osc(ME, "volume", "snapshot", "delete", "nightly").returncode == 0
    assert osc(ME, "volume", "delete", "pgdata").returncode == 0
    names = {v["Name"] for v in osc.json(ME, "volume", "list")}
    assert "pgdata" not in names and {"restored", "clone"} <= names


def test_a_server_boots_from_a_volume_that_outlives_it(osc: Osc) -> None:  # noqa: F811
    booted = osc(ME, "server", "create", "--flavor", "SCS-2V-4", "--image", "cirros",
                 "--boot-from-volume", "10", "--wait", "bfv")  # fmt: skip
    assert booted.returncode == 0, booted.stderr
    (root,) = osc.json(ME, "server", "show", "bfv")["volumes_attached"]
    volume = osc.json(ME, "volume", "show", root["id"])
    assert (volume["size"], volume["status"], volume["bootable"]) == (10, "in-use", True)
    assert osc(ME, "server", "delete", "--wait", "bfv").returncode == 0
    assert osc.json(ME, "volume", "show", root["id"])["status"] == "available"  # Nova's default
    copied = osc(ME, "image", "create", "--volume", root["id"], "bfv-image")
    assert copied.returncode == 0, copied.stderr
    image = osc.json(ME, "image", "show", "bfv-image")
    assert (image["status"], image["min_disk"], image["visibility"]) == ("active", 10, "private")

    limits = {row["Name"]: row["Value"] for row in osc.json(ME, "limits", "show", "--absolute")}
    assert limits["max_total_volumes"] == 20 and limits["total_volumes_used"] >= 1
