"""The release's migration task: the app's image with the master user's credentials, apart from the service.

ECS cannot override a container's secrets when running a task, so the credentials that own the schema
live in a task definition of their own rather than in the service's (ADR 0019). The release registers a
revision of it with each new image and runs it once; the service's tasks never hold the master password.
"""

from __future__ import annotations

from aws_cdk import Duration
from aws_cdk import aws_ecr as ecr
from aws_cdk import aws_ecs as ecs
from aws_cdk import aws_iam as iam
from aws_cdk import aws_logs as logs
from aws_cdk import aws_secretsmanager as secretsmanager
from constructs import Construct

from deploy.config import EnvironmentConfig
from deploy.infra.nag import nag_acknowledge
from deploy.infra.web_service import DATABASE_SECRET_FIELDS

# The app role's secret fields, by the variable db_app_role reads.
APP_ROLE_SECRET_FIELDS = {"DB_APP_USER": "username", "DB_APP_PASSWORD": "password"}
LOG_STREAM_PREFIX = "migrate"


class MigrationTask(Construct):
    """Task definition family ``<resource name>-migrate``: migrate, then set up the app's role."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        config: EnvironmentConfig,
        repository: ecr.IRepository,
        image_tag: str,
        master_secret: secretsmanager.ISecret,
        app_secret: secretsmanager.ISecret,
        secret_key: secretsmanager.ISecret,
        task_role: iam.IRole,
        log_group: logs.ILogGroup,
        environment: dict[str, str],
        runtime_platform: ecs.RuntimePlatform,
    ) -> None:
        super().__init__(scope, construct_id)
        service = config.service
        # Reads the master secret; the service's execution role cannot.
        self.execution_role = iam.Role(
            self, "ExecutionRole", assumed_by=iam.ServicePrincipal("ecs-tasks.amazonaws.com")
        )
        self.task_definition = ecs.FargateTaskDefinition(
            self,
            "TaskDefinition",
            family=config.migration_family,
            cpu=service.cpu,
            memory_limit_mib=service.memory_mib,
            execution_role=self.execution_role,
            task_role=task_role,
            runtime_platform=runtime_platform,
        )
        self.task_definition.add_container(
            "Migrate",
            container_name=config.container_name,
            image=ecs.ContainerImage.from_ecr_repository(repository, tag=image_tag),
            command=list(service.migrate_command),
            environment=environment,
            secrets={
                "DJANGO_SECRET_KEY": ecs.Secret.from_secrets_manager(secret_key),
                **{
                    name: ecs.Secret.from_secrets_manager(master_secret, field)
                    for name, field in DATABASE_SECRET_FIELDS.items()
                },
                **{
                    name: ecs.Secret.from_secrets_manager(app_secret, field)
                    for name, field in APP_ROLE_SECRET_FIELDS.items()
                },
            },
            logging=ecs.LogDrivers.aws_logs(stream_prefix=LOG_STREAM_PREFIX, log_group=log_group),
            stop_timeout=Duration.seconds(service.stop_timeout_seconds),
            readonly_root_filesystem=False,
        )
        nag_acknowledge(
            self.execution_role,
            rule="AwsSolutions-IAM5[Resource::*]",
            reason="ecr:GetAuthorizationToken supports no resource-level permissions; the pull itself is "
            "limited to this repository.",
        )
        nag_acknowledge(
            self.task_definition,
            rule="AwsSolutions-ECS2",
            reason="Only the service's non-secret values (settings module, hosts, TLS mode, release tag) are "
            "plain environment variables; every secret is injected from Secrets Manager.",
        )
