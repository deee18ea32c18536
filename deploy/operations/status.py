"""The service at a glance: counts, tasks and what they run, a deployment in progress, targets, alarms, and
why the last tasks stopped (the seed runbook's ``aws ecs describe-tasks ... stoppedReason``)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from deploy.bluegreen.migration import task_id
from deploy.config import EnvironmentConfig, StackOutput, TargetGroupColor
from deploy.operations.environment import DeployedService, deployed_service
from deploy.operations.gateways import OperationsGateways
from deploy.operations.revisions import Revision, RevisionReader

STOPPED_SHOWN = 5


@dataclass(frozen=True, kw_only=True)
class TaskLine:
    task_id: str
    last_status: str
    health: str
    revision: Revision
    started_at: datetime | None = None
    stopped_at: datetime | None = None
    stop_code: str = ""
    stopped_reason: str = ""
    # (container name, exit code or None, reason)
    containers: tuple[tuple[str, int | None, str], ...] = ()


@dataclass(frozen=True, kw_only=True)
class DeploymentLine:
    deployment_id: str
    status: str
    step: str  # the lifecycle event in progress, or the last one reached


@dataclass(frozen=True, kw_only=True)
class TargetGroupLine:
    color: str
    live: bool
    # (target id:port, state, reason)
    targets: tuple[tuple[str, str, str], ...]


@dataclass(frozen=True, kw_only=True)
class ServiceStatus:
    environment: str
    cluster: str
    service: str
    desired: int
    running: int
    pending: int
    live: Revision
    url: str
    running_tasks: tuple[TaskLine, ...]
    deployment: DeploymentLine | None
    target_groups: tuple[TargetGroupLine, ...]
    alarms: tuple[tuple[str, str, str], ...]  # name, state, reason
    stopped_tasks: tuple[TaskLine, ...]


def service_status(
    config: EnvironmentConfig, *, gateways: OperationsGateways, stopped_shown: int = STOPPED_SHOWN
) -> ServiceStatus:
    """Read everything (read-only calls) the status shows."""
    deployed = deployed_service(config, gateways=gateways)
    revisions = RevisionReader(gateways.ecs, config)
    service = deployed.service
    running = _tasks(gateways, deployed, "RUNNING", revisions)
    stopped = sorted(
        _tasks(gateways, deployed, "STOPPED", revisions),
        key=lambda task: task.stopped_at.timestamp() if task.stopped_at else 0,
        reverse=True,
    )
    dns = deployed.outputs.get(StackOutput.ALB_DNS_NAME)
    return ServiceStatus(
        environment=config.name,
        cluster=deployed.cluster,
        service=service["serviceName"],
        desired=service.get("desiredCount", 0),
        running=service.get("runningCount", 0),
        pending=service.get("pendingCount", 0),
        live=revisions(deployed.live_task_definition),
        url=config.public_url(alb_dns_name=dns) or "?",
        running_tasks=tuple(running),
        deployment=_deployment(gateways, config),
        target_groups=_target_groups(gateways, deployed),
        alarms=tuple(
            (alarm["AlarmName"], alarm.get("StateValue", "?"), alarm.get("StateReason", ""))
            for alarm in gateways.alarms.alarms(prefix=f"{config.resource_name}-")
        ),
        stopped_tasks=tuple(stopped[:stopped_shown]),
    )


def _tasks(
    gateways: OperationsGateways, deployed: DeployedService, desired_status: str, revisions: RevisionReader
) -> list[TaskLine]:
    service_name = deployed.service["serviceName"]
    arns = gateways.ecs.task_arns(cluster=deployed.cluster, service=service_name, desired_status=desired_status)
    tasks = gateways.ecs.tasks(cluster=deployed.cluster, task_arns=arns) if arns else []
    # The service's own tasks only: ECS groups them as "service:<name>"; one-off tasks share the cluster.
    return [task_line(task, revisions) for task in tasks if task.get("group") == f"service:{service_name}"]


def task_line(task: dict[str, Any], revisions: RevisionReader) -> TaskLine:
    return TaskLine(
        task_id=task_id(task["taskArn"]),
        last_status=task.get("lastStatus", "?"),
        health=task.get("healthStatus", "UNKNOWN"),
        revision=revisions(task.get("taskDefinitionArn")),
        started_at=task.get("startedAt"),
        stopped_at=task.get("stoppedAt"),
        stop_code=task.get("stopCode", ""),
        stopped_reason=task.get("stoppedReason", ""),
        containers=tuple(
            (container.get("name", "?"), container.get("exitCode"), container.get("reason", ""))
            for container in task.get("containers", [])
        ),
    )


def _deployment(gateways: OperationsGateways, config: EnvironmentConfig) -> DeploymentLine | None:
    active = gateways.codedeploy.active_deployments(
        application=config.codedeploy_application_name, group=config.deployment_group_name
    )
    if not active:
        return None
    info = gateways.codedeploy.deployment(active[0])
    return DeploymentLine(
        deployment_id=active[0],
        status=info.get("status", "?"),
        step=lifecycle_step(gateways.codedeploy.lifecycle_events(active[0])),
    )


def lifecycle_step(events: list[dict[str, Any]]) -> str:
    """The event in progress, else the last one that finished; ``""`` before any started."""
    for event in events:
        if event.get("status") == "InProgress":
            return f"{event.get('lifecycleEventName')} (InProgress)"
    finished = [event for event in events if event.get("status") not in {None, "Pending"}]
    if finished:
        return f"{finished[-1].get('lifecycleEventName')} ({finished[-1].get('status')})"
    return ""


def _target_groups(gateways: OperationsGateways, deployed: DeployedService) -> tuple[TargetGroupLine, ...]:
    listener = deployed.outputs.get(StackOutput.PRODUCTION_LISTENER_ARN)
    live = set(gateways.load_balancer.forwarded_target_groups(listener)) if listener else set()
    groups = []
    for color, key in (
        (TargetGroupColor.BLUE, StackOutput.BLUE_TARGET_GROUP_ARN),
        (TargetGroupColor.GREEN, StackOutput.GREEN_TARGET_GROUP_ARN),
    ):
        arn = deployed.outputs.get(key)
        if not arn:
            continue
        targets = tuple(
            (
                f"{health['Target']['Id']}:{health['Target'].get('Port', '')}",
                health.get("TargetHealth", {}).get("State", "?"),
                health.get("TargetHealth", {}).get("Description") or health.get("TargetHealth", {}).get("Reason", ""),
            )
            for health in gateways.load_balancer.target_health(arn)
        )
        groups.append(TargetGroupLine(color=color, live=arn in live, targets=targets))
    return tuple(groups)


def status_lines(status: ServiceStatus) -> list[str]:
    """The status as the operator reads it, most urgent facts first."""
    lines = [
        f"{status.cluster}/{status.service} ({status.environment}) at {status.url}",
        f"  tasks: {status.desired} desired, {status.running} running, {status.pending} pending",
        f"  live revision: {_revision(status.live)}",
    ]
    if status.deployment:
        deployment = status.deployment
        step = f", step {deployment.step}" if deployment.step else ""
        lines.append(f"  deployment in progress: {deployment.deployment_id} {deployment.status}{step}")
    else:
        lines.append("  no deployment in progress")
    lines.append("Running tasks:")
    lines += [
        f"  {task.task_id} {task.last_status} {task.health} {_revision(task.revision)} since {_time(task.started_at)}"
        for task in status.running_tasks
    ] or ["  none"]
    lines.append("Target groups:")
    for group in status.target_groups:
        lines.append(f"  {group.color}{' (production)' if group.live else ''}:")
        lines += [
            f"    {target} {state}{f' ({reason})' if reason else ''}" for target, state, reason in group.targets
        ] or ["    no targets"]
    lines.append("Alarms:")
    lines += [
        f"  {name}: {state}{f' ({reason})' if state != 'OK' and reason else ''}"
        for name, state, reason in status.alarms
    ] or ["  none found"]
    lines.append("Last stopped tasks:")
    for task in status.stopped_tasks:
        lines.append(f"  {task.task_id} stopped {_time(task.stopped_at)} {_revision(task.revision)}")
        lines.append(f"    stop code: {task.stop_code or '?'}; reason: {task.stopped_reason or '?'}")
        lines += [
            f"    container {name}: exit code {'none' if code is None else code}{f' ({reason})' if reason else ''}"
            for name, code, reason in task.containers
        ]
    if not status.stopped_tasks:
        lines.append("  none in the last hour")
    return lines


def _revision(revision: Revision) -> str:
    return f"{revision.name} image {revision.image} release {revision.release}"


def _time(moment: datetime | None) -> str:
    return moment.strftime("%Y-%m-%d %H:%M:%S %Z").strip() if moment else "?"
