"""The Fargate service running the Django app: cluster, roles, task definition, logs and scaling."""

from __future__ import annotations

from aws_cdk import Duration, RemovalPolicy
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_ecr as ecr
from aws_cdk import aws_ecs as ecs
from aws_cdk import aws_elasticloadbalancingv2 as elbv2
from aws_cdk import aws_iam as iam
from aws_cdk import aws_logs as logs
from aws_cdk import aws_secretsmanager as secretsmanager
from constructs import Construct

from deploy.config import EnvironmentConfig
from deploy.infra.nag import nag_acknowledge
from deploy.infra.retention import retention_days

SETTINGS_MODULE = "project.settings.production"
# The names a browser sends through an operator's port forward (manage.py exec --port-forward) to the admin.
PORT_FORWARD_HOSTS = ("127.0.0.1", "localhost")
# The RDS-generated secret's JSON fields, by the variable project.settings.database reads.
DATABASE_SECRET_FIELDS = {
    "DB_HOST": "host",
    "DB_PORT": "port",
    "DB_NAME": "dbname",
    "DB_USER": "username",
    "DB_PASSWORD": "password",
}


class WebService(Construct):
    """The app behind the ALB's blue target group; CodeDeploy owns its task definition after creation."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        config: EnvironmentConfig,
        vpc: ec2.IVpc,
        security_group: ec2.ISecurityGroup,
        repository: ecr.IRepository,
        image_tag: str,
        database_secret: secretsmanager.ISecret,
        allowed_host: str,
        target_group: elbv2.IApplicationTargetGroup,
    ) -> None:
        super().__init__(scope, construct_id)
        service = config.service
        self.cluster = ecs.Cluster(
            self,
            "Cluster",
            cluster_name=config.cluster_name,
            vpc=vpc,
            container_insights_v2=ecs.ContainerInsights.ENABLED,
        )
        # Fixed name: a retained group would make a disposable environment's re-creation fail on it.
        self.log_group = logs.LogGroup(
            self,
            "Logs",
            log_group_name=config.log_group_name,
            retention=retention_days(service.log_retention_days),
            removal_policy=RemovalPolicy.DESTROY if config.disposable else RemovalPolicy.RETAIN,
        )
        self.secret_key = secretsmanager.Secret(
            self,
            "DjangoSecretKey",
            description=f"DJANGO_SECRET_KEY of {config.resource_name}",
            generate_secret_string=secretsmanager.SecretStringGenerator(password_length=64, exclude_punctuation=True),
        )
        # Pulls the image, writes logs and reads the secrets at task start; the app never holds it.
        self.execution_role = iam.Role(
            self, "ExecutionRole", assumed_by=iam.ServicePrincipal("ecs-tasks.amazonaws.com")
        )
        # The app's own AWS access: nothing beyond ECS Exec today.
        self.task_role = iam.Role(self, "TaskRole", assumed_by=iam.ServicePrincipal("ecs-tasks.amazonaws.com"))
        self.task_definition = ecs.FargateTaskDefinition(
            self,
            "TaskDefinition",
            family=config.resource_name,
            cpu=service.cpu,
            memory_limit_mib=service.memory_mib,
            execution_role=self.execution_role,
            task_role=self.task_role,
        )
        self.container = self.task_definition.add_container(
            "App",
            container_name=config.container_name,
            image=ecs.ContainerImage.from_ecr_repository(repository, tag=image_tag),
            port_mappings=[ecs.PortMapping(container_port=service.container_port)],
            environment={
                "DJANGO_SETTINGS_MODULE": SETTINGS_MODULE,
                "DJANGO_ALLOWED_HOSTS": ",".join([allowed_host, *PORT_FORWARD_HOSTS]),
                "DB_SSLMODE": "require",
                service.release_env_var: image_tag,
            },
            secrets={
                "DJANGO_SECRET_KEY": ecs.Secret.from_secrets_manager(self.secret_key),
                **{
                    name: ecs.Secret.from_secrets_manager(database_secret, field)
                    for name, field in DATABASE_SECRET_FIELDS.items()
                },
            },
            health_check=ecs.HealthCheck(
                command=["CMD", *service.health_check_command],
                interval=Duration.seconds(service.health_check_interval_seconds),
                timeout=Duration.seconds(service.health_check_timeout_seconds),
                retries=service.unhealthy_threshold,
                start_period=Duration.seconds(service.health_check_start_period_seconds),
            ),
            logging=ecs.LogDrivers.aws_logs(stream_prefix="app", log_group=self.log_group),
            stop_timeout=Duration.seconds(service.stop_timeout_seconds),
            readonly_root_filesystem=False,
        )
        # No desired count: CloudFormation starts one task and afterwards leaves the count to auto scaling,
        # so a stack update never shrinks a scaled-out service.
        self.service = ecs.FargateService(
            self,
            "Service",
            service_name=config.service_name,
            cluster=self.cluster,
            task_definition=self.task_definition,
            security_groups=[security_group],
            vpc_subnets=ec2.SubnetSelection(subnet_type=ec2.SubnetType.PRIVATE_WITH_EGRESS),
            assign_public_ip=False,
            deployment_controller=ecs.DeploymentController(type=ecs.DeploymentControllerType.CODE_DEPLOY),
            enable_execute_command=True,
            health_check_grace_period=Duration.seconds(service.health_check_grace_period_seconds),
            min_healthy_percent=100,
            max_healthy_percent=200,
        )
        self.service.attach_to_application_target_group(target_group)
        self.scaling = self.service.auto_scale_task_count(
            min_capacity=service.min_tasks, max_capacity=service.max_tasks
        )
        cooldowns = {
            "scale_in_cooldown": Duration.seconds(service.scale_in_cooldown_seconds),
            "scale_out_cooldown": Duration.seconds(service.scale_out_cooldown_seconds),
        }
        self.scaling.scale_on_cpu_utilization("Cpu", target_utilization_percent=service.cpu_target_percent, **cooldowns)
        self.scaling.scale_on_memory_utilization(
            "Memory", target_utilization_percent=service.memory_target_percent, **cooldowns
        )
        self._acknowledge()

    def _acknowledge(self) -> None:
        nag_acknowledge(
            self.execution_role,
            rule="AwsSolutions-IAM5[Resource::*]",
            reason="ecr:GetAuthorizationToken supports no resource-level permissions; the pull itself is "
            "limited to this repository.",
        )
        nag_acknowledge(
            self.task_role,
            rule="AwsSolutions-IAM5[Resource::*]",
            reason="ECS Exec (the seed's runbook) needs ssmmessages channels, which have no resource-level "
            "permissions.",
        )
        nag_acknowledge(
            self.task_definition,
            rule="AwsSolutions-ECS2",
            reason="Only non-secret values (settings module, allowed host, TLS mode, release tag) are plain "
            "environment variables; every secret is injected from Secrets Manager.",
        )
        nag_acknowledge(
            self.secret_key,
            rule="AwsSolutions-SMG4",
            reason="Rotating DJANGO_SECRET_KEY would invalidate sessions and signed values mid-release; "
            "it is rotated deliberately by replacing the secret and releasing.",
        )
