"""API calls become the IAM authorizations AWS documents for them, parameter-dependent ones included."""

import pytest

from tests.support.iam_policy import Request
from tests.support.iam_requests import Account, UnmodelledOperationError, api_requests, ecr_push_requests

ACCOUNT = Account(account="123456789012", region="ap-northeast-1", deployment_group_of=lambda _: "app/dg")
GROUP = "arn:aws:codedeploy:ap-northeast-1:123456789012:deploymentgroup:app/dg"


def test_create_deployment_overriding_alarms_also_needs_update_deployment_group():
    params = {"applicationName": "app", "deploymentGroupName": "dg"}
    assert api_requests(ACCOUNT, "codedeploy", "CreateDeployment", params) == [
        Request("codedeploy:CreateDeployment", GROUP)
    ]
    overriding = params | {"overrideAlarmConfiguration": {"enabled": True, "alarms": []}}
    assert [r.action for r in api_requests(ACCOUNT, "codedeploy", "CreateDeployment", overriding)] == [
        "codedeploy:CreateDeployment",
        "codedeploy:UpdateDeploymentGroup",
    ]


def test_registering_a_task_definition_with_roles_passes_each_role_to_ecs_tasks():
    params = {
        "family": "app",
        "taskRoleArn": "arn:aws:iam::123456789012:role/task",
        "executionRoleArn": "arn:aws:iam::123456789012:role/execution",
        "tags": [{"key": "project", "value": "x"}],
    }
    requests = api_requests(ACCOUNT, "ecs", "RegisterTaskDefinition", params)
    passed = [(r.resource, r.context) for r in requests if r.action == "iam:PassRole"]
    assert passed == [
        ("arn:aws:iam::123456789012:role/task", {"iam:PassedToService": "ecs-tasks.amazonaws.com"}),
        ("arn:aws:iam::123456789012:role/execution", {"iam:PassedToService": "ecs-tasks.amazonaws.com"}),
    ]
    assert (
        Request(
            "ecs:TagResource",
            "arn:aws:ecs:ap-northeast-1:123456789012:task-definition/app:*",
            {"ecs:CreateAction": "RegisterTaskDefinition"},
            reason="tags on create",
        )
        in requests
    )


def test_actions_on_a_deployment_are_authorized_on_its_group():
    assert api_requests(ACCOUNT, "codedeploy", "GetDeployment", {"deploymentId": "d-1"}) == [
        Request("codedeploy:GetDeployment", GROUP)
    ]


def test_run_task_names_the_revision_and_the_cluster():
    (request,) = api_requests(ACCOUNT, "ecs", "RunTask", {"cluster": "c", "taskDefinition": "app:3"})
    assert request.resource == "arn:aws:ecs:ap-northeast-1:123456789012:task-definition/app:3"
    assert request.context == {"ecs:cluster": "arn:aws:ecs:ap-northeast-1:123456789012:cluster/c"}


def test_an_image_push_needs_batch_get_image():
    actions = [r.action for r in ecr_push_requests(ACCOUNT, "repo")]
    assert "ecr:BatchGetImage" in actions
    assert "ecr:PutImage" in actions


def test_an_operation_without_a_modelled_authorization_is_refused():
    with pytest.raises(UnmodelledOperationError):
        api_requests(ACCOUNT, "ecs", "DeleteService", {})
