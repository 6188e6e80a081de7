"""Instance actions from the audit log: accepted actions only, Nova's names, in order."""

from dataclasses import dataclass
from datetime import UTC, datetime

from andromede.audit.actions import AuditAction
from andromede.compute.instance_actions import InstanceAction, instance_actions

T = datetime(2026, 12, 4, tzinfo=UTC)


@dataclass
class Entry:
    action: str
    outcome: str = "success"
    request_id: str | None = "req-1"
    actor_id: str | None = "u1"
    at: datetime = T


def test_accepted_actions_with_novas_names() -> None:
    entries = [
        Entry(AuditAction.SERVER_CREATE),
        Entry(AuditAction.SERVER_UPDATE),  # a rename: not an action
        Entry(AuditAction.SERVER_STOP, outcome="refused: locked"),
        Entry(AuditAction.SERVER_REBOOT, request_id="req-2", actor_id=None),
        Entry(AuditAction.SERVER_OBSERVED_ACTIVE, actor_id=None),
    ]
    assert instance_actions(entries) == [
        InstanceAction("create", "req-1", "u1", T),
        InstanceAction("reboot", "req-2", "", T),
    ]
