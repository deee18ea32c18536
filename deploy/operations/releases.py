"""The deployment history of the environment's CodeDeploy group: what each release deployed, how it ended, and
the rollbacks with their cause (the seed runbook's ``aws deploy list-deployments`` and ``get-deployment``)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from deploy.bluegreen.appspec import appspec_task_definition
from deploy.bluegreen.watch import deployment_failure_reason
from deploy.config import EnvironmentConfig
from deploy.operations.environment import deployed_service
from deploy.operations.gateways import OperationsGateways
from deploy.operations.revisions import Revision, RevisionReader

DEFAULT_SHOWN = 10


@dataclass(frozen=True, kw_only=True)
class ReleaseRecord:
    deployment_id: str
    status: str
    revision: Revision
    created: datetime | None
    completed: datetime | None
    # CodeDeploy's creator (user, autoscaling, codeDeployRollback, CodeDeployAutoUpdate) and the description
    # the creator gave (bluegreen_deploy names its action and release there).
    creator: str
    description: str
    failure: str
    rollback: str


def release_history(
    config: EnvironmentConfig, *, gateways: OperationsGateways, limit: int = DEFAULT_SHOWN
) -> list[ReleaseRecord]:
    """The group's ``limit`` newest deployments, newest first."""
    deployed_service(config, gateways=gateways)
    revisions = RevisionReader(gateways.ecs, config)
    infos = gateways.codedeploy.history(
        application=config.codedeploy_application_name, group=config.deployment_group_name, limit=limit
    )
    return [release_record(info, revisions) for info in infos]


def release_record(info: dict[str, Any], revisions: RevisionReader) -> ReleaseRecord:
    status = info.get("status", "?")
    return ReleaseRecord(
        deployment_id=info["deploymentId"],
        status=status,
        revision=revisions(appspec_task_definition(info.get("revision") or {})),
        created=info.get("createTime"),
        completed=info.get("completeTime"),
        creator=info.get("creator", "?"),
        description=info.get("description", ""),
        failure=deployment_failure_reason(info) if status in {"Failed", "Stopped"} else "",
        rollback=rollback_text(info.get("rollbackInfo") or {}),
    )


def rollback_text(rollback: dict[str, Any]) -> str:
    """Which deployment rolled this one back, or which one this rollback undid, and CodeDeploy's message."""
    parts = []
    if rollback.get("rollbackDeploymentId"):
        parts.append(f"rolled back by {rollback['rollbackDeploymentId']}")
    if rollback.get("rollbackTriggeringDeploymentId"):
        parts.append(f"rollback of {rollback['rollbackTriggeringDeploymentId']}")
    if rollback.get("rollbackMessage"):
        parts.append(rollback["rollbackMessage"])
    return "; ".join(parts)


def release_lines(records: list[ReleaseRecord]) -> list[str]:
    if not records:
        return ["No deployment of the group yet."]
    lines = []
    for record in records:
        revision = record.revision
        lines.append(f"{record.deployment_id} {record.status}")
        if record.revision.name == "?":
            lines.append("  revision: none recorded")
        else:
            lines.append(f"  revision {revision.name} image {revision.image} release {revision.release}")
        lines.append(f"  {_time(record.created)} -> {_time(record.completed)}, by {record.creator}")
        if record.description:
            lines.append(f"  {record.description}")
        if record.failure:
            lines.append(f"  why: {record.failure}")
        if record.rollback:
            lines.append(f"  rollback: {record.rollback}")
    return lines


def _time(moment: datetime | None) -> str:
    return moment.strftime("%Y-%m-%d %H:%M:%S %Z").strip() if moment else "..."
