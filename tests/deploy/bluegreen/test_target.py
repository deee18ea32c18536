"""The checks that the group, service and stack outputs fit a blue/green release of this service."""

from deploy.bluegreen.gateways import forward_weights
from deploy.bluegreen.target import (
    deployment_group_problems,
    replacement_color,
    service_problems,
    stack_output_problems,
)
from deploy.config import StackOutput

GROUP = {
    "applicationName": "app",
    "deploymentGroupName": "dg",
    "computePlatform": "ECS",
    "deploymentStyle": {"deploymentType": "BLUE_GREEN", "deploymentOption": "WITH_TRAFFIC_CONTROL"},
    "ecsServices": [{"clusterName": "c", "serviceName": "s"}],
    "blueGreenDeploymentConfiguration": {"deploymentReadyOption": {"actionOnTimeout": "STOP_DEPLOYMENT"}},
    "loadBalancerInfo": {
        "targetGroupPairInfoList": [
            {"prodTrafficRoute": {"listenerArns": ["prod"]}, "testTrafficRoute": {"listenerArns": ["test"]}}
        ]
    },
}


def problems(group=GROUP, **listeners):
    return deployment_group_problems(group, cluster="c", service="s", **listeners)


def test_a_fitting_group_has_no_problems():
    assert problems(production_listener_arn="prod", test_listener_arn="test") == []


def test_group_for_another_service_is_named():
    assert problems(GROUP | {"ecsServices": [{"clusterName": "x", "serviceName": "y"}]}) == [
        "deployment group app/dg deploys x/y, not c/s"
    ]


def test_group_that_does_not_wait_for_validation_is_refused():
    ready = {"deploymentReadyOption": {"actionOnTimeout": "CONTINUE_DEPLOYMENT"}}
    assert "green could not be validated first" in problems(GROUP | {"blueGreenDeploymentConfiguration": ready})[0]


def test_every_problem_is_listed_at_once():
    group = GROUP | {"computePlatform": "Server", "deploymentStyle": {"deploymentType": "IN_PLACE"}}
    assert len(problems(group, test_listener_arn="other")) == 3


def test_stack_outputs_must_agree_with_the_configuration():
    assert stack_output_problems({"ClusterName": "old", "Other": "x"}, expected={"ClusterName": "new"}) == [
        "stack output ClusterName is 'old' but the configuration says 'new'"
    ]


def test_service_must_be_deployed_by_codedeploy():
    service = {"serviceName": "s", "status": "ACTIVE", "deploymentController": {"type": "ECS"}}
    assert service_problems(service) == [
        "service s is deployed by ECS, not CODE_DEPLOY",
        "service s has no awsvpc network configuration to run the migration task in",
    ]


OUTPUTS = {StackOutput.BLUE_TARGET_GROUP_ARN: "tg/blue", StackOutput.GREEN_TARGET_GROUP_ARN: "tg/green"}


def test_replacement_is_the_target_group_production_does_not_use():
    assert replacement_color(OUTPUTS, {"tg/blue": 1}) == ("green", [])
    assert replacement_color(OUTPUTS, {"tg/green": 1}) == ("blue", [])


def test_after_a_codedeploy_release_the_live_group_is_the_one_weighted_100_not_the_one_kept_at_0():
    # The shape CodeDeploy leaves since late 2022 (ADR 0014).
    assert replacement_color(OUTPUTS, {"tg/green": 100, "tg/blue": 0}) == ("blue", [])
    assert replacement_color(OUTPUTS, {"tg/blue": 100, "tg/green": 0}) == ("green", [])


def test_production_on_both_groups_or_neither_is_a_problem():
    _, problems = replacement_color(OUTPUTS, {"tg/blue": 90, "tg/green": 10})
    assert problems == [
        "the production listener forwards to tg/blue (weight 90), tg/green (weight 10), not to exactly one of the "
        "stack's two target groups (traffic still shifting, or the listener changed by hand?)"
    ]
    assert replacement_color(OUTPUTS, {"tg/blue": 0, "tg/green": 0})[1]
    assert replacement_color(OUTPUTS, {"tg/other": 1})[1]
    assert replacement_color(OUTPUTS, {})[1]


def test_a_stack_without_the_target_group_outputs_is_a_problem():
    _, problems = replacement_color({}, {"tg/blue": 1})
    assert "update the ECS stack" in problems[0]


def test_forward_weights_read_a_lone_target_group_and_a_weighted_forward_config():
    assert forward_weights([{"Type": "forward", "TargetGroupArn": "tg/blue"}]) == {"tg/blue": 1}
    weighted = {
        "Type": "forward",
        "ForwardConfig": {
            "TargetGroups": [{"TargetGroupArn": "tg/green", "Weight": 100}, {"TargetGroupArn": "tg/blue", "Weight": 0}]
        },
    }
    assert forward_weights([weighted]) == {"tg/green": 100, "tg/blue": 0}
    # DescribeListeners answers a single group both ways at once; it is counted once.
    both = {
        "Type": "forward",
        "TargetGroupArn": "tg/blue",
        "ForwardConfig": {"TargetGroups": [{"TargetGroupArn": "tg/blue", "Weight": 1}]},
    }
    assert forward_weights([both]) == {"tg/blue": 1}
    assert forward_weights([{"Type": "fixed-response", "FixedResponseConfig": {"StatusCode": "503"}}]) == {}
