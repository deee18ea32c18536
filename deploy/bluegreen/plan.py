"""What a release will do, decided before any change is made; shown as is by ``--dry-run``."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from deploy.bluegreen.target import Target
from deploy.bluegreen.taskdef import Change


@dataclass(frozen=True, kw_only=True)
class Plan:
    action: str  # "deploy" a new image, "rollback" to an earlier revision, or "migrate" the running one
    target: Target
    release: str | None
    image: str | None
    # A new revision to register (deploy), or the existing one to deploy again (rollback).
    register: dict[str, Any] | None
    task_definition_arn: str | None
    changes: list[Change]
    appspec: dict[str, Any]
    migrate_command: tuple[str, ...] | None
    # The revision a new one is built on: the family's latest (what the stack last registered).
    base_task_definition_arn: str | None = None


def task_definition_name(arn: str) -> str:
    """``family:revision`` from a task definition ARN."""
    return arn.rsplit("/", 1)[-1]


def task_definition_revision(arn: str) -> int:
    return int(task_definition_name(arn).rsplit(":", 1)[-1])


def plan_lines(plan: Plan) -> list[str]:
    """The plan as the operator reads it: where, what changes, the AppSpec and how long it may take."""
    target = plan.target
    budget = target.budget
    network = target.network_configuration.get("awsvpcConfiguration", {})
    current = task_definition_name(target.task_definition_arn)
    if plan.register is not None:
        base = task_definition_name(plan.base_task_definition_arn or "")
        release_line = (
            f"Task definition: {current} -> new revision of {plan.register.get('family')}, built on {base} "
            "(the family's latest); changes from the running one:"
        )
    else:
        release_line = f"Task definition: {current} -> {task_definition_name(plan.task_definition_arn or '')}"
    lines = [
        f"Environment:     {target.environment} ({target.region}), stack {target.stack_name}",
        f"Service:         {target.cluster}/{target.service}, image of container {target.container}, "
        f"traffic on port {target.container_port}",
        f"CodeDeploy:      {target.application}/{target.deployment_group} ({target.deployment_config})",
        f"Test listener:   {target.test_listener_url}",
        f"Release:         {plan.release or 'unnamed'}" + (f" ({plan.image})" if plan.image else ""),
        release_line,
        *[f"  {change.path}: {_short(change.before)} -> {_short(change.after)}" for change in plan.changes],
    ]
    if plan.migrate_command:
        lines.append(
            f"Migrations:      {' '.join(plan.migrate_command)} in subnets {', '.join(network.get('subnets', []))}, "
            f"security groups {', '.join(network.get('securityGroups', []))}"
        )
    else:
        lines.append("Migrations:      none (the schema is kept; the revision must work with it)")
    lines += [
        "AppSpec:",
        *[f"  {line}" for line in json.dumps(plan.appspec, indent=2).splitlines()],
        f"Wait budget:     {budget.total_minutes} min (ready wait {budget.ready_minutes} + traffic shift "
        f"{budget.traffic_minutes} + blue termination {budget.termination_minutes} + buffer {budget.buffer_minutes})",
    ]
    return lines


def _short(value: Any) -> str:
    return "(none)" if value is None else json.dumps(value) if not isinstance(value, str) else value
