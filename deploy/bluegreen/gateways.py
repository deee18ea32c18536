"""Thin wrappers over injected boto3 clients: one method per AWS question, ``ClientError`` turned into ours.

Retries live in botocore (``standard`` mode: exponential backoff with jitter on throttling, 5xx and
connection errors), not here; what reaches this layer has already been retried.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

from deploy.bluegreen.errors import AwsCallError, StackNotFoundError, TargetMismatchError

# CD runs while other jobs call the same APIs; ten attempts ride out a burst of throttling (about a
# minute of backoff at most) without hiding a real outage for long.
CLIENT_CONFIG = Config(
    retries={"mode": "standard", "max_attempts": 10},
    connect_timeout=10,
    read_timeout=30,
    user_agent_extra="bluegreen_deploy",
)
STARTED_BY = "bluegreen_deploy"
BATCH_GET_DEPLOYMENTS_MAX = 25
ACTIVE_STATUSES = ["Created", "Queued", "InProgress", "Baking", "Ready"]


class _Gateway:
    label = ""

    def __init__(self, client: Any) -> None:
        self._client = client

    def _call(self, method: str, **kwargs: Any) -> dict[str, Any]:
        call: Callable[..., dict[str, Any]] = getattr(self._client, method)
        with self._translated(method):
            return call(**kwargs)

    def _pages(self, method: str, **kwargs: Any) -> Iterator[dict[str, Any]]:
        """Every page of ``method`` through boto3's paginator, its failures the tool's own errors."""
        with self._translated(method):
            yield from self._client.get_paginator(method).paginate(**kwargs)

    @contextlib.contextmanager
    def _translated(self, method: str) -> Iterator[None]:
        """botocore's errors as ``AwsCallError``, named by the service and the operation."""
        try:
            yield
        except ClientError as error:
            details = error.response.get("Error", {})
            raise AwsCallError(
                f"{self.label} {error.operation_name}", details.get("Code", "Unknown"), details.get("Message", "")
            ) from error
        except BotoCoreError as error:
            raise AwsCallError(f"{self.label} {method}", type(error).__name__, str(error)) from error


class StackGateway(_Gateway):
    label = "cloudformation"

    def outputs(self, stack_name: str) -> dict[str, str]:
        try:
            stacks = self._call("describe_stacks", StackName=stack_name)["Stacks"]
        except AwsCallError as error:
            if error.code == "ValidationError":
                raise StackNotFoundError(
                    f"stack {stack_name} does not exist in this account and region; deploy the infrastructure "
                    "first (cdk deploy --all)"
                ) from error
            raise
        return {output["OutputKey"]: output["OutputValue"] for output in stacks[0].get("Outputs", [])}


class EcsGateway(_Gateway):
    label = "ecs"

    def service(self, *, cluster: str, service: str) -> dict[str, Any]:
        try:
            response = self._call("describe_services", cluster=cluster, services=[service])
        except AwsCallError as error:
            if error.code == "ClusterNotFoundException":
                raise TargetMismatchError(f"ECS cluster {cluster} does not exist") from error
            raise
        found = [s for s in response.get("services", []) if s.get("status") != "INACTIVE"]
        if not found:
            raise TargetMismatchError(f"ECS service {service} does not exist in cluster {cluster}")
        return found[0]

    def task_definition(self, arn: str) -> tuple[dict[str, Any], list[dict[str, str]]]:
        response = self._call("describe_task_definition", taskDefinition=arn, include=["TAGS"])
        return response["taskDefinition"], response.get("tags", [])

    def register_keys(self) -> frozenset[str]:
        """The fields ``RegisterTaskDefinition`` accepts, from botocore's model of the API."""
        model = self._client.meta.service_model.operation_model("RegisterTaskDefinition")
        return frozenset(model.input_shape.members)

    def register(self, spec: dict[str, Any]) -> dict[str, Any]:
        return self._call("register_task_definition", **spec)["taskDefinition"]

    def family_revisions(self, family: str) -> list[str]:
        """The family's active revisions, newest first."""
        arns: list[str] = []
        token: dict[str, str] = {}
        while True:
            page = self._call("list_task_definitions", familyPrefix=family, status="ACTIVE", sort="DESC", **token)
            # familyPrefix is a prefix: "app" also lists "app-worker".
            arns += [arn for arn in page["taskDefinitionArns"] if arn.rsplit("/", 1)[-1].rsplit(":", 1)[0] == family]
            if not page.get("nextToken"):
                break
            token = {"nextToken": page["nextToken"]}
        return sorted(arns, key=lambda arn: int(arn.rsplit(":", 1)[-1]), reverse=True)

    def run_task(self, *, started_by: str = STARTED_BY, **kwargs: Any) -> dict[str, Any]:
        response = self._call("run_task", startedBy=started_by, count=1, **kwargs)
        if response.get("failures") or not response.get("tasks"):
            reasons = "; ".join(f"{f.get('arn', '')} {f.get('reason', '')}".strip() for f in response["failures"])
            raise AwsCallError("ecs RunTask", "TaskNotStarted", reasons or "no task started")
        return response["tasks"][0]

    def task(self, *, cluster: str, task_arn: str) -> dict[str, Any] | None:
        """The task, or ``None`` while ECS answers ``MISSING`` (it may, for a while, right after RunTask)."""
        response = self._call("describe_tasks", cluster=cluster, tasks=[task_arn])
        if response.get("tasks"):
            return response["tasks"][0]
        reasons = {failure.get("reason") for failure in response.get("failures", [])}
        if reasons <= {"MISSING"}:
            return None
        raise AwsCallError("ecs DescribeTasks", "TaskNotFound", f"task {task_arn}: {', '.join(map(str, reasons))}")

    def stop_task(self, *, cluster: str, task_arn: str, reason: str) -> None:
        self._call("stop_task", cluster=cluster, task=task_arn, reason=reason)


class CodeDeployGateway(_Gateway):
    label = "codedeploy"

    def deployment_group(self, *, application: str, group: str) -> dict[str, Any]:
        try:
            return self._call("get_deployment_group", applicationName=application, deploymentGroupName=group)[
                "deploymentGroupInfo"
            ]
        except AwsCallError as error:
            if error.code in {"ApplicationDoesNotExistException", "DeploymentGroupDoesNotExistException"}:
                raise TargetMismatchError(
                    f"CodeDeploy deployment group {application}/{group} does not exist ({error.code})"
                ) from error
            raise

    def traffic_routing(self, config_name: str) -> dict[str, Any]:
        # The predefined all-at-once configs move traffic in one step; no need to ask.
        if config_name.endswith("AllAtOnce"):
            return {}
        info = self._call("get_deployment_config", deploymentConfigName=config_name)["deploymentConfigInfo"]
        return info.get("trafficRoutingConfig") or {}

    def active_deployments(self, *, application: str, group: str) -> list[str]:
        return self._call(
            "list_deployments",
            applicationName=application,
            deploymentGroupName=group,
            includeOnlyStatuses=ACTIVE_STATUSES,
        ).get("deployments", [])

    def create(
        self, *, application: str, group: str, revision: dict[str, Any], description: str, alarms: list[str]
    ) -> str:
        """Start a deployment watched by ``alarms`` only (instead of the group's own list)."""
        return self._call(
            "create_deployment",
            applicationName=application,
            deploymentGroupName=group,
            revision=revision,
            description=description,
            overrideAlarmConfiguration={"enabled": True, "alarms": [{"name": name} for name in alarms]},
        )["deploymentId"]

    def deployments(
        self, *, application: str, group: str, statuses: list[str], created_after: datetime | None = None
    ) -> list[dict[str, Any]]:
        """The group's deployments in ``statuses`` (created after ``created_after``), newest first."""
        ids: list[str] = []
        token: dict[str, str] = {}
        window = {"createTimeRange": {"start": created_after}} if created_after else {}
        while True:
            page = self._call(
                "list_deployments",
                applicationName=application,
                deploymentGroupName=group,
                includeOnlyStatuses=statuses,
                **window,
                **token,
            )
            ids += page.get("deployments", [])
            if not page.get("nextToken"):
                break
            token = {"nextToken": page["nextToken"]}
        infos: list[dict[str, Any]] = []
        for start in range(0, len(ids), BATCH_GET_DEPLOYMENTS_MAX):
            batch = ids[start : start + BATCH_GET_DEPLOYMENTS_MAX]
            infos += self._call("batch_get_deployments", deploymentIds=batch).get("deploymentsInfo", [])
        return sorted(infos, key=lambda info: info.get("createTime") or 0, reverse=True)

    def deployment(self, deployment_id: str) -> dict[str, Any]:
        return self._call("get_deployment", deploymentId=deployment_id)["deploymentInfo"]

    def lifecycle_events(self, deployment_id: str) -> list[dict[str, Any]]:
        """The ECS target's lifecycle events (``BeforeInstall`` ... ``AfterAllowTraffic``) with their status."""
        try:
            target_ids = self._call("list_deployment_targets", deploymentId=deployment_id).get("targetIds", [])
            if not target_ids:
                return []
            targets = self._call("batch_get_deployment_targets", deploymentId=deployment_id, targetIds=target_ids)
        except AwsCallError as error:
            # Targets appear only once CodeDeploy has started working on the deployment.
            if error.code == "DeploymentNotStartedException":
                return []
            raise
        events = []
        for target in targets.get("deploymentTargets", []):
            events += (target.get("ecsTarget") or {}).get("lifecycleEvents", [])
        return events

    def proceed(self, deployment_id: str) -> None:
        """Let a deployment waiting for approval move production traffic to green."""
        self._call("continue_deployment", deploymentId=deployment_id, deploymentWaitType="READY_WAIT")

    def stop(self, deployment_id: str) -> str:
        response = self._call("stop_deployment", deploymentId=deployment_id, autoRollbackEnabled=True)
        return " ".join(filter(None, [response.get("status"), response.get("statusMessage")]))


class LoadBalancerGateway(_Gateway):
    label = "elbv2"

    def forwarded_target_groups(self, listener_arn: str) -> dict[str, int]:
        """The target groups a listener's default action forwards to, with their weights (see ``forward_weights``)."""
        (listener,) = self._call("describe_listeners", ListenerArns=[listener_arn])["Listeners"]
        return forward_weights(listener.get("DefaultActions", []))


def forward_weights(actions: list[dict[str, Any]]) -> dict[str, int]:
    """Each target group the forward actions name, with its weight: a lone ``TargetGroupArn`` weighs 1.

    Since late 2022 CodeDeploy leaves an ECS listener forwarding through a weighted ``ForwardConfig``
    after each deployment (the new group at 100, the old one kept at 0), so naming a group is not serving
    it: only a positive weight is (ADR 0014).
    """
    weights: dict[str, int] = {}
    for action in actions:
        if action.get("Type", "forward") != "forward":
            continue
        groups = (action.get("ForwardConfig") or {}).get("TargetGroups") or []
        if groups:
            for group in groups:
                weights[group["TargetGroupArn"]] = weights.get(group["TargetGroupArn"], 0) + group.get("Weight", 1)
        elif action.get("TargetGroupArn"):
            weights[action["TargetGroupArn"]] = weights.get(action["TargetGroupArn"], 0) + 1
    return weights


class SecurityGroupGateway(_Gateway):
    label = "ec2"

    def ingress_rules(self, group_id: str) -> list[dict[str, Any]]:
        """The group's ingress rules (``SecurityGroupRuleId``, ports, ``CidrIpv4``/``CidrIpv6``, ``Description``)."""
        rules: list[dict[str, Any]] = []
        token: dict[str, str] = {}
        while True:
            page = self._call(
                "describe_security_group_rules", Filters=[{"Name": "group-id", "Values": [group_id]}], **token
            )
            rules += [rule for rule in page.get("SecurityGroupRules", []) if not rule.get("IsEgress")]
            if not page.get("NextToken"):
                return rules
            token = {"NextToken": page["NextToken"]}

    def authorize_ingress(self, *, group_id: str, cidr: str, port: int, description: str) -> None:
        ranges = (
            {"Ipv6Ranges": [{"CidrIpv6": cidr, "Description": description}]}
            if ":" in cidr
            else {"IpRanges": [{"CidrIp": cidr, "Description": description}]}
        )
        self._call(
            "authorize_security_group_ingress",
            GroupId=group_id,
            IpPermissions=[{"IpProtocol": "tcp", "FromPort": port, "ToPort": port, **ranges}],
        )

    def revoke_ingress(self, *, group_id: str, rule_ids: list[str]) -> None:
        self._call("revoke_security_group_ingress", GroupId=group_id, SecurityGroupRuleIds=rule_ids)


class LogsGateway(_Gateway):
    label = "logs"

    def tail(self, *, group: str, stream: str, limit: int = 20) -> list[str]:
        """The last lines of a log stream, or none when it does not exist (the task never started)."""
        try:
            response = self._call(
                "get_log_events", logGroupName=group, logStreamName=stream, limit=limit, startFromHead=False
            )
        except AwsCallError as error:
            if error.code == "ResourceNotFoundException":
                return []
            raise
        return [event["message"].rstrip() for event in response.get("events", [])]


@dataclass(frozen=True)
class Gateways:
    stacks: StackGateway
    ecs: EcsGateway
    codedeploy: CodeDeployGateway
    logs: LogsGateway
    load_balancer: LoadBalancerGateway
    security_groups: SecurityGroupGateway


def aws_gateways(region: str) -> Gateways:
    """Clients from the standard credential chain; ``AWS_ENDPOINT_URL`` (an emulator) is honoured by boto3."""
    session = boto3.session.Session(region_name=region)

    def client(name: str) -> Any:
        return session.client(name, config=CLIENT_CONFIG)

    return Gateways(
        stacks=StackGateway(client("cloudformation")),
        ecs=EcsGateway(client("ecs")),
        codedeploy=CodeDeployGateway(client("codedeploy")),
        logs=LogsGateway(client("logs")),
        load_balancer=LoadBalancerGateway(client("elbv2")),
        security_groups=SecurityGroupGateway(client("ec2")),
    )
