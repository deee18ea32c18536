"""The operator policy: one managed policy per environment, holding what the runbook commands call, attached
to nobody by the stacks (an administrator attaches it to people); and the task role's ECS Exec channels."""

from tests.deploy.infra.conftest import resources_of

RUNBOOK_ACTIONS = {
    "cloudformation:DescribeStacks",
    "ecs:DescribeServices",
    "ecs:ListTasks",
    "ecs:DescribeTasks",
    "ecs:StopTask",
    "ecs:ExecuteCommand",
    "ecs:DescribeTaskDefinition",
    "ecs:RunTask",
    "iam:PassRole",
    "logs:FilterLogEvents",
    "logs:GetLogEvents",
    "codedeploy:ListDeployments",
    "codedeploy:BatchGetDeployments",
    "codedeploy:GetDeployment",
    "codedeploy:ListDeploymentTargets",
    "codedeploy:BatchGetDeploymentTargets",
    "elasticloadbalancing:Describe*",
    "cloudwatch:DescribeAlarms",
    "ssm:StartSession",
}


def operator_policy(service) -> dict:
    (policy,) = resources_of(service, "AWS::IAM::ManagedPolicy").values()
    return policy["Properties"]


def test_one_operator_policy_named_for_the_environment_and_attached_to_nobody(service, config):
    policy = operator_policy(service)
    assert policy["ManagedPolicyName"] == f"TextMessaging-{config.name}-Operator"
    assert not {"Roles", "Users", "Groups"} & set(policy)


def test_operator_policy_grants_exactly_what_the_runbook_calls(service):
    actions = set()
    for statement in operator_policy(service)["PolicyDocument"]["Statement"]:
        assert statement["Effect"] == "Allow"
        actions.update([statement["Action"]] if isinstance(statement["Action"], str) else statement["Action"])
    assert actions == RUNBOOK_ACTIONS


def test_the_task_role_opens_the_ecs_exec_channels(service):
    task_role = next(k for k in resources_of(service, "AWS::IAM::Role") if k.startswith("WebServiceTaskRole"))
    (policy,) = [
        p["Properties"]["PolicyDocument"]
        for p in resources_of(service, "AWS::IAM::Policy").values()
        if {"Ref": task_role} in p["Properties"]["Roles"]
    ]
    (statement,) = policy["Statement"]
    assert set(statement["Action"]) == {
        "ssmmessages:CreateControlChannel",
        "ssmmessages:CreateDataChannel",
        "ssmmessages:OpenControlChannel",
        "ssmmessages:OpenDataChannel",
    }
