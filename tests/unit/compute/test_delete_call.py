"""A remote cloud may finish deleting a VM between the delete and the look that follows:
the reconciler then calls delete once more, so the driver tidies what it keeps beside the
VM (the ports a remote cloud keeps) instead of leaving them behind."""

from andromede.compute.drivers.base import VmStatus
from andromede.compute.lifecycle import DriverState, Status, Step
from andromede.compute.reconciler import Intent, _call


class FastRemote:
    """A cloud that deletes at once and keeps the ports it was given until told."""

    def __init__(self) -> None:
        self.vm, self.ports = True, {"andromede-s1-p1"}

    def delete(self, server_id: str) -> None:
        if self.vm:
            self.vm = False  # gone before anyone looks again
        else:
            self.ports.clear()

    def get_state(self, server_id: str) -> VmStatus:
        return VmStatus(DriverState.RUNNING if self.vm else DriverState.ABSENT)


def test_a_vm_gone_at_once_leaves_nothing_behind() -> None:
    remote = FastRemote()
    intent = Intent("s1", "fr-rns-1", Step.DELETE, Status.ACTIVE, Status.DELETED, False, None)
    outcome = _call(remote, intent)  # type: ignore[arg-type]  # the two verbs a delete uses
    assert outcome.status is Status.DELETED
    assert (remote.vm, remote.ports) == (False, set())
