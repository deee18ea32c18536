"""How long a deployment may take, derived from the deployment group's own wait and termination times."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

# Slack for what the group's timings do not cover: starting green tasks, registering targets, health checks.
BUFFER_MINUTES = 10
# The longest CodeDeploy lets a group wait (ready wait and termination wait are at most 2 days each) is
# absurd for a CD job; past six hours something is wrong and the release is stopped.
MAX_MINUTES = 360


@dataclass(frozen=True)
class WaitBudget:
    ready_minutes: int
    traffic_minutes: int
    termination_minutes: int
    buffer_minutes: int

    @property
    def total_minutes(self) -> int:
        total = self.ready_minutes + self.traffic_minutes + self.termination_minutes + self.buffer_minutes
        return min(total, MAX_MINUTES)

    @property
    def total_seconds(self) -> float:
        return self.total_minutes * 60.0


def wait_budget(
    deployment_group: Mapping[str, Any],
    *,
    traffic_routing: Mapping[str, Any] | None = None,
    buffer_minutes: int = BUFFER_MINUTES,
) -> WaitBudget:
    """Budget = ready wait (if the group stops on it) + traffic shifting + blue termination wait + buffer.

    ``traffic_routing`` is the deployment config's ``trafficRoutingConfig`` (canary and linear configs
    take time to move traffic; all-at-once takes none).
    """
    blue_green = deployment_group.get("blueGreenDeploymentConfiguration") or {}
    ready = blue_green.get("deploymentReadyOption") or {}
    ready_minutes = ready.get("waitTimeInMinutes", 0) if ready.get("actionOnTimeout") == "STOP_DEPLOYMENT" else 0
    terminate = blue_green.get("terminateBlueInstancesOnDeploymentSuccess") or {}
    termination_minutes = (
        terminate.get("terminationWaitTimeInMinutes", 0) if terminate.get("action") == "TERMINATE" else 0
    )
    return WaitBudget(
        ready_minutes=ready_minutes,
        traffic_minutes=traffic_shift_minutes(traffic_routing or {}),
        termination_minutes=termination_minutes,
        buffer_minutes=buffer_minutes,
    )


def traffic_shift_minutes(traffic_routing: Mapping[str, Any]) -> int:
    """Minutes a canary or linear config spends moving traffic; 0 for all at once."""
    if canary := traffic_routing.get("timeBasedCanary"):
        return int(canary.get("canaryInterval", 0))
    if linear := traffic_routing.get("timeBasedLinear"):
        percentage = linear.get("linearPercentage") or 100
        return math.ceil(100 / percentage) * int(linear.get("linearInterval", 0))
    return 0
