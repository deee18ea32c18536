"""What each CloudFormation stack status lets provisioning do."""

from __future__ import annotations

import pytest

from deploy.provision.errors import StackStateError
from deploy.provision.gateways import StackState
from deploy.provision.stacks import StackAction, stack_action

NAME = "TextMessaging-dev-Database"


def state(status: str, reason: str = "") -> StackState:
    return StackState(name=NAME, status=status, reason=reason, outputs={})


def test_absent_or_only_reviewed_stacks_are_created_and_settled_ones_compared():
    assert stack_action(None, env="dev", failures=[]) is StackAction.CREATE
    assert stack_action(state("REVIEW_IN_PROGRESS"), env="dev", failures=[]) is StackAction.CREATE
    for status in ("CREATE_COMPLETE", "UPDATE_COMPLETE", "UPDATE_ROLLBACK_COMPLETE"):
        assert stack_action(state(status), env="dev", failures=[]) is StackAction.COMPARE


def test_a_failed_creation_names_its_cause_and_the_way_out():
    failure = "DatabaseInstance (AWS::RDS::DBInstance): Cannot find version 16.4 for postgres"
    with pytest.raises(StackStateError) as error:
        stack_action(state("ROLLBACK_COMPLETE"), env="dev", failures=[failure])
    assert str(error.value) == (
        f"stack {NAME} is ROLLBACK_COMPLETE: its creation failed and nothing in it can be used. Fix the cause "
        f"below, delete it (manage.py teardown --env dev, or aws cloudformation delete-stack --stack-name {NAME}), "
        f"then run provision again\n  | {failure}"
    )


@pytest.mark.parametrize(
    ("status", "advice"),
    [
        ("UPDATE_ROLLBACK_FAILED", "continue-update-rollback"),
        ("DELETE_FAILED", "delete-stack"),
        ("UPDATE_IN_PROGRESS", "Wait for it to end"),
        ("CREATE_IN_PROGRESS", "Wait for it to end"),
    ],
)
def test_a_stack_in_the_middle_of_something_or_stuck_stops_provisioning(status, advice):
    with pytest.raises(StackStateError, match=advice):
        stack_action(state(status, reason="Resource handler returned message"), env="dev", failures=[])
