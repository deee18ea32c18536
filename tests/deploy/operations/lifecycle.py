"""The emulated account's answers beyond the release's lifecycle (``tests.deploy.bluegreen.lifecycle``): what
ECS Exec, Session Manager, CloudWatch Logs' paging and a one-off task's run look like, and every call
authorized against the operator policy.

Shapes follow the API reference: Task and Container
(https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_Task.html, API_Container.html),
ExecuteCommand (API_ExecuteCommand.html: ``session`` with ``sessionId``, ``streamUrl``, ``tokenValue``),
Systems Manager StartSession
(https://docs.aws.amazon.com/systems-manager/latest/APIReference/API_StartSession.html) and FilterLogEvents
(https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_FilterLogEvents.html: a page may
hold fewer events than exist, with a ``nextToken``).
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

from moto.core.utils import unix_time_millis
from moto.logs.models import logs_backends

from deploy.config import get_config
from tests.deploy.bluegreen.lifecycle import ACCOUNT, DeploymentLifecycle
from tests.deploy.operations.iam import account as iam_account
from tests.deploy.operations.iam import operator_requests
from tests.support.iam_policy import first_denied

CONFIG = get_config("dev")


class OperationsLifecycle(DeploymentLifecycle):
    """The deployment lifecycle, plus ExecuteCommand and StartSession (moto has neither), plus CloudWatch
    Logs answering FilterLogEvents in pages of ``log_page_size`` events as the real service may."""

    def __init__(self, *, region: str) -> None:
        super().__init__(region=region)
        # The operator policy every call is authorized against (None: no check), and the calls it refused.
        self.policy: list[dict] | None = None
        self.denials: list[str] = []
        self.reset()

    def reset(self) -> None:
        super().reset()
        self.log_page_size = 0
        # A one-off task: what its container writes, after how many DescribeTasks it stops (None: never),
        # and its exit code.
        self.one_off_lines: list[str] = []
        self.one_off_stops_after = 2
        self.one_off_exit_code = 0
        self._described: dict[str, int] = {}
        self.denials = []

    def refusal(self, service: str, operation: str, params: dict[str, Any]) -> tuple[int, dict[str, Any]] | None:
        """What the operator policy would refuse, refused as AWS does (and remembered, to fail the test)."""
        if self.policy is not None:
            denied = first_denied(self.policy, operator_requests(iam_account(self.region), service, operation, params))
            if denied:
                self.denials.append(f"{service}:{operation}: {denied}")
                return 400, {"__type": "AccessDeniedException", "message": f"not authorized to perform {denied}"}
        return super().refusal(service, operation, params)

    def before(self, service: str, operation: str, params: dict[str, Any]) -> None:
        if (service, operation) != ("ecs", "DescribeTasks"):
            return super().before(service, operation, params)
        for task in self._tasks(params["cluster"], params["tasks"]):
            if not task.started_by.startswith("ecs-svc/"):  # the service's own tasks stay as seeded
                self._one_off_progress(task)
        return None

    def _one_off_progress(self, task: Any) -> None:
        if task.last_status == "STOPPED":
            return
        count = self._described[task.id] = self._described.get(task.id, 0) + 1
        if count == 1:
            # PENDING until its first lines, as awslogs ships them once the container runs.
            if self.one_off_lines:
                stream = f"app/{task.containers[0].name}/{task.id}"
                logs = logs_backends[ACCOUNT][self.region]
                logs.create_log_stream(CONFIG.log_group_name, stream)
                now = unix_time_millis()
                logs.put_log_events(
                    CONFIG.log_group_name,
                    stream,
                    [{"timestamp": int(now) + i, "message": line} for i, line in enumerate(self.one_off_lines)],
                )
            task.last_status = "RUNNING"
            return
        if self.one_off_stops_after is not None and count >= self.one_off_stops_after:
            task.last_status = task.desired_status = "STOPPED"
            task.stop_code = "EssentialContainerExited"
            task.stopped_reason = "Essential container in task exited"
            task.stopped_at = datetime.now(UTC)
            for container in task.containers:
                container.last_status = "STOPPED"
                container.exitCode = self.one_off_exit_code

    def answers(self, service: str, operation: str, params: dict[str, Any]) -> bool:
        return (service, operation) in {("ecs", "ExecuteCommand"), ("ssm", "StartSession")} or super().answers(
            service, operation, params
        )

    def answer(self, operation: str, params: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        if operation == "ExecuteCommand":
            return self._execute_command(params)
        if operation == "StartSession":
            session = f"operator-{uuid.uuid4().hex[:17]}"
            return 200, {
                "SessionId": session,
                "TokenValue": f"token-{session}",
                "StreamUrl": f"wss://ssmmessages.{self.region}.amazonaws.com/v1/data-channel/{session}",
            }
        return super().answer(operation, params)

    def completes(self, service: str, operation: str) -> bool:
        return (service, operation) in {
            ("logs", "FilterLogEvents"),
            ("codedeploy", "BatchGetDeployments"),
        } or super().completes(service, operation)

    def after(self, service: str, operation: str, params: dict[str, Any], body: dict[str, Any]) -> dict[str, Any]:
        if operation == "BatchGetDeployments":
            # moto answers errorInformation and rollbackInfo empty: filled from the lifecycle's record.
            for info in body.get("deploymentsInfo", []):
                state = self._deployments.get(info["deploymentId"])
                if state:
                    info["errorInformation"], info["rollbackInfo"] = state.error, state.rollback
            return body
        if operation != "FilterLogEvents" or not self.log_page_size:
            return super().after(service, operation, params, body)
        events = body.get("events", [])
        if len(events) > self.log_page_size:
            last = events[self.log_page_size - 1]
            # moto's own token format: the group, the stream and the event to continue after.
            body["nextToken"] = f"{params['logGroupName']}@{last['logStreamName']}@{last['eventId']}"
            body["events"] = events[: self.log_page_size]
        return body

    def _execute_command(self, params: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        task = next(iter(self._tasks(params["cluster"], [params["task"]])), None)
        if task is None or not getattr(task, "enable_execute_command", False):
            return 400, {
                "__type": "InvalidParameterException",
                "message": "The execute command failed because execute command was not enabled when the task "
                "was run or the execute command agent isn't running. Wait and try again or run a new task with "
                "execute command enabled and try again.",
            }
        session = f"ecs-execute-command-{uuid.uuid4().hex[:17]}"
        return 200, {
            "clusterArn": task.cluster_arn,
            "containerArn": task.containers[0].container_arn,
            "containerName": params["container"],
            "interactive": True,
            "session": {
                "sessionId": session,
                "streamUrl": f"wss://ssmmessages.{self.region}.amazonaws.com/v1/data-channel/{session}",
                "tokenValue": f"token-{session}",
            },
            "taskArn": task.task_arn,
        }
