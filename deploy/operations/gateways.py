"""The runbook's AWS questions: the release's gateways, extended with what an operator asks beyond a release.

Lists come from botocore's paginators, so no page is ever missed; every ``ClientError`` and ``BotoCoreError``
(no credentials, an unreachable endpoint) becomes an ``AwsCallError`` as in the release's gateways.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import boto3
from botocore.config import Config

from deploy.bluegreen.errors import AwsCallError
from deploy.bluegreen.gateways import (
    BATCH_GET_DEPLOYMENTS_MAX,
    CLIENT_CONFIG,
    CodeDeployGateway,
    EcsGateway,
    LoadBalancerGateway,
    LogsGateway,
    StackGateway,
    _Gateway,
)

OPERATIONS_CLIENT_CONFIG = CLIENT_CONFIG.merge(Config(user_agent_extra="text-messaging-operations"))
# DescribeTasks takes at most 100 tasks per call.
DESCRIBE_TASKS_MAX = 100


class StackStatusGateway(StackGateway):
    def stack(self, stack_name: str) -> dict[str, Any] | None:
        """The stack's description (status, outputs), or ``None`` when it does not exist."""
        try:
            return self._call("describe_stacks", StackName=stack_name)["Stacks"][0]
        except AwsCallError as error:
            if error.code == "ValidationError":
                return None
            raise


class TasksGateway(EcsGateway):
    def task_arns(self, *, cluster: str, service: str, desired_status: str) -> list[str]:
        arns: list[str] = []
        for page in self._pages("list_tasks", cluster=cluster, serviceName=service, desiredStatus=desired_status):
            arns += page.get("taskArns", [])
        return arns

    def tasks(self, *, cluster: str, task_arns: list[str]) -> list[dict[str, Any]]:
        found: list[dict[str, Any]] = []
        for start in range(0, len(task_arns), DESCRIBE_TASKS_MAX):
            batch = task_arns[start : start + DESCRIBE_TASKS_MAX]
            found += self._call("describe_tasks", cluster=cluster, tasks=batch).get("tasks", [])
        return found

    def execute_command(self, *, cluster: str, task_arn: str, container: str, command: str) -> dict[str, Any]:
        """An interactive ECS Exec session: ``session`` (id, stream URL, token) for the Session Manager plugin."""
        return self._call(
            "execute_command", cluster=cluster, task=task_arn, container=container, interactive=True, command=command
        )

    @property
    def endpoint_url(self) -> str:
        return self._client.meta.endpoint_url


class TargetHealthGateway(LoadBalancerGateway):
    def target_health(self, target_group_arn: str) -> list[dict[str, Any]]:
        return self._call("describe_target_health", TargetGroupArn=target_group_arn).get("TargetHealthDescriptions", [])


class AlarmGateway(_Gateway):
    label = "cloudwatch"

    def alarms(self, *, prefix: str) -> list[dict[str, Any]]:
        alarms: list[dict[str, Any]] = []
        for page in self._pages("describe_alarms", AlarmNamePrefix=prefix, AlarmTypes=["MetricAlarm"]):
            alarms += page.get("MetricAlarms", [])
        return alarms


class LogEventsGateway(LogsGateway):
    def events(
        self, *, group: str, start_ms: int, end_ms: int | None = None, pattern: str | None = None
    ) -> Iterator[dict[str, Any]]:
        """The group's events from every stream in ``[start_ms, end_ms]``, page after page."""
        window = {"startTime": start_ms} | ({"endTime": end_ms} if end_ms is not None else {})
        match = {"filterPattern": pattern} if pattern else {}
        for page in self._pages("filter_log_events", logGroupName=group, **window, **match):
            yield from page.get("events", [])

    def stream_events(self, *, group: str, stream: str, token: str | None) -> tuple[list[dict[str, Any]], str | None]:
        """One stream's events after ``token`` (oldest first) and the token to ask with next time."""
        position = {"nextToken": token} if token else {}
        try:
            page = self._call(
                "get_log_events", logGroupName=group, logStreamName=stream, startFromHead=True, **position
            )
        except AwsCallError as error:
            if error.code == "ResourceNotFoundException":  # the container has not written yet
                return [], token
            raise
        return page.get("events", []), page.get("nextForwardToken") or token


class DeploymentHistoryGateway(CodeDeployGateway):
    def history(self, *, application: str, group: str, limit: int) -> list[dict[str, Any]]:
        """The group's ``limit`` newest deployments (ListDeployments answers newest first)."""
        ids: list[str] = []
        for page in self._pages("list_deployments", applicationName=application, deploymentGroupName=group):
            ids += page.get("deployments", [])
        infos: list[dict[str, Any]] = []
        for start in range(0, len(ids), BATCH_GET_DEPLOYMENTS_MAX):
            batch = ids[start : start + BATCH_GET_DEPLOYMENTS_MAX]
            infos += self._call("batch_get_deployments", deploymentIds=batch).get("deploymentsInfo", [])
        infos.sort(key=lambda info: info.get("createTime") or 0, reverse=True)
        return infos[:limit]


class SessionGateway(_Gateway):
    label = "ssm"

    def start_session(self, *, target: str, document: str, parameters: dict[str, list[str]]) -> dict[str, Any]:
        """``SessionId``, ``TokenValue`` and ``StreamUrl``: what the Session Manager plugin connects with."""
        response = self._call("start_session", Target=target, DocumentName=document, Parameters=parameters)
        return {key: value for key, value in response.items() if key != "ResponseMetadata"}

    @property
    def endpoint_url(self) -> str:
        return self._client.meta.endpoint_url


@dataclass(frozen=True)
class OperationsGateways:
    region: str
    profile: str
    stacks: StackStatusGateway
    ecs: TasksGateway
    codedeploy: DeploymentHistoryGateway
    logs: LogEventsGateway
    load_balancer: TargetHealthGateway
    alarms: AlarmGateway
    ssm: SessionGateway


def operations_gateways(region: str) -> OperationsGateways:
    """Clients from the operator's own credential chain (profile, SSO, environment), in ``region``."""
    session = boto3.session.Session(region_name=region)

    def client(name: str) -> Any:
        return session.client(name, config=OPERATIONS_CLIENT_CONFIG)

    return OperationsGateways(
        region=region,
        # The Session Manager plugin takes the profile by name, as the AWS CLI passes it ("" for none).
        profile=session.profile_name if session.profile_name != "default" else "",
        stacks=StackStatusGateway(client("cloudformation")),
        ecs=TasksGateway(client("ecs")),
        codedeploy=DeploymentHistoryGateway(client("codedeploy")),
        logs=LogEventsGateway(client("logs")),
        load_balancer=TargetHealthGateway(client("elbv2")),
        alarms=AlarmGateway(client("cloudwatch")),
        ssm=SessionGateway(client("ssm")),
    )
