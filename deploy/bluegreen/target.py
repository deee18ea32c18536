"""What a release acts on: names from the shared configuration, listeners and URL from the ECS stack's outputs,
network settings from the running service; checked to be an ECS blue/green group for that service."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from deploy.bluegreen.budget import WaitBudget, wait_budget
from deploy.bluegreen.errors import TargetMismatchError
from deploy.bluegreen.gateways import Gateways
from deploy.config import AlarmMetric, EnvironmentConfig, StackOutput, StackPart, TargetGroupColor


@dataclass(frozen=True, kw_only=True)
class Target:
    environment: str
    region: str
    stack_name: str
    cluster: str
    service: str
    container: str
    container_port: int
    application: str
    deployment_group: str
    deployment_config: str
    test_listener_url: str
    # The service's current revision, and how its tasks are placed (reused by the migration task).
    task_definition_arn: str
    network_configuration: dict[str, Any]
    placement: dict[str, Any]
    budget: WaitBudget
    # The target group the release's new tasks go to (the one production does not use), and its alarms.
    replacement_color: str
    replacement_alarms: tuple[str, ...]
    # The ALB's security group, where the CD runner's address is let in for each validation (None: an
    # older stack without the output; a release that must open the listener then refuses to start).
    test_listener_security_group: str | None = None


def target_resolve(config: EnvironmentConfig, *, gateways: Gateways, test_listener_url: str | None = None) -> Target:
    """Look everything up (read-only calls) and raise ``TargetMismatchError`` listing every problem found."""
    stack_name = config.stack_name(StackPart.SERVICE)
    outputs = gateways.stacks.outputs(stack_name)
    problems = stack_output_problems(
        outputs,
        expected={
            StackOutput.CLUSTER_NAME: config.cluster_name,
            StackOutput.SERVICE_NAME: config.service_name,
            StackOutput.CODEDEPLOY_APPLICATION: config.codedeploy_application_name,
            StackOutput.DEPLOYMENT_GROUP: config.deployment_group_name,
        },
    )
    url = test_listener_url or outputs.get(StackOutput.TEST_LISTENER_URL)
    if not url:
        problems.append(f"stack {stack_name} has no {StackOutput.TEST_LISTENER_URL} output; pass --test-listener-url")
    service = gateways.ecs.service(cluster=config.cluster_name, service=config.service_name)
    problems += service_problems(service)
    group = gateways.codedeploy.deployment_group(
        application=config.codedeploy_application_name, group=config.deployment_group_name
    )
    problems += deployment_group_problems(
        group,
        cluster=config.cluster_name,
        service=config.service_name,
        production_listener_arn=outputs.get(StackOutput.PRODUCTION_LISTENER_ARN),
        test_listener_arn=outputs.get(StackOutput.TEST_LISTENER_ARN),
    )
    live = _live_target_groups(gateways, outputs.get(StackOutput.PRODUCTION_LISTENER_ARN))
    replacement, color_problems = replacement_color(outputs, live)
    problems += color_problems
    if problems:
        raise TargetMismatchError(
            f"cannot release to {config.name}:\n" + "\n".join(f"  - {problem}" for problem in problems)
        )
    config_name = group.get("deploymentConfigName") or config.release.deployment_config_name
    return Target(
        environment=config.name,
        region=config.region,
        stack_name=stack_name,
        cluster=config.cluster_name,
        service=config.service_name,
        container=config.container_name,
        container_port=config.service.container_port,
        application=config.codedeploy_application_name,
        deployment_group=config.deployment_group_name,
        deployment_config=config_name,
        test_listener_url=url.rstrip("/"),
        task_definition_arn=service_task_definition(service),
        network_configuration=service["networkConfiguration"],
        placement=service_placement(service),
        budget=wait_budget(group, traffic_routing=gateways.codedeploy.traffic_routing(config_name)),
        replacement_color=replacement,
        replacement_alarms=tuple(
            config.alarm_name(replacement, metric) for metric in (AlarmMetric.TARGET_5XX, AlarmMetric.UNHEALTHY_HOSTS)
        ),
        test_listener_security_group=outputs.get(StackOutput.ALB_SECURITY_GROUP_ID),
    )


def _live_target_groups(gateways: Gateways, listener_arn: str | None) -> dict[str, int]:
    return gateways.load_balancer.forwarded_target_groups(listener_arn) if listener_arn else {}


def replacement_color(outputs: Mapping[str, str], forwards: Mapping[str, int]) -> tuple[str, list[str]]:
    """Which target group a new deployment fills: the one production traffic does not go to.

    ``forwards`` is the production listener's target groups by weight. CodeDeploy swaps the listener on
    every release, leaving the old group named at weight 0, so the live group is the one with a positive
    weight, asked each time rather than assumed.
    """
    colors = {
        outputs.get(StackOutput.BLUE_TARGET_GROUP_ARN): TargetGroupColor.BLUE,
        outputs.get(StackOutput.GREEN_TARGET_GROUP_ARN): TargetGroupColor.GREEN,
    }
    colors.pop(None, None)
    if len(colors) != 2:
        return TargetGroupColor.GREEN, [
            f"stack outputs lack {StackOutput.BLUE_TARGET_GROUP_ARN}/{StackOutput.GREEN_TARGET_GROUP_ARN}: "
            "update the ECS stack (cdk deploy)"
        ]
    live = [arn for arn, weight in forwards.items() if weight > 0]
    if len(live) != 1 or live[0] not in colors:
        shape = ", ".join(f"{arn} (weight {weight})" for arn, weight in forwards.items()) or "nothing"
        return TargetGroupColor.GREEN, [
            f"the production listener forwards to {shape}, not to exactly one of the stack's two target groups "
            "(traffic still shifting, or the listener changed by hand?)"
        ]
    live_color = colors[live[0]]
    return (TargetGroupColor.GREEN if live_color == TargetGroupColor.BLUE else TargetGroupColor.BLUE), []


def stack_output_problems(outputs: Mapping[str, str], *, expected: Mapping[str, str]) -> list[str]:
    """Outputs that name another resource than the configuration does (a stack built from other settings)."""
    return [
        f"stack output {key} is {outputs[key]!r} but the configuration says {value!r}"
        for key, value in expected.items()
        if key in outputs and outputs[key] != value
    ]


def service_problems(service: Mapping[str, Any]) -> list[str]:
    problems = []
    name = service.get("serviceName")
    controller = (service.get("deploymentController") or {}).get("type", "ECS")
    if controller != "CODE_DEPLOY":
        problems.append(f"service {name} is deployed by {controller}, not CODE_DEPLOY")
    if service.get("status") != "ACTIVE":
        problems.append(f"service {name} is {service.get('status')}, not ACTIVE")
    if not (service.get("networkConfiguration") or {}).get("awsvpcConfiguration"):
        problems.append(f"service {name} has no awsvpc network configuration to run the migration task in")
    return problems


def deployment_group_problems(
    group: Mapping[str, Any],
    *,
    cluster: str,
    service: str,
    production_listener_arn: str | None = None,
    test_listener_arn: str | None = None,
) -> list[str]:
    """Why ``group`` is not an ECS blue/green group for this service that waits for validation, if it is not."""
    name = f"{group.get('applicationName')}/{group.get('deploymentGroupName')}"
    problems = []
    if group.get("computePlatform") != "ECS":
        problems.append(f"deployment group {name} is for {group.get('computePlatform')}, not ECS")
    style = group.get("deploymentStyle") or {}
    if (style.get("deploymentType"), style.get("deploymentOption")) != ("BLUE_GREEN", "WITH_TRAFFIC_CONTROL"):
        problems.append(f"deployment group {name} is not blue/green with traffic control")
    services = {(s.get("clusterName"), s.get("serviceName")) for s in group.get("ecsServices", [])}
    if (cluster, service) not in services:
        found = ", ".join(f"{c}/{s}" for c, s in sorted(services)) or "none"
        problems.append(f"deployment group {name} deploys {found}, not {cluster}/{service}")
    ready = (group.get("blueGreenDeploymentConfiguration") or {}).get("deploymentReadyOption") or {}
    if ready.get("actionOnTimeout") != "STOP_DEPLOYMENT":
        problems.append(
            f"deployment group {name} moves traffic without waiting (actionOnTimeout "
            f"{ready.get('actionOnTimeout')}), so green could not be validated first"
        )
    pairs = (group.get("loadBalancerInfo") or {}).get("targetGroupPairInfoList") or []
    if not pairs:
        problems.append(f"deployment group {name} has no target group pair")
        return problems
    production = (pairs[0].get("prodTrafficRoute") or {}).get("listenerArns", [])
    test = (pairs[0].get("testTrafficRoute") or {}).get("listenerArns", [])
    if not test:
        problems.append(f"deployment group {name} has no test listener to validate green on")
    if production_listener_arn and production_listener_arn not in production:
        problems.append(f"deployment group {name} does not route production traffic through the stack's listener")
    if test_listener_arn and test and test_listener_arn not in test:
        problems.append(f"deployment group {name} does not route test traffic through the stack's test listener")
    return problems


def service_task_definition(service: Mapping[str, Any]) -> str:
    """The revision serving production: the PRIMARY task set's under CodeDeploy, else the service's own."""
    for task_set in service.get("taskSets", []):
        if task_set.get("status") == "PRIMARY":
            return task_set["taskDefinition"]
    return service["taskDefinition"]


def service_placement(service: Mapping[str, Any]) -> dict[str, Any]:
    """``RunTask`` arguments that place a task the way the service places its own."""
    placement: dict[str, Any] = {}
    if service.get("capacityProviderStrategy"):
        placement["capacityProviderStrategy"] = service["capacityProviderStrategy"]
    else:
        placement["launchType"] = service.get("launchType") or "FARGATE"
    if service.get("platformVersion"):
        placement["platformVersion"] = service["platformVersion"]
    return placement
