import pytest

from andromede.compute.lifecycle import Action, Status, Step, apply_action, next_step
from andromede.kernel.errors import InvalidState

A, S, B, R, E, D, RB = (
    Status.ACTIVE,
    Status.SHUTOFF,
    Status.BUILD,
    Status.REBOOT,
    Status.ERROR,
    Status.DELETED,
    Status.REBUILD,
)


@pytest.mark.parametrize(
    ("action", "status", "desired", "want_desired", "want_status"),
    [
        (Action.STOP, A, A, S, A),
        (Action.START, S, S, A, S),
        (Action.REBOOT, A, A, A, R),
        (Action.DELETE, B, A, D, B),
        (Action.DELETE, E, A, D, E),
        (Action.DELETE, S, S, D, S),
        (Action.REBUILD, A, A, A, RB),
        (Action.REBUILD, S, S, S, RB),  # stopped again after
        (Action.DELETE, RB, A, D, RB),
    ],
)
def test_accepted_actions(
    action: Action, status: Status, desired: Status, want_desired: Status, want_status: Status
) -> None:
    intent = apply_action(action, status, desired)
    assert (intent.desired, intent.status) == (want_desired, want_status)


@pytest.mark.parametrize(
    ("action", "status", "desired"),
    [
        (Action.START, A, A),
        (Action.STOP, S, S),
        (Action.REBOOT, S, S),
        (Action.STOP, B, A),
        (Action.START, A, S),
        (Action.REBOOT, E, A),
        (Action.DELETE, D, D),
        (Action.DELETE, A, D),
        (Action.STOP, R, A),
        (Action.REBUILD, B, A),
        (Action.REBUILD, A, S),
        (Action.REBUILD, RB, A),
        (Action.REBUILD, E, A),
        (Action.STOP, RB, A),
    ],
)
def test_refused_actions(action: Action, status: Status, desired: Status) -> None:
    with pytest.raises(InvalidState):
        apply_action(action, status, desired)


@pytest.mark.parametrize(
    ("status", "desired", "step"),
    [
        (B, A, Step.CREATE),
        (A, S, Step.STOP),
        (S, A, Step.START),
        (R, A, Step.REBOOT),
        (RB, A, Step.REBUILD),
        (RB, S, Step.REBUILD),
        (RB, D, Step.DELETE),
        (A, D, Step.DELETE),
        (E, D, Step.DELETE),
        (B, D, Step.DELETE),
        (A, A, Step.NONE),
        (D, D, Step.NONE),
        (E, A, Step.NONE),
    ],
)
def test_next_reconciler_step(status: Status, desired: Status, step: Step) -> None:
    assert next_step(status, desired) == step
