"""The checks that the group, service and stack outputs fit a blue/green release of this service."""

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
    assert replacement_color(OUTPUTS, ["tg/blue"]) == ("green", [])
    assert replacement_color(OUTPUTS, ["tg/green"]) == ("blue", [])


def test_production_on_both_groups_or_neither_is_a_problem():
    assert replacement_color(OUTPUTS, ["tg/blue", "tg/green"])[1]
    assert replacement_color(OUTPUTS, ["tg/other"])[1]


def test_a_stack_without_the_target_group_outputs_is_a_problem():
    _, problems = replacement_color({}, ["tg/blue"])
    assert "update the ECS stack" in problems[0]
