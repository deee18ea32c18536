"""Releases run under the deploy role's own policy, read from the synthesized template: a permission taken
from it fails the release with AccessDenied at the step that needs it."""

import pytest

from tests.deploy.bluegreen.conftest import GREEN_RELEASE
from tests.deploy.bluegreen.stacks import IMAGE_REPOSITORY, MIGRATION_EXECUTION_ROLE_ARN
from tests.support.iam_policy import without_action, without_resource

IMAGE = f"{IMAGE_REPOSITORY}:{GREEN_RELEASE}"


@pytest.mark.parametrize(
    ("action", "failing_step", "writes"),
    [
        # RegisterTaskDefinition with the task and execution roles passes them: before anything is changed.
        ("iam:PassRole", "Registering the new task definition revision", []),
        # A release registers the service's revision and the migration family's (ADR 0019), then runs the
        # migrations; CreateDeployment with overrideAlarmConfiguration is authorized as an update of the group too.
        (
            "codedeploy:UpdateDeploymentGroup",
            "Creating the CodeDeploy deployment",
            ["RegisterTaskDefinition", "RegisterTaskDefinition", "RunTask"],
        ),
        # Green cannot be validated without opening the test listener: the deployment is stopped and rolled back.
        (
            "ec2:AuthorizeSecurityGroupIngress",
            "Stopping deployment",
            ["RegisterTaskDefinition", "RegisterTaskDefinition", "RunTask", "CreateDeployment", "StopDeployment"],
        ),
    ],
)
def test_a_permission_taken_from_the_role_fails_the_release_with_access_denied_at_its_step(
    account, action, failing_step, writes
):
    account.proxy.policy = without_action(account.proxy.policy, action)

    result = account.run("--image", IMAGE)

    assert result.returncode == 1
    assert [refused.action for _, refused in account.proxy.denials] == [action]
    assert f"is not authorized to perform: {action}" in result.stdout + result.stderr
    assert failing_step in result.stdout
    assert account.proxy.writes() == writes


def test_a_role_that_cannot_pass_the_migration_tasks_execution_role_fails_before_the_migrations(account):
    # The migration family's execution role is its own (it alone reads the master secret): passing the
    # service's roles is not enough to register the migration revision.
    account.proxy.policy = without_resource(account.proxy.policy, "iam:PassRole", MIGRATION_EXECUTION_ROLE_ARN)

    result = account.run("--image", IMAGE)

    assert result.returncode == 1
    assert [(refused.action, refused.resource) for _, refused in account.proxy.denials] == [
        ("iam:PassRole", MIGRATION_EXECUTION_ROLE_ARN)
    ]
    assert "is not authorized to perform: iam:PassRole" in result.stdout + result.stderr
    assert "Running database migrations" not in result.stdout
    assert account.proxy.writes() == ["RegisterTaskDefinition"]
