"""The errors an operation can end with; each command turns them into a ``CommandError``."""

from __future__ import annotations

from deploy.bluegreen.errors import DeployError

# What a shell reports for a process ended by Ctrl-C.
INTERRUPTED_EXIT_CODE = 130


class OperationError(DeployError):
    """Base of every error the runbook commands report; its message is meant for the operator."""


class NotDeployedError(OperationError):
    """The environment's ECS stack does not exist, or is not in a state whose outputs can be trusted."""


class NoRunningTaskError(OperationError):
    """The service has no running task to open a session in."""


class ExecUnavailableError(OperationError):
    """ECS Exec cannot reach the task: the plugin is missing, or the task was started without exec."""


class BadInputError(OperationError):
    """An option's value the command cannot use (a duration, a port pair, a task id)."""


class TaskExitError(OperationError):
    """A one-off task ended without its container exiting 0; ``exit_code`` is the container's (1 if none)."""

    def __init__(self, message: str, *, exit_code: int) -> None:
        super().__init__(message)
        self.exit_code = exit_code
