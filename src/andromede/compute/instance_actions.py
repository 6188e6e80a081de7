"""Nova's instance actions, read from the audit log: what was done to a server, by whom,
in which request. Pure: the log's entries in, the actions out."""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from andromede.audit.actions import AuditAction

__all__ = ["ACTIONS", "InstanceAction", "instance_actions"]

# our audit action → Nova's action name (updates such as a rename or metadata are not
# actions in Nova's sense)
ACTIONS: dict[str, str] = {
    AuditAction.SERVER_CREATE: "create",
    AuditAction.SERVER_START: "start",
    AuditAction.SERVER_STOP: "stop",
    AuditAction.SERVER_REBOOT: "reboot",
    AuditAction.SERVER_REBUILD: "rebuild",
    AuditAction.SERVER_RESIZE: "resize",
    AuditAction.SERVER_RESIZE_CONFIRM: "confirmResize",
    AuditAction.SERVER_RESIZE_REVERT: "revertResize",
    AuditAction.SERVER_SNAPSHOT: "createImage",
    AuditAction.SERVER_CRASH_DUMP: "trigger_crash_dump",
    AuditAction.SERVER_LOCK: "lock",
    AuditAction.SERVER_UNLOCK: "unlock",
    AuditAction.SERVER_DELETE: "delete",
}


class Entry(Protocol):
    action: str
    outcome: str
    request_id: str | None
    actor_id: str | None
    at: datetime


@dataclass(frozen=True)
class InstanceAction:
    action: str
    request_id: str
    user_id: str
    start_time: datetime


def instance_actions(entries: Iterable[Entry]) -> list[InstanceAction]:
    """The server's accepted actions, oldest first (refused requests changed nothing)."""
    return [
        InstanceAction(ACTIONS[e.action], e.request_id or "", e.actor_id or "", e.at)
        for e in entries
        if e.action in ACTIONS and e.outcome == "success"
    ]
