"""Server states (OpenStack values), the actions a user may take in each, and the next step
the reconciler must take to move the observed state toward the desired one."""

from dataclasses import dataclass
from enum import StrEnum

from andromede.kernel.errors import InvalidState

__all__ = ["Action", "DriverState", "Status", "Step", "apply_action", "next_step"]


class Status(StrEnum):
    BUILD = "BUILD"
    ACTIVE = "ACTIVE"
    SHUTOFF = "SHUTOFF"
    REBOOT = "REBOOT"
    REBUILD = "REBUILD"
    ERROR = "ERROR"
    DELETED = "DELETED"


class Action(StrEnum):
    START = "start"
    STOP = "stop"
    REBOOT = "reboot"
    REBUILD = "rebuild"
    DELETE = "delete"


class DriverState(StrEnum):
    ABSENT = "absent"
    BUILDING = "building"
    RUNNING = "running"
    STOPPED = "stopped"
    ERROR = "error"


class Step(StrEnum):
    CREATE = "create"
    START = "start"
    STOP = "stop"
    REBOOT = "reboot"
    REBUILD = "rebuild"
    DELETE = "delete"
    NONE = "none"


@dataclass(frozen=True)
class Intent:
    """What an accepted action changes: the desired state and, for reboot, the status."""

    desired: Status
    status: Status


def apply_action(action: Action, status: Status, desired: Status) -> Intent:
    """Nova's rules: an action needs a settled server in the right state, except delete."""
    if status is Status.DELETED or desired is Status.DELETED:
        raise InvalidState(f"cannot {action} a server that is being deleted")
    if action is Action.DELETE:
        return Intent(Status.DELETED, status)
    settled = status is desired
    if action is Action.START and settled and status is Status.SHUTOFF:
        return Intent(Status.ACTIVE, status)
    if action is Action.STOP and settled and status is Status.ACTIVE:
        return Intent(Status.SHUTOFF, status)
    if action is Action.REBOOT and settled and status is Status.ACTIVE:
        return Intent(Status.ACTIVE, Status.REBOOT)
    if action is Action.REBUILD and settled and status in (Status.ACTIVE, Status.SHUTOFF):
        return Intent(status, Status.REBUILD)  # as Nova, a stopped server is stopped after
    raise InvalidState(
        f"cannot {action} a server while it is {status.value.lower()}"
        + ("" if settled else f" (moving to {desired.value.lower()})")
    )


def next_step(status: Status, desired: Status) -> Step:
    if desired is Status.DELETED:
        return Step.NONE if status is Status.DELETED else Step.DELETE
    if status is Status.BUILD:
        return Step.CREATE
    if status is Status.REBOOT:
        return Step.REBOOT
    if status is Status.REBUILD:
        return Step.REBUILD
    if status is Status.ACTIVE and desired is Status.SHUTOFF:
        return Step.STOP
    if status is Status.SHUTOFF and desired is Status.ACTIVE:
        return Step.START
    return Step.NONE
