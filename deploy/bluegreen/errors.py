"""The errors a release can end with; the command turns each into a ``CommandError``."""

from __future__ import annotations


class DeployError(Exception):
    """Base of every error ``bluegreen_deploy`` reports; its message is meant for the operator."""


class AwsCallError(DeployError):
    """An AWS call failed after botocore's own retries (access denied, a missing resource, an outage)."""

    def __init__(self, operation: str, code: str, message: str) -> None:
        super().__init__(f"{operation} failed: {code}: {message}")
        self.operation = operation
        self.code = code


class StackNotFoundError(DeployError):
    """The stack whose outputs locate the service does not exist (not deployed, or another region)."""


class TargetMismatchError(DeployError):
    """The resources found do not fit a blue/green release of this service (wrong group, controller, ...)."""


class ImageError(DeployError):
    """The image URI cannot be released: no tag or digest to name the release by."""


class DeploymentInProgressError(DeployError):
    """Another deployment of the group is still running."""


class MigrationFailedError(DeployError):
    """The one-off migration task did not exit 0; nothing was shifted."""


class DeploymentFailedError(DeployError):
    """The deployment ended in any state but Succeeded (failed, stopped, rolled back, timed out)."""


class NothingToRollBackError(DeployError):
    """``--rollback`` found no earlier revision of the task definition family."""


class GreenValidationError(DeployError):
    """The new tasks answered wrongly (or not at all) on the test listener."""


class DeploymentTimeoutError(DeployError):
    """The deployment did not finish within its wait budget."""


class RunnerAddressError(DeployError):
    """The CD runner's address, given or echoed, is not an IP address to open the test listener to."""
