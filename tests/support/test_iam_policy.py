"""The test IAM evaluator decides as AWS documents, so a test that relies on it proves something."""

import pytest

from tests.support.iam_policy import (
    Intrinsics,
    Request,
    UnknownConditionError,
    first_denied,
    policy_allows,
    template_policy,
    without_action,
    without_resource,
)

GROUP = "arn:aws:codedeploy:ap-northeast-1:123456789012:deploymentgroup:app/dg"
POLICY = [
    {"Effect": "Allow", "Action": "codedeploy:CreateDeployment", "Resource": GROUP},
    {"Effect": "Allow", "Action": "elasticloadbalancing:Describe*", "Resource": "*"},
    {
        "Effect": "Allow",
        "Action": "ecs:RunTask",
        "Resource": "arn:aws:ecs:ap-northeast-1:123456789012:task-definition/app:*",
        "Condition": {"ArnEquals": {"ecs:cluster": "arn:aws:ecs:ap-northeast-1:123456789012:cluster/c"}},
    },
    {
        "Effect": "Allow",
        "Action": "iam:PassRole",
        "Resource": ["arn:aws:iam::123456789012:role/task"],
        "Condition": {"StringEquals": {"iam:PassedToService": "ecs-tasks.amazonaws.com"}},
    },
]


def allows(request: Request, policy=POLICY) -> bool:
    return policy_allows(policy, request)


def test_an_action_is_allowed_only_on_the_resources_its_statement_names():
    assert allows(Request("codedeploy:CreateDeployment", GROUP))
    assert not allows(Request("codedeploy:CreateDeployment", GROUP.replace("app/dg", "app/other")))
    assert not allows(Request("codedeploy:UpdateDeploymentGroup", GROUP))


def test_action_names_match_case_insensitively_with_wildcards():
    assert allows(Request("ElasticLoadBalancing:DescribeListeners"))
    assert not allows(Request("elasticloadbalancing:ModifyListener"))


def test_a_resource_pattern_matches_arns_but_a_request_on_star_needs_star():
    run = "ecs:RunTask"
    cluster = {"ecs:cluster": "arn:aws:ecs:ap-northeast-1:123456789012:cluster/c"}
    assert allows(Request(run, "arn:aws:ecs:ap-northeast-1:123456789012:task-definition/app:7", cluster))
    assert not allows(Request(run, "arn:aws:ecs:ap-northeast-1:123456789012:task-definition/App:7", cluster))
    assert not allows(Request(run, "*", cluster))


def test_conditions_must_hold_and_an_absent_key_fails_a_positive_operator():
    arn = "arn:aws:ecs:ap-northeast-1:123456789012:task-definition/app:7"
    assert not allows(Request("ecs:RunTask", arn, {"ecs:cluster": "arn:aws:ecs:ap-northeast-1:123456789012:cluster/x"}))
    assert not allows(Request("ecs:RunTask", arn))
    role = "arn:aws:iam::123456789012:role/task"
    assert allows(Request("iam:PassRole", role, {"iam:PassedToService": "ecs-tasks.amazonaws.com"}))
    assert not allows(Request("iam:PassRole", role, {"iam:PassedToService": "lambda.amazonaws.com"}))


def test_negated_and_if_exists_operators_pass_on_an_absent_key():
    policy = [
        {
            "Effect": "Allow",
            "Action": "s3:GetObject",
            "Resource": "*",
            "Condition": {
                "StringNotEquals": {"aws:SourceVpc": "vpc-1"},
                "BoolIfExists": {"aws:SecureTransport": "true"},
            },
        }
    ]
    assert allows(Request("s3:GetObject"), policy)
    assert not allows(Request("s3:GetObject", context={"aws:SourceVpc": "vpc-1"}), policy)
    assert not allows(Request("s3:GetObject", context={"aws:SecureTransport": "false"}), policy)


def test_an_explicit_deny_wins_and_not_action_excludes():
    policy = [
        {"Effect": "Allow", "NotAction": "iam:*", "Resource": "*"},
        {"Effect": "Deny", "Action": "ec2:TerminateInstances", "Resource": "*"},
    ]
    assert allows(Request("ec2:DescribeInstances"), policy)
    assert not allows(Request("ec2:TerminateInstances"), policy)
    assert not allows(Request("iam:PassRole"), policy)


def test_an_unknown_condition_operator_fails_loudly():
    policy = [{"Effect": "Allow", "Action": "*", "Resource": "*", "Condition": {"IpAddress": {"aws:SourceIp": "1"}}}]
    with pytest.raises(UnknownConditionError):
        allows(Request("s3:GetObject"), policy)


def test_first_denied_names_the_first_request_the_policy_refuses():
    requests = [Request("codedeploy:CreateDeployment", GROUP), Request("codedeploy:UpdateDeploymentGroup", GROUP)]
    assert first_denied(POLICY, requests) == requests[1]
    assert first_denied(POLICY, requests[:1]) is None


def test_without_action_drops_one_action_and_empty_statements():
    trimmed = without_action(POLICY, "codedeploy:CreateDeployment")
    assert len(trimmed) == len(POLICY) - 1
    assert not allows(Request("codedeploy:CreateDeployment", GROUP), trimmed)


def test_without_resource_drops_one_resource_of_an_action_and_empty_statements():
    task, other = "arn:aws:iam::123456789012:role/task", "arn:aws:iam::123456789012:role/other"
    passing = {"iam:PassedToService": "ecs-tasks.amazonaws.com"}
    policy = [{**POLICY[3], "Resource": [task, other]}]
    trimmed = without_resource(policy, "iam:PassRole", task)
    assert not allows(Request("iam:PassRole", task, passing), trimmed)
    assert allows(Request("iam:PassRole", other, passing), trimmed)
    assert without_resource(trimmed, "iam:PassRole", other) == []


def test_template_policy_resolves_what_cdk_writes():
    template = {
        "Resources": {
            "DeployRole1A2B": {"Type": "AWS::IAM::Role", "Properties": {}},
            "DeployRoleDefaultPolicy": {
                "Type": "AWS::IAM::Policy",
                "Properties": {
                    "Roles": [{"Ref": "DeployRole1A2B"}],
                    "PolicyDocument": {
                        "Statement": [
                            {
                                "Effect": "Allow",
                                "Action": "ec2:AuthorizeSecurityGroupIngress",
                                "Resource": {
                                    "Fn::Join": [
                                        "",
                                        [
                                            "arn:aws:ec2:ap-northeast-1:",
                                            {"Ref": "AWS::AccountId"},
                                            ":security-group/",
                                            {"Fn::ImportValue": "Network:AlbSecurityGroup"},
                                        ],
                                    ]
                                },
                            }
                        ]
                    },
                },
            },
        }
    }
    intrinsics = Intrinsics(
        refs={"AWS::AccountId": "123456789012"}, imports={"Network:AlbSecurityGroup": "sg-1"}.__getitem__
    )
    assert template_policy(template, role_logical_id_prefix="DeployRole", intrinsics=intrinsics) == [
        {
            "Effect": "Allow",
            "Action": "ec2:AuthorizeSecurityGroupIngress",
            "Resource": "arn:aws:ec2:ap-northeast-1:123456789012:security-group/sg-1",
        }
    ]
