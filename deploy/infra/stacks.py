"""The stacks: stateful Network, Database and ECR apart from the stateless ECS stack and the deploy role."""

from __future__ import annotations

from aws_cdk import CfnOutput, CfnParameter, Environment, Fn, Stack
from aws_cdk import aws_ec2 as ec2
from constructs import Construct

from deploy.config import EnvironmentConfig, GitHubStackOutput, StackOutput, StackParameter
from deploy.infra.database import Database
from deploy.infra.github import GitHubDeployRole
from deploy.infra.load_balancer import LoadBalancer
from deploy.infra.migration_task import MigrationTask
from deploy.infra.network import Network
from deploy.infra.operators import OperatorPolicy
from deploy.infra.registry import Registry
from deploy.infra.release import BlueGreenRelease
from deploy.infra.web_service import WebService


class NetworkStack(Stack):
    def __init__(self, scope: Construct, construct_id: str, *, config: EnvironmentConfig, env: Environment) -> None:
        super().__init__(scope, construct_id, env=env, description=f"{config.resource_name}: VPC and security groups")
        self.network = Network(self, "Network", config=config)


class DatabaseStack(Stack):
    def __init__(
        self, scope: Construct, construct_id: str, *, config: EnvironmentConfig, env: Environment, network: Network
    ) -> None:
        super().__init__(scope, construct_id, env=env, description=f"{config.resource_name}: PostgreSQL on RDS")
        self.database = Database(
            self, "Database", config=config, vpc=network.vpc, security_group=network.database_security_group
        )


class RegistryStack(Stack):
    def __init__(self, scope: Construct, construct_id: str, *, config: EnvironmentConfig, env: Environment) -> None:
        super().__init__(scope, construct_id, env=env, description=f"{config.resource_name}: ECR repository")
        self.registry = Registry(self, "Registry", config=config)


class ServiceStack(Stack):
    """ALB, ECS service and CodeDeploy; the image tag is a parameter given once, on the first deployment."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        config: EnvironmentConfig,
        env: Environment,
        network: Network,
        database: Database,
        registry: Registry,
    ) -> None:
        super().__init__(scope, construct_id, env=env, description=f"{config.resource_name}: ECS, ALB, CodeDeploy")
        image_tag = CfnParameter(
            self,
            StackParameter.IMAGE_TAG,
            type="String",
            min_length=1,
            description="Tag of an image already in the ECR repository, used only when the service is created; "
            "releases are deployed by bluegreen_deploy afterwards.",
        )
        # Imported read-only so CDK adds no rule of its own: the Network construct holds them all.
        alb_security_group = ec2.SecurityGroup.from_security_group_id(
            self, "AlbSecurityGroup", network.alb_security_group.security_group_id, mutable=False
        )
        service_security_group = ec2.SecurityGroup.from_security_group_id(
            self, "ServiceSecurityGroup", network.service_security_group.security_group_id, mutable=False
        )
        self.load_balancer = LoadBalancer(
            self, "LoadBalancer", config=config, vpc=network.vpc, security_group=alb_security_group
        )
        self.web_service = WebService(
            self,
            "WebService",
            config=config,
            vpc=network.vpc,
            security_group=service_security_group,
            repository=registry.repository,
            image_tag=image_tag.value_as_string,
            database_secret=database.app_secret,
            allowed_hosts=allowed_hosts(config, alb_dns_name=self.load_balancer.alb.load_balancer_dns_name),
            target_group=self.load_balancer.blue_target_group,
        )
        self.migration_task = MigrationTask(
            self,
            "MigrationTask",
            config=config,
            repository=registry.repository,
            image_tag=image_tag.value_as_string,
            master_secret=database.secret,
            app_secret=database.app_secret,
            secret_key=self.web_service.secret_key,
            task_role=self.web_service.task_role,
            log_group=self.web_service.log_group,
            environment=self.web_service.environment,
            runtime_platform=self.web_service.runtime_platform,
        )
        self.release = BlueGreenRelease(
            self, "Release", config=config, service=self.web_service.service, load_balancer=self.load_balancer
        )
        self.operators = OperatorPolicy(
            self,
            "Operators",
            config=config,
            task_roles=[self.web_service.execution_role, self.web_service.task_role],
        )
        self._outputs(config)

    def _outputs(self, config: EnvironmentConfig) -> None:
        dns_name = self.load_balancer.alb.load_balancer_dns_name
        outputs = {
            StackOutput.ALB_DNS_NAME: dns_name,
            StackOutput.PRODUCTION_LISTENER_ARN: self.load_balancer.production_listener.listener_arn,
            StackOutput.TEST_LISTENER_ARN: self.load_balancer.test_listener.listener_arn,
            StackOutput.TEST_LISTENER_URL: (
                f"https://{config.domain.name}:{config.load_balancer.test_port}"
                if config.domain
                else f"http://{dns_name}:{config.load_balancer.test_port}"
            ),
            StackOutput.CLUSTER_NAME: self.web_service.cluster.cluster_name,
            StackOutput.SERVICE_NAME: self.web_service.service.service_name,
            StackOutput.CODEDEPLOY_APPLICATION: self.release.application.application_name,
            StackOutput.DEPLOYMENT_GROUP: self.release.deployment_group.deployment_group_name,
            StackOutput.BLUE_TARGET_GROUP_ARN: self.load_balancer.blue_target_group.target_group_arn,
            StackOutput.GREEN_TARGET_GROUP_ARN: self.load_balancer.green_target_group.target_group_arn,
            # Read from the ALB itself: its security group, and no import re-exported (cfn-lint W6001).
            StackOutput.ALB_SECURITY_GROUP_ID: Fn.select(0, self.load_balancer.alb.load_balancer_security_groups),
        }
        for key, value in outputs.items():
            CfnOutput(self, key, value=value)


def allowed_hosts(config: EnvironmentConfig, *, alb_dns_name: str) -> list[str]:
    """The host names the app answers: the domain alone with HTTPS; else the ALB's own name, and the local
    end of an operator's port forward (how the admin is reached when the ALB does not serve it)."""
    if config.domain:
        return [config.domain.name]
    return [alb_dns_name, "localhost", "127.0.0.1"]


class GitHubOidcStack(Stack):
    """The role GitHub Actions assumes; its ARN is the workflow's only secret, ``AWS_ROLE_ARN``."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        config: EnvironmentConfig,
        env: Environment,
        registry: Registry,
        web_service: WebService,
        migration_task: MigrationTask,
        network: Network,
    ) -> None:
        super().__init__(scope, construct_id, env=env, description=f"{config.resource_name}: GitHub OIDC deploy role")
        self.deploy_role = GitHubDeployRole(
            self,
            "GitHubDeploy",
            config=config,
            repository=registry.repository,
            task_roles=[web_service.execution_role, web_service.task_role, migration_task.execution_role],
            alb_security_group=network.alb_security_group,
        )
        CfnOutput(self, GitHubStackOutput.DEPLOY_ROLE_ARN, value=self.deploy_role.role.role_arn)
