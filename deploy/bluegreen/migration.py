"""The database migrations as a one-off Fargate task of the new revision, placed where the service's tasks run."""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from typing import Any

from deploy.bluegreen.errors import AwsCallError, MigrationFailedError
from deploy.bluegreen.events import Event, Level, Progress
from deploy.bluegreen.gateways import EcsGateway, LogsGateway
from deploy.bluegreen.interrupts import interrupts_noted
from deploy.bluegreen.target import Target

LOG_LINES = 20
# PostgreSQL's words when lock_timeout cancels a statement.
LOCK_TIMEOUT_MESSAGE = "canceling statement due to lock timeout"
# ECS may not know a task for a little while after RunTask started it; past this, something is wrong.
MISSING_WAIT_SECONDS = 60
MISSING_MAX_DELAY_SECONDS = 10


def migration_run(
    *,
    ecs: EcsGateway,
    logs: LogsGateway,
    target: Target,
    task_definition: Mapping[str, Any],
    command: tuple[str, ...],
    environment: Mapping[str, str],
    timeout_seconds: float,
    poll_interval: float,
    progress: Progress,
) -> None:
    """Run ``command`` in the app container, with ``environment`` added to its own, and wait; raise
    ``MigrationFailedError`` unless it exits 0.

    However this ends before the task is seen stopped (timeout, interruption, an AWS error, a task ECS
    never shows), the task is stopped rather than left to migrate unattended. Ctrl-C and SIGTERM are noted
    while the task runs and taken between calls (``deploy.bluegreen.interrupts``), so one that arrives as
    the task starts still stops it, and one between polls cuts the wait short.
    """
    with interrupts_noted() as interrupts:
        interrupts.check()
        task = ecs.run_task(
            cluster=target.cluster,
            taskDefinition=task_definition["taskDefinitionArn"],
            networkConfiguration=target.network_configuration,
            overrides=migration_overrides(container=target.container, command=command, environment=environment),
            **target.placement,
        )
        task_arn = task["taskArn"]
        progress(Event(Level.INFO, f"  task {task_id(task_arn)}: {' '.join(command)}"))
        try:
            interrupts.check()
            task = _wait_stopped(
                ecs,
                target=target,
                task_arn=task_arn,
                timeout_seconds=timeout_seconds,
                poll_interval=poll_interval,
                progress=progress,
                sleep=interrupts.sleep,
            )
        except BaseException as error:
            reason = "interrupted" if isinstance(error, KeyboardInterrupt) else "release failed"
            _stop_quietly(
                ecs, target=target, task_arn=task_arn, reason=f"bluegreen_deploy: {reason}", progress=progress
            )
            raise
    container = next((c for c in task.get("containers", []) if c.get("name") == target.container), {})
    if container.get("exitCode") == 0:
        return
    stream = log_stream(task_definition, target.container, task_arn)
    log_lines = logs.tail(**stream, limit=LOG_LINES) if stream else []
    raise MigrationFailedError(migration_failure(task, container, log_lines))


def migration_overrides(*, container: str, command: tuple[str, ...], environment: Mapping[str, str]) -> dict[str, Any]:
    """RunTask's ``overrides``: ``command`` in ``container``, whose variables ``environment`` adds to or replaces."""
    return {
        "containerOverrides": [
            {
                "name": container,
                "command": list(command),
                "environment": [{"name": name, "value": value} for name, value in environment.items()],
            }
        ]
    }


def _wait_stopped(
    ecs: EcsGateway,
    *,
    target: Target,
    task_arn: str,
    timeout_seconds: float,
    poll_interval: float,
    progress: Progress,
    sleep: Callable[[float], None],
) -> dict[str, Any]:
    """Poll until the task is STOPPED; ``MISSING`` answers (ECS is eventually consistent) are retried with
    backoff for at most ``MISSING_WAIT_SECONDS`` in a row."""
    deadline = time.monotonic() + timeout_seconds
    last_status = None
    missing_since: float | None = None
    missing_delay = poll_interval
    while True:
        task = ecs.task(cluster=target.cluster, task_arn=task_arn)
        now = time.monotonic()
        if task is None:
            missing_since = missing_since if missing_since is not None else now
            if now - missing_since >= MISSING_WAIT_SECONDS or now >= deadline:
                raise MigrationFailedError(
                    f"ECS kept answering MISSING for migration task {task_id(task_arn)} for "
                    f"{now - missing_since:.0f} s; stopped it; nothing was deployed"
                )
            sleep(min(missing_delay, MISSING_MAX_DELAY_SECONDS))
            missing_delay *= 2
            continue
        missing_since, missing_delay = None, poll_interval
        if task.get("lastStatus") != last_status:
            last_status = task.get("lastStatus")
            progress(Event(Level.INFO, f"  task {task_id(task_arn)}: {last_status}"))
        if last_status == "STOPPED":
            return task
        if now >= deadline:
            raise MigrationFailedError(
                f"migration task {task_id(task_arn)} did not finish within {timeout_seconds:g} s; stopped it"
            )
        sleep(poll_interval)


def _stop_quietly(ecs: EcsGateway, *, target: Target, task_arn: str, reason: str, progress: Progress) -> None:
    """Stop the task without hiding the error that got us here; say so if even that fails."""
    try:
        ecs.stop_task(cluster=target.cluster, task_arn=task_arn, reason=reason)
    except AwsCallError as error:
        progress(
            Event(
                Level.ERROR,
                f"  could not stop migration task {task_id(task_arn)} ({error}); stop it by hand: "
                f"aws ecs stop-task --cluster {target.cluster} --task {task_arn}",
            )
        )
    else:
        progress(Event(Level.WARNING, f"  stopped migration task {task_id(task_arn)}"))


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
    if any(LOCK_TIMEOUT_MESSAGE in line for line in log_lines):
        text += (
            "; a migration gave up waiting for a table lock (the migration task's lock timeout): a long "
            "transaction or query held it; release again once it ends"
        )
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
