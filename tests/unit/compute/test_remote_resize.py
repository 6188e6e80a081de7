"""A resize reaches a federated region once the remote server holds still: our resize
restarts the server first, and the remote Nova refuses a resize (409) while it reboots. A
push that met that refusal was crossed off for good, and the remote server kept its old
flavor (seen in a full run)."""

from types import SimpleNamespace
from typing import Any

import pytest

from andromede.compute.drivers.base import DriverUnavailable
from andromede.compute.drivers.openstack import TAG, OpenStackDriver


class RemoteCompute:
    """The part of a remote cloud's compute API a resize uses (openstacksdk's names)."""

    def __init__(self, status: str) -> None:
        self.server = SimpleNamespace(
            id="r-1",
            status=status,
            metadata={TAG: "s-1"},
            flavor=SimpleNamespace(original_name="SCS-1V-2"),
        )
        self.calls: list[str] = []

    def servers(self, name: str) -> list[Any]:
        return [self.server]

    def find_flavor(self, name: str, ignore_missing: bool) -> Any:
        return SimpleNamespace(id=f"id-{name}", name=name)

    def resize_server(self, server: Any, flavor_id: str) -> None:
        self.calls.append(f"resize {flavor_id}")
        server.status = "VERIFY_RESIZE"

    def wait_for_server(self, server: Any, **_: Any) -> Any:
        return server

    def confirm_server_resize(self, server: Any) -> None:
        self.calls.append("confirm")
        server.status, server.flavor.original_name = "ACTIVE", "SCS-2V-4"


def driver_of(compute: RemoteCompute) -> OpenStackDriver:
    return OpenStackDriver(lambda: SimpleNamespace(compute=compute), attempts=1)


@pytest.mark.parametrize("status", ["REBOOT", "HARD_REBOOT", "BUILD"])
def test_a_remote_server_still_restarting_is_resized_at_a_later_push(status: str) -> None:
    remote = RemoteCompute(status)
    with pytest.raises(DriverUnavailable):  # the reconciler keeps the push for its next pass
        driver_of(remote).set_flavor("s-1", "SCS-2V-4")
    assert remote.calls == []
    remote.server.status = "ACTIVE"  # it held still
    driver_of(remote).set_flavor("s-1", "SCS-2V-4")
    assert remote.calls == ["resize id-SCS-2V-4", "confirm"]


def test_a_remote_server_with_the_flavor_already_is_left_alone() -> None:
    remote = RemoteCompute("REBOOT")
    driver_of(remote).set_flavor("s-1", "SCS-1V-2")
    assert remote.calls == []
