"""The serial console: Nova's ``length`` (the last N lines, -1 or none for all) and the
simulated hypervisor's log of what its VMs did (boot, reboot, stop, a crash dump)."""

from datetime import UTC, datetime
from pathlib import Path

import pytest

from andromede.compute.console_service import last_lines
from andromede.compute.drivers.base import DriverError, VmSpec
from andromede.compute.drivers.sim import SimDriver
from andromede.kernel.clock import FrozenClock
from andromede.kernel.errors import ValidationFailed

TEXT = "one\ntwo\nthree\n"


def test_length_counts_lines_from_the_end() -> None:
    assert last_lines(TEXT, None) == TEXT
    assert last_lines(TEXT, -1) == TEXT
    assert last_lines(TEXT, "2") == "two\nthree\n"
    assert last_lines(TEXT, 0) == ""
    assert last_lines(TEXT, 10) == TEXT
    for bad in ("x", -2, True, 1.5):
        with pytest.raises(ValidationFailed):
            last_lines(TEXT, bad)


def test_the_sim_keeps_what_its_vms_wrote(tmp_path: Path) -> None:
    sim = SimDriver(tmp_path / "sim.db", FrozenClock(datetime(2026, 12, 4, tzinfo=UTC)))
    sim.create(VmSpec("s1", "ledger", "host-1", 1, 2048, 20, "img"))
    booted = sim.console_output("s1")
    assert "Linux version" in booted and booted.endswith("ledger login: \n")
    sim.get_state("s1")  # built: running
    sim.stop("s1")
    sim.start("s1")
    sim.trigger_crash_dump("s1")
    log = sim.console_output("s1")
    assert log.index("reboot: Power down") < log.index("Kernel panic - not syncing: NMI")
    assert log.count("ledger login:") == 3
    sim.stop("s1")
    with pytest.raises(DriverError):
        sim.trigger_crash_dump("s1")  # a stopped guest takes no interrupt
    sim.delete("s1")
    with pytest.raises(DriverError):
        sim.console_output("s1")
