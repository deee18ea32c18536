"""Finding a deployed environment: its ECS stack's outputs and its service, or why it cannot be operated on."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from deploy.bluegreen.target import service_placement, service_task_definition
from deploy.config import EnvironmentConfig, StackOutput, StackPart
from deploy.operations.errors import NotDeployedError
from deploy.operations.gateways import OperationsGateways

# Statuses whose outputs describe resources that exist: a finished create or update, or a rolled-back update.
USABLE_STACK_STATUSES = frozenset(
    {
        "CREATE_COMPLETE",
        "UPDATE_COMPLETE",
        "UPDATE_IN_PROGRESS",
        "UPDATE_COMPLETE_CLEANUP_IN_PROGRESS",
        "UPDATE_ROLLBACK_COMPLETE",
        "UPDATE_ROLLBACK_IN_PROGRESS",
        "UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS",
        "IMPORT_COMPLETE",
        "IMPORT_ROLLBACK_COMPLETE",
    }
)


@dataclass(frozen=True, kw_only=True)
class DeployedService:
    """The environment's service as ECS describes it now, with the stack outputs that locate the rest."""

    config: EnvironmentConfig
    outputs: dict[str, str]
    service: dict[str, Any]

    @property
    def cluster(self) -> str:
        return self.outputs.get(StackOutput.CLUSTER_NAME) or self.config.cluster_name

    @property
    def live_task_definition(self) -> str:
        """The revision production traffic reaches: the PRIMARY task set's under CodeDeploy."""
        return service_task_definition(self.service)

    @property
    def network_configuration(self) -> dict[str, Any]:
        return self.service["networkConfiguration"]

    @property
    def placement(self) -> dict[str, Any]:
        return service_placement(self.service)


def deployed_service(config: EnvironmentConfig, *, gateways: OperationsGateways) -> DeployedService:
    """Read the ECS stack and the service; raise ``NotDeployedError`` saying what to do when either is missing."""
    stack_name = config.stack_name(StackPart.SERVICE)
    where = f"account's region {gateways.region}"
    stack = gateways.stacks.stack(stack_name)
    if stack is None:
        raise NotDeployedError(
            f"environment {config.name} is not deployed in this {where}: stack {stack_name} does not exist "
            f"(create it: manage.py provision --env {config.name}; or check your credentials' account)"
        )
    status = stack.get("StackStatus", "")
    if status not in USABLE_STACK_STATUSES:
        raise NotDeployedError(
            f"stack {stack_name} is {status}: "
            + (
                "still being created; wait for it"
                if status == "CREATE_IN_PROGRESS"
                else f"its creation did not finish; see why with aws cloudformation describe-stack-events "
                f"--stack-name {stack_name}, then delete it and provision again"
            )
        )
    outputs = {output["OutputKey"]: output["OutputValue"] for output in stack.get("Outputs", [])}
    service = gateways.ecs.service(
        cluster=outputs.get(StackOutput.CLUSTER_NAME) or config.cluster_name,
        service=outputs.get(StackOutput.SERVICE_NAME) or config.service_name,
    )
    return DeployedService(config=config, outputs=outputs, service=service)
