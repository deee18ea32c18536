"""The errors provisioning and teardown end with; the commands turn each into a ``CommandError``."""

from __future__ import annotations

from deploy.bluegreen.errors import DeployError


class ProvisionError(DeployError):
    """Base of every error ``provision`` and ``teardown`` report; its message says what to do next."""


class CredentialsError(ProvisionError):
    """No usable AWS credentials: nothing was asked of AWS beyond who the caller is."""


class AssemblyError(ProvisionError):
    """The cloud assembly is missing, unreadable, or not the environment's."""


class StackStateError(ProvisionError):
    """A stack is in a state no deployment can start from (failed creation, a rollback that failed, busy)."""


class UnsafeUpdateError(ProvisionError):
    """The ECS stack's update would touch what CodeDeploy owns (``update_problems``): nothing was deployed."""


class CdkError(ProvisionError):
    """The CDK CLI exited non-zero, or could not be started."""


class ImageError(ProvisionError):
    """No image to create the service with: not in the repository, and none could be built."""


class ReadinessError(ProvisionError):
    """The service did not answer ready through the load balancer in time."""


class RefusedError(ProvisionError):
    """The operation was refused before anything was asked of AWS (prod teardown, no confirmation)."""


class ProvisionInterruptedError(ProvisionError):
    """Ctrl-C or SIGTERM: whatever ran was stopped; the message says what may still go on in AWS."""
