"""Following a CodeDeploy deployment: every state change and lifecycle event reported once, as it happens."""

from __future__ import annotations

import time
from collections.abc import Callable, Collection, Mapping
from typing import Any

from deploy.bluegreen.errors import DeploymentTimeoutError
from deploy.bluegreen.events import Event, Level, Progress
from deploy.bluegreen.gateways import CodeDeployGateway

TERMINAL_STATUSES = frozenset({"Succeeded", "Failed", "Stopped"})
_STATUS_LEVELS = {"Succeeded": Level.SUCCESS, "Failed": Level.ERROR, "Stopped": Level.WARNING}


class DeploymentWatcher:
    """Polls a deployment and its ECS target; remembers what it reported so nothing is printed twice."""

    def __init__(
        self,
        codedeploy: CodeDeployGateway,
        *,
        progress: Progress,
        poll_interval: float,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._codedeploy = codedeploy
        self._progress = progress
        self._poll_interval = poll_interval
        self._sleep = sleep
        self._clock = clock
        self._seen: dict[str, dict[str, str]] = {}

    def wait(
        self, deployment_id: str, *, deadline: float, until: Collection[str] = TERMINAL_STATUSES
    ) -> dict[str, Any]:
        """Return the deployment once its status is in ``until`` or final; past ``deadline`` raise."""
        while True:
            info = self._codedeploy.deployment(deployment_id)
            self._report(deployment_id, info)
            if info["status"] in until or info["status"] in TERMINAL_STATUSES:
                return info
            if self._clock() >= deadline:
                raise DeploymentTimeoutError(f"deployment {deployment_id} is still {info['status']}")
            self._sleep(self._poll_interval)

    def _report(self, deployment_id: str, info: Mapping[str, Any]) -> None:
        seen = self._seen.setdefault(deployment_id, {})
        status = info["status"]
        if seen.get("") != status:
            seen[""] = status
            self._progress(Event(_STATUS_LEVELS.get(status, Level.INFO), f"deployment {deployment_id}: {status}"))
        for event in self._codedeploy.lifecycle_events(deployment_id):
            name, event_status = event.get("lifecycleEventName", "?"), event.get("status", "?")
            # Events not yet reached are all Pending from the start; only their progress is news.
            if seen.get(name, "Pending") != event_status:
                seen[name] = event_status
                self._progress(Event(_event_level(event_status), f"  {name}: {event_status}"))


def _event_level(status: str) -> Level:
    return {"Succeeded": Level.SUCCESS, "Failed": Level.ERROR}.get(status, Level.INFO)


def deployment_failure_reason(info: Mapping[str, Any]) -> str:
    """What CodeDeploy says went wrong: error code and message, and the rollback it started, if any."""
    error = info.get("errorInformation") or {}
    reason = ": ".join(filter(None, [error.get("code"), error.get("message")])) or f"status {info.get('status')}"
    messages = [m for m in info.get("deploymentStatusMessages", []) if m and m not in reason]
    return "; ".join([reason, *messages])


def rollback_deployment_id(info: Mapping[str, Any]) -> str | None:
    return (info.get("rollbackInfo") or {}).get("rollbackDeploymentId")
