"""The GitHub OIDC provider and deploy role: who may assume it and exactly what it may do."""

import fnmatch

from deploy.bluegreen.worst_case import release_worst_case_minutes
from deploy.config import StackPart
from tests.deploy.deploy_role import AccountResources, deploy_role_policy
from tests.deploy.infra.conftest import _template
from tests.support.iam_policy import Request, first_denied
from tests.support.iam_requests import Account, api_requests, ecr_push_requests

ACCOUNT = "123456789012"
RESOURCES = AccountResources(
    account=ACCOUNT,
    alb_security_group="sg-0alb",
    execution_role_arn=f"arn:aws:iam::{ACCOUNT}:role/execution",
    task_role_arn=f"arn:aws:iam::{ACCOUNT}:role/task",
    migration_execution_role_arn=f"arn:aws:iam::{ACCOUNT}:role/migration-execution",
)


def role(github) -> dict:
    (resource,) = github.find_resources("AWS::IAM::Role").values()
    return resource["Properties"]


def statements(github) -> list[dict]:
    (policy,) = github.find_resources("AWS::IAM::Policy").values()
    return policy["Properties"]["PolicyDocument"]["Statement"]


def actions(github) -> set[str]:
    found = set()
    for statement in statements(github):
        found.update([statement["Action"]] if isinstance(statement["Action"], str) else statement["Action"])
    return found


def test_oidc_provider_for_github_with_the_sts_audience(github):
    github.has_resource_properties(
        "AWS::IAM::OIDCProvider",
        {"Url": "https://token.actions.githubusercontent.com", "ClientIdList": ["sts.amazonaws.com"]},
    )


def test_trusted_only_by_the_repositorys_environment_never_by_a_branch(github, config):
    (trust,) = role(github)["AssumeRolePolicyDocument"]["Statement"]
    assert trust["Action"] == "sts:AssumeRoleWithWebIdentity"
    repo = config.github_repository
    assert trust["Condition"] == {
        "StringEquals": {
            "token.actions.githubusercontent.com:aud": "sts.amazonaws.com",
            "token.actions.githubusercontent.com:sub": [f"repo:{repo}:environment:{config.name}"],
        }
    }


def test_permissions_are_exactly_what_a_release_does(github):
    assert actions(github) == {
        "ecr:GetAuthorizationToken",
        "ecr:BatchCheckLayerAvailability",
        "ecr:CompleteLayerUpload",
        "ecr:InitiateLayerUpload",
        "ecr:PutImage",
        "ecr:UploadLayerPart",
        "ecr:BatchGetImage",
        "ecr:DescribeImages",
        "ecs:DescribeServices",
        "ecs:DescribeTaskDefinition",
        "ecs:RegisterTaskDefinition",
        "ecs:ListTaskDefinitions",
        "ecs:TagResource",
        "ecs:RunTask",
        "ecs:DescribeTasks",
        "ecs:StopTask",
        "iam:PassRole",
        "codedeploy:CreateDeployment",
        "codedeploy:GetDeployment",
        "codedeploy:ContinueDeployment",
        "codedeploy:StopDeployment",
        "codedeploy:ListDeployments",
        "codedeploy:BatchGetDeployments",
        "codedeploy:GetDeploymentGroup",
        "codedeploy:ListDeploymentTargets",
        "codedeploy:BatchGetDeploymentTargets",
        "codedeploy:GetDeploymentConfig",
        "codedeploy:UpdateDeploymentGroup",
        "codedeploy:GetApplicationRevision",
        "codedeploy:RegisterApplicationRevision",
        "cloudformation:DescribeStacks",
        "logs:GetLogEvents",
        "logs:FilterLogEvents",
        "elasticloadbalancing:Describe*",
        "ec2:AuthorizeSecurityGroupIngress",
        "ec2:RevokeSecurityGroupIngress",
        "ec2:DescribeSecurityGroupRules",
    }


def test_push_is_limited_to_this_environments_repository(github, env):
    push = next(s for s in statements(github) if "ecr:PutImage" in s["Action"])
    assert push["Resource"]["Fn::ImportValue"].startswith(f"TextMessaging-{env}-ECR:")
    assert "RepositoryArn" in push["Resource"]["Fn::ImportValue"]


def test_pass_role_is_limited_to_the_task_roles(github, env):
    pass_role = next(s for s in statements(github) if s["Action"] == "iam:PassRole")
    imports = [r["Fn::ImportValue"] for r in pass_role["Resource"]]
    # The service's execution and task roles, and the migration task's execution role.
    assert len(imports) == 3
    assert any("WebServiceExecutionRole" in i for i in imports)
    assert any("MigrationTaskExecutionRole" in i for i in imports)
    assert any("TaskRole" in i for i in imports)
    assert pass_role["Condition"] == {"StringEquals": {"iam:PassedToService": "ecs-tasks.amazonaws.com"}}
    service = _template(env, StackPart.SERVICE)
    assert (
        len(
            service.find_resources(
                "AWS::IAM::Role",
                {
                    "Properties": {
                        "AssumeRolePolicyDocument": {
                            "Statement": [{"Principal": {"Service": "ecs-tasks.amazonaws.com"}}]
                        }
                    }
                },
            )
        )
        >= 2
    )


def test_deployments_are_limited_to_this_deployment_group(github, config):
    deploy = next(s for s in statements(github) if "codedeploy:ContinueDeployment" in s["Action"])
    arn = "".join(p if isinstance(p, str) else "" for p in deploy["Resource"]["Fn::Join"][1])
    assert arn.endswith(f":deploymentgroup:text-messaging-{config.name}/text-messaging-{config.name}-dg")


def test_only_actions_without_resource_level_permissions_use_a_wildcard(github):
    wildcard = set()
    for statement in statements(github):
        if statement["Resource"] == "*":
            wildcard.update([statement["Action"]] if isinstance(statement["Action"], str) else statement["Action"])
    assert wildcard == {
        "ecr:GetAuthorizationToken",
        "ecs:DescribeTaskDefinition",
        "ecs:RegisterTaskDefinition",
        "ecs:ListTaskDefinitions",
        "elasticloadbalancing:Describe*",
        "ec2:DescribeSecurityGroupRules",
    }


# boto3's client name where IAM's action prefix differs.
IAM_PREFIXES = {"elbv2": "elasticloadbalancing"}


def aws_calls_of_bluegreen_deploy() -> set[str]:
    """Every AWS operation the deploy command's gateways call, as IAM actions (``ecs:RunTask``)."""
    import ast
    import inspect

    import boto3

    from deploy.bluegreen import gateways

    found = set()
    for node in ast.walk(ast.parse(inspect.getsource(gateways))):
        if not isinstance(node, ast.ClassDef):
            continue
        label = next(
            (a.value.value for a in node.body if isinstance(a, ast.Assign) and a.targets[0].id == "label"), None
        )
        calls = [
            c.args[0].value
            for c in ast.walk(node)
            if isinstance(c, ast.Call) and getattr(c.func, "attr", None) == "_call" and c.args
        ]
        if label and calls:
            mapping = boto3.client(label, region_name="ap-northeast-1").meta.method_to_api_mapping
            prefix = IAM_PREFIXES.get(label, label)
            found.update(f"{prefix}:{mapping[call]}" for call in calls)
    return found


def test_role_grants_every_call_the_deploy_command_makes(github):
    calls = aws_calls_of_bluegreen_deploy()
    granted = actions(github)

    assert len(calls) >= 15
    assert {call for call in calls if not any(fnmatch.fnmatchcase(call, action) for action in granted)} == set()


def test_test_listener_rules_are_written_only_on_the_alb_security_group(github):
    (opening,) = [s for s in statements(github) if "ec2:AuthorizeSecurityGroupIngress" in s["Action"]]
    assert sorted(opening["Action"]) == ["ec2:AuthorizeSecurityGroupIngress", "ec2:RevokeSecurityGroupIngress"]
    parts = opening["Resource"]["Fn::Join"][1]
    assert parts[-2].endswith(":security-group/")
    # The group's ID comes from the Network stack, where the ALB's security group is made.
    (imported,) = [part for part in parts if isinstance(part, dict) and "Fn::ImportValue" in part]
    assert "AlbSecurityGroup" in imported["Fn::ImportValue"]


def as_account(config) -> Account:
    group = f"{config.codedeploy_application_name}/{config.deployment_group_name}"
    return Account(account=ACCOUNT, region=config.region, deployment_group_of=lambda _: group)


def test_the_role_may_create_a_deployment_that_overrides_the_groups_alarms(env, config):
    # CreateDeployment with overrideAlarmConfiguration is also authorized as codedeploy:UpdateDeploymentGroup.
    params = {
        "applicationName": config.codedeploy_application_name,
        "deploymentGroupName": config.deployment_group_name,
        "overrideAlarmConfiguration": {"enabled": True, "alarms": [{"name": "a"}]},
    }
    requests = api_requests(as_account(config), "codedeploy", "CreateDeployment", params)
    assert first_denied(deploy_role_policy(env, RESOURCES), requests) is None


def test_updating_a_deployment_group_is_allowed_on_this_environments_group_only(env, config):
    other = f"arn:aws:codedeploy:{config.region}:{ACCOUNT}:deploymentgroup:{config.codedeploy_application_name}/other"
    policy = deploy_role_policy(env, RESOURCES)
    assert first_denied(policy, [Request("codedeploy:UpdateDeploymentGroup", other)]) is not None


def test_the_role_may_push_as_ecrs_push_policy_lists_and_find_a_pushed_tag(env, config):
    account = as_account(config)
    requests = ecr_push_requests(account, config.repository_name)
    requests.append(Request("ecr:DescribeImages", account.arn("ecr", f"repository/{config.repository_name}")))
    assert first_denied(deploy_role_policy(env, RESOURCES), requests) is None


def test_the_oidc_session_may_last_the_releases_worst_case(github, config):
    worst_case = release_worst_case_minutes(config)
    assert worst_case > 60  # the reason the session is longer than STS's default hour
    assert role(github)["MaxSessionDuration"] >= worst_case * 60
