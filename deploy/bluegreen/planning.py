"""Deciding what a release will do, from what runs and what the stack registered; nothing here writes."""

from __future__ import annotations

from typing import Any

from deploy.bluegreen.appspec import appspec_build
from deploy.bluegreen.errors import NothingToRollBackError, TargetMismatchError
from deploy.bluegreen.gateways import CodeDeployGateway, EcsGateway
from deploy.bluegreen.history import rollback_revision
from deploy.bluegreen.plan import Plan, task_definition_name
from deploy.bluegreen.target import Target
from deploy.bluegreen.taskdef import (
    container_environment,
    container_image,
    release_from_image,
    task_definition_diff,
    task_definition_for_release,
)
from deploy.config import EnvironmentConfig, StackPart


def plan_deploy(config: EnvironmentConfig, *, ecs: EcsGateway, target: Target, image: str | None) -> Plan:
    """Build on the family's latest revision, which carries what the stack last registered (CPU,
    memory, variables, secrets); ``image`` ``None`` keeps the running image and release (ADR 0010)."""
    running, tags = ecs.task_definition(target.task_definition_arn)
    latest_arn = ecs.family_revisions(running["family"])[0]
    base, base_tags = (running, tags) if latest_arn == running["taskDefinitionArn"] else ecs.task_definition(latest_arn)
    if image is None:
        image = container_image(running, target.container)
        release = container_environment(running, target.container, config.service.release_env_var)
        release = release or release_from_image(image)
    else:
        release = release_from_image(image)
    register_keys = ecs.register_keys()
    spec = task_definition_for_release(
        base,
        register_keys=register_keys,
        tags=base_tags,
        container_name=target.container,
        image=image,
        release_env_var=config.service.release_env_var,
        release=release,
    )
    before = {key: value for key, value in running.items() if key in register_keys}
    return Plan(
        action="deploy",
        target=target,
        release=release,
        image=image,
        register=spec,
        base_task_definition_arn=base["taskDefinitionArn"],
        task_definition_arn=None,
        changes=task_definition_diff(before, {k: v for k, v in spec.items() if k != "tags"}),
        appspec=appspec_for(config, f"{spec['family']}:<next revision>"),
        migrate_command=config.service.migrate_command,
    )


def plan_rollback(config: EnvironmentConfig, *, ecs: EcsGateway, codedeploy: CodeDeployGateway, target: Target) -> Plan:
    """Deploy again the revision of the last succeeded deployment before the running one (ADR 0010)."""
    current_arn = target.task_definition_arn
    current, _ = ecs.task_definition(current_arn)
    succeeded = codedeploy.deployments(
        application=target.application, group=target.deployment_group, statuses=["Succeeded"]
    )
    previous_arn = rollback_revision(succeeded, current=current_arn)
    if not previous_arn:
        raise NothingToRollBackError(
            f"no succeeded deployment of {target.application}/{target.deployment_group} deployed another "
            f"revision than {task_definition_name(current_arn)}"
        )
    previous, _ = ecs.task_definition(previous_arn)
    register_keys = ecs.register_keys()
    return Plan(
        action="rollback",
        target=target,
        release=container_environment(previous, target.container, config.service.release_env_var),
        image=None,
        register=None,
        task_definition_arn=previous["taskDefinitionArn"],
        changes=task_definition_diff(
            {k: v for k, v in current.items() if k in register_keys},
            {k: v for k, v in previous.items() if k in register_keys},
        ),
        appspec=appspec_for(config, previous["taskDefinitionArn"]),
        migrate_command=None,
    )


def plan_migrate(config: EnvironmentConfig, *, target: Target, task_definition: dict[str, Any]) -> Plan:
    """Only the migrations, with the running revision: nothing registered or deployed."""
    return Plan(
        action="migrate",
        target=target,
        release=container_environment(task_definition, target.container, config.service.release_env_var),
        image=None,
        register=None,
        task_definition_arn=target.task_definition_arn,
        changes=[],
        appspec={},
        migrate_command=config.service.migrate_command,
    )


def plan_migration_task(
    config: EnvironmentConfig, *, ecs: EcsGateway, container: str, image: str, release: str | None
) -> tuple[dict[str, Any], dict[str, Any] | None]:
    """The migration family's latest revision, and what to register instead when that one runs another
    image or release (ADR 0019); ``None`` then means it runs as it is."""
    revisions = ecs.family_revisions(config.migration_family)
    if not revisions:
        raise TargetMismatchError(
            f"task definition family {config.migration_family!r} has no revision: deploy the ECS stack "
            f"({config.stack_name(StackPart.SERVICE)}) with `cdk deploy`, which registers it"
        )
    latest, tags = ecs.task_definition(revisions[0])
    env_var = config.service.release_env_var
    if container_image(latest, container) == image and container_environment(latest, container, env_var) == release:
        return latest, None
    spec = task_definition_for_release(
        latest,
        register_keys=ecs.register_keys(),
        tags=tags,
        container_name=container,
        image=image,
        release_env_var=env_var,
        release=release or release_from_image(image),
    )
    return latest, spec


def appspec_for(config: EnvironmentConfig, task_definition: str) -> dict[str, Any]:
    """The load balancer routes to the proxy's container; a release changes the app's (ADR 0013)."""
    return appspec_build(
        task_definition_arn=task_definition,
        container_name=config.proxy_container_name,
        container_port=config.service.container_port,
    )
