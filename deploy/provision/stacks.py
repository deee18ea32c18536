"""What a stack's CloudFormation status allows: create it, compare and maybe update it, or stop and say why.

Statuses as CloudFormation documents them:
https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/view-stack-events.html#cfn-console-view-stack-data-resources-status-codes
"""

from __future__ import annotations

import enum

from deploy.provision.errors import StackStateError
from deploy.provision.gateways import StackState

# The last operation ended and left the stack usable: a deployment may start from here.
SETTLED = frozenset(
    {"CREATE_COMPLETE", "UPDATE_COMPLETE", "UPDATE_ROLLBACK_COMPLETE", "IMPORT_COMPLETE", "IMPORT_ROLLBACK_COMPLETE"}
)
# The creation failed: the stack holds nothing usable and can only be deleted.
FAILED_CREATION = frozenset({"CREATE_FAILED", "ROLLBACK_COMPLETE", "ROLLBACK_FAILED", "ROLLBACK_IN_PROGRESS"})


class StackAction(enum.Enum):
    CREATE = "create"
    COMPARE = "compare"  # exists: `cdk diff` decides between update and nothing


def stack_action(state: StackState | None, *, env: str, failures: list[str]) -> StackAction:
    """Create an absent stack (or one only reviewed, never executed), compare a settled one, refuse the rest."""
    if state is None or state.status == "REVIEW_IN_PROGRESS":
        return StackAction.CREATE
    if state.status in SETTLED:
        return StackAction.COMPARE
    raise StackStateError(stack_state_problem(state, env=env, failures=failures))


def stack_state_problem(state: StackState, *, env: str, failures: list[str]) -> str:
    name, status = state.name, state.status
    why = "".join(f"\n  | {line}" for line in failures) or (f"\n  | {state.reason}" if state.reason else "")
    if status in FAILED_CREATION:
        todo = (
            f"its creation failed and nothing in it can be used. Fix the cause below, delete it "
            f"(manage.py teardown --env {env}, or aws cloudformation delete-stack --stack-name {name}), then run "
            "provision again"
        )
    elif status == "DELETE_FAILED":
        todo = (
            f"its deletion failed. Remove what blocks it (below), then aws cloudformation delete-stack "
            f"--stack-name {name}, and run provision again"
        )
    elif status == "UPDATE_ROLLBACK_FAILED":
        todo = (
            f"an update failed and so did its rollback. Fix the cause below, then aws cloudformation "
            f"continue-update-rollback --stack-name {name}, and run provision again"
        )
    elif status.endswith("_IN_PROGRESS"):
        todo = (
            f"another operation is still running on it. Wait for it to end (aws cloudformation describe-stacks "
            f"--stack-name {name}), then run provision again"
        )
    else:
        todo = "provision does not know how to go on from there; see the stack's events in the console"
    return f"stack {name} is {status}: {todo}{why}"
