"""The database migrations as a one-off Fargate task of the new revision, placed where the service's tasks run."""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from typing import Any

from deploy.bluegreen.errors import MigrationFailedError
from deploy.bluegreen.events import Event, Level, Progress
from deploy.bluegreen.gateways import EcsGateway, LogsGateway
from deploy.bluegreen.target import Target

LOG_LINES = 20


def migration_run(
    *,
    ecs: EcsGateway,
    logs: LogsGateway,
    target: Target,
    task_definition: Mapping[str, Any],
    command: tuple[str, ...],
    timeout_seconds: float,
    poll_interval: float,
    progress: Progress,
    sleep: Callable[[float], None] = time.sleep,
) -> None:
    """Run ``command`` in the app container and wait; raise ``MigrationFailedError`` unless it exits 0.

    Interrupted or out of time, the task is stopped rather than left to migrate unattended.
    """
    task = ecs.run_task(
        cluster=target.cluster,
        taskDefinition=task_definition["taskDefinitionArn"],
        networkConfiguration=target.network_configuration,
        overrides={"containerOverrides": [{"name": target.container, "command": list(command)}]},
        **target.placement,
    )
    task_arn = task["taskArn"]
    progress(Event(Level.INFO, f"  task {task_id(task_arn)}: {' '.join(command)}"))
    deadline = time.monotonic() + timeout_seconds
    last_status = None
    try:
        while True:
            task = ecs.task(cluster=target.cluster, task_arn=task_arn)
            if task.get("lastStatus") != last_status:
                last_status = task.get("lastStatus")
                progress(Event(Level.INFO, f"  task {task_id(task_arn)}: {last_status}"))
            if last_status == "STOPPED":
                break
            if time.monotonic() >= deadline:
                ecs.stop_task(cluster=target.cluster, task_arn=task_arn, reason="bluegreen_deploy: migration timed out")
                raise MigrationFailedError(
                    f"migration task {task_id(task_arn)} did not finish within {timeout_seconds:g} s; stopped it"
                )
            sleep(poll_interval)
    except KeyboardInterrupt:
        ecs.stop_task(cluster=target.cluster, task_arn=task_arn, reason="bluegreen_deploy: interrupted")
        raise
    container = next((c for c in task.get("containers", []) if c.get("name") == target.container), {})
    if container.get("exitCode") == 0:
        return
    stream = log_stream(task_definition, target.container, task_arn)
    log_lines = logs.tail(**stream, limit=LOG_LINES) if stream else []
    raise MigrationFailedError(migration_failure(task, container, log_lines))


def migration_failure(task: Mapping[str, Any], container: Mapping[str, Any], log_lines: list[str]) -> str:
    """Why the migration task failed, in the words ECS and the container's own log use."""
    exit_code = container.get("exitCode")
    parts = [
        f"migration task {task_id(task['taskArn'])} "
        + (f"exited {exit_code}" if exit_code is not None else "never ran")
    ]
    parts += [
        f"{label}: {value}"
        for label, value in [
            ("stop code", task.get("stopCode")),
            ("stopped reason", task.get("stoppedReason")),
            ("container reason", container.get("reason")),
        ]
        if value
    ]
    text = "; ".join(parts) + "; nothing was deployed"
    if log_lines:
        text += "\nlast log lines:\n" + "\n".join(f"  | {line}" for line in log_lines)
    return text


def log_stream(task_definition: Mapping[str, Any], container_name: str, task_arn: str) -> dict[str, str] | None:
    """The awslogs group and stream of one container of one task (``prefix/container/task-id``)."""
    for container in task_definition.get("containerDefinitions", []):
        if container.get("name") == container_name:
            options = (container.get("logConfiguration") or {}).get("options") or {}
            group, prefix = options.get("awslogs-group"), options.get("awslogs-stream-prefix")
            if group and prefix:
                return {"group": group, "stream": f"{prefix}/{container_name}/{task_id(task_arn)}"}
    return None


def task_id(task_arn: str) -> str:
    return task_arn.rsplit("/", 1)[-1]
