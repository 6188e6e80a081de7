"""``andromede server`` for what a customer does when a guest misbehaves: describe the
server, read its serial console, send it a crash dump, read the panic and the reboot; bad
input is a one-line error with exit code 2."""

import json
from pathlib import Path

from tests.e2e.conftest import LoggedIn, Service


def test_a_customer_reads_the_console_and_dumps_a_hung_guest(
    service: Service, tmp_path: Path
) -> None:
    cli = LoggedIn(service, tmp_path / "cli.json")
    run = cli.run

    server = json.loads(run("server", "create", "batch", "--project", "production",
                            "--flavor", "SCS-1V-2", "--image", "debian-12",
                            "--region", "fr-rns-1", "--description", "nightly batch",
                            "--wait", "-o", "json"))  # fmt: skip
    assert server["description"] == "nightly batch"
    described = json.loads(run("server", "set", server["id"], "--description", "", "-o", "json"))
    assert described["description"] is None
    assert run("server", "console", server["id"], "--lines", "1") == "batch login: \n"
    assert "Linux version" in run("server", "console", server["id"])
    dumped = json.loads(run("server", "crash-dump", server["id"], "-o", "json"))
    assert dumped["status"] == "ACTIVE"
    assert "Kernel panic - not syncing: NMI" in run("server", "console", server["id"])
    bad = cli.raw("server", "console", server["id"], "--lines", "-5")
    assert bad.returncode == 2 and len(bad.stderr.strip().splitlines()) == 1
    nothing = cli.raw("server", "set", server["id"])
    assert nothing.returncode == 2 and "nothing to set" in nothing.stderr
    run("server", "stop", server["id"], "--wait")
    refused = cli.raw("server", "crash-dump", server["id"])
    assert refused.returncode == 2 and "vm_state" in refused.stderr
    run("server", "delete", server["id"])
