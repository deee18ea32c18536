"""Reading CodeDeploy's record of a group's deployments: what last served, and which deployment is ours."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from deploy.bluegreen.appspec import appspec_task_definition
from deploy.bluegreen.plan import task_definition_name


def rollback_revision(succeeded: Iterable[Mapping[str, Any]], *, current: str) -> str | None:
    """The task definition of the newest succeeded deployment that deployed another revision than ``current``.

    Only a succeeded deployment proves its revision served; a revision registered for a release that
    failed or was stopped never did, however recent (ADR 0010). ``succeeded`` is newest first.
    """
    for info in succeeded:
        arn = appspec_task_definition(info.get("revision") or {})
        if arn and task_definition_name(arn) != task_definition_name(current):
            return arn
    return None


def own_deployment(deployments: Iterable[Mapping[str, Any]], *, description: str) -> str | None:
    """The deployment this caller created, told by the one-off ``description`` it gave CreateDeployment."""
    return next((info["deploymentId"] for info in deployments if info.get("description") == description), None)
