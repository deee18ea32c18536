"""How long a CD release job can run at worst, from the configuration: what its AWS session must outlast."""

from __future__ import annotations

import math
import re

from deploy.bluegreen.budget import WaitBudget, wait_budget
from deploy.bluegreen.release import ROLLBACK_INFO_WAIT_SECONDS, ReleaseOptions
from deploy.config import EnvironmentConfig, ReleaseConfig

# Building and pushing the image without caches (deploy.yml), under the same session.
IMAGE_BUILD_MINUTES = 20
# CodeDeploy's predefined ECS configs name their traffic shifting: Canary10Percent5Minutes,
# Linear10PercentEvery3Minutes; AllAtOnce shifts in one step.
_PREDEFINED = re.compile(r"ECS(?P<kind>Canary|Linear)(?P<percent>\d+)Percent(?:Every)?(?P<minutes>\d+)Minutes?$")
# An STS session lasts 1 to 12 hours (IAM CreateRole, MaxSessionDuration).
SESSION_MAX_HOURS = 12


def configured_wait_budget(release: ReleaseConfig) -> WaitBudget:
    """The budget ``bluegreen_deploy`` derives from the deployment group the stack builds from ``release``."""
    group = {
        "blueGreenDeploymentConfiguration": {
            "deploymentReadyOption": {
                "actionOnTimeout": "STOP_DEPLOYMENT",
                "waitTimeInMinutes": release.ready_wait_minutes,
            },
            "terminateBlueInstancesOnDeploymentSuccess": {
                "action": "TERMINATE",
                "terminationWaitTimeInMinutes": release.termination_wait_minutes,
            },
        }
    }
    routing = {}
    if match := _PREDEFINED.search(release.deployment_config_name):
        percent, minutes = int(match["percent"]), int(match["minutes"])
        routing = (
            {"timeBasedCanary": {"canaryPercentage": percent, "canaryInterval": minutes}}
            if match["kind"] == "Canary"
            else {"timeBasedLinear": {"linearPercentage": percent, "linearInterval": minutes}}
        )
    return wait_budget(group, traffic_routing=routing)


def release_worst_case_minutes(config: EnvironmentConfig, *, options: ReleaseOptions | None = None) -> int:
    """Build and push, the migration task to its timeout, the whole wait budget, then a stop whose
    deployment and rollback are each followed to their timeout, and the wait for a late rollbackInfo."""
    options = options or ReleaseOptions()
    seconds = (
        IMAGE_BUILD_MINUTES * 60
        + options.migration_timeout_seconds
        + configured_wait_budget(config.release).total_seconds
        + 2 * options.rollback_timeout_seconds
        + ROLLBACK_INFO_WAIT_SECONDS
    )
    return math.ceil(seconds / 60)


def session_hours(config: EnvironmentConfig) -> int:
    """Whole hours of OIDC session that cover the worst case (STS sessions are set in seconds, IAM roles
    cap them at 1 to 12 hours)."""
    hours = math.ceil(release_worst_case_minutes(config) / 60)
    if hours > SESSION_MAX_HOURS:
        raise ValueError(f"a release of {config.name} can outlast the longest STS session ({SESSION_MAX_HOURS} h)")
    return max(hours, 1)
