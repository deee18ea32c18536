"""What the CDK stacks create, made in moto: just enough for ``bluegreen_deploy`` to find and act on."""

from __future__ import annotations

import json
from dataclasses import dataclass

import boto3

from deploy.config import EnvironmentConfig, StackOutput, StackPart

IMAGE_REPOSITORY = "123456789012.dkr.ecr.ap-northeast-1.amazonaws.com/text-messaging-app-dev"
FIRST_RELEASE = "v1"
# What the proxy container reserves of the task's memory in these emulated stacks.
PROXY_MEMORY_MIB = 64
EXECUTION_ROLE_ARN = "arn:aws:iam::123456789012:role/execution"
TASK_ROLE_ARN = "arn:aws:iam::123456789012:role/task"
# The migration task's own execution role, which alone may read the master user's secret (ADR 0019).
MIGRATION_EXECUTION_ROLE_ARN = "arn:aws:iam::123456789012:role/migration-execution"


@dataclass(frozen=True)
class Stacks:
    task_definition_arn: str
    # The migration family's first revision, as the stack registers it: same image, the master user's secret.
    migration_task_definition_arn: str
    production_listener_arn: str
    test_listener_arn: str
    target_groups: list[str]  # blue, green
    subnets: list[str]
    security_group: str
    # The ALB's, whose ingress the command opens to the runner for each validation.
    alb_security_group: str
    execution_role_arn: str = EXECUTION_ROLE_ARN
    task_role_arn: str = TASK_ROLE_ARN
    migration_execution_role_arn: str = MIGRATION_EXECUTION_ROLE_ARN


def stacks_create(
    config: EnvironmentConfig, *, endpoint: str, test_listener_url: str, with_stack: bool = True, group_service=None
) -> Stacks:
    """The VPC bits, ALB with blue/green target groups and both listeners, the cluster, the CODE_DEPLOY
    service on its first revision, the CodeDeploy application and group, and the ECS stack's outputs."""
    client = _clients(config.region, endpoint)
    ec2, elbv2, ecs, codedeploy, logs = (client(n) for n in ("ec2", "elbv2", "ecs", "codedeploy", "logs"))
    vpc = ec2.create_vpc(CidrBlock=config.network.vpc_cidr)["Vpc"]["VpcId"]
    # As the CDK VPC has it (and moto needs it to give a task's network interface a DNS name).
    ec2.modify_vpc_attribute(VpcId=vpc, EnableDnsHostnames={"Value": True})
    subnets = [
        ec2.create_subnet(VpcId=vpc, CidrBlock=cidr, AvailabilityZone=zone)["Subnet"]["SubnetId"]
        for cidr, zone in zip(config.network.private_subnet_cidrs, config.network.availability_zones, strict=True)
    ]
    security_group = ec2.create_security_group(GroupName="ecs", Description="ECS tasks", VpcId=vpc)["GroupId"]
    alb_security_group = ec2.create_security_group(GroupName="alb", Description="ALB", VpcId=vpc)["GroupId"]
    # As the Network stack has it: the production ports open to clients, the test port to nobody.
    ec2.authorize_security_group_ingress(
        GroupId=alb_security_group,
        IpPermissions=[
            {
                "IpProtocol": "tcp",
                "FromPort": port,
                "ToPort": port,
                "IpRanges": [{"CidrIp": "0.0.0.0/0", "Description": "Clients"}],
            }
            for port in (config.load_balancer.production_port, config.load_balancer.https_port)
        ],
    )

    alb = elbv2.create_load_balancer(Name=config.resource_name, Subnets=subnets, SecurityGroups=[alb_security_group])[
        "LoadBalancers"
    ][0]
    target_groups = [
        elbv2.create_target_group(
            Name=f"{config.resource_name}-{color}",
            Protocol="HTTP",
            Port=config.service.container_port,
            VpcId=vpc,
            TargetType="ip",
            HealthCheckPath=config.service.health_path,
        )["TargetGroups"][0]["TargetGroupArn"]
        for color in ("blue", "green")
    ]
    # As the stack starts them: production on blue, test on green.
    listeners = [
        elbv2.create_listener(
            LoadBalancerArn=alb["LoadBalancerArn"],
            Protocol="HTTP",
            Port=port,
            DefaultActions=[{"Type": "forward", "TargetGroupArn": target_group}],
        )["Listeners"][0]["ListenerArn"]
        for port, target_group in zip(
            (config.load_balancer.production_port, config.load_balancer.test_port), target_groups, strict=True
        )
    ]

    ecs.create_cluster(clusterName=config.cluster_name)
    logs.create_log_group(logGroupName=config.log_group_name)
    task_definition, migration_task_definition = (
        _task_definition_register(ecs, config, family=family, secret=secret, log_prefix=log_prefix)
        for family, secret, log_prefix in (
            (config.resource_name, "db-app", "app"),
            (config.migration_family, "db", "migrate"),
        )
    )
    ecs.create_service(
        cluster=config.cluster_name,
        serviceName=config.service_name,
        taskDefinition=task_definition,
        desiredCount=1,
        launchType="FARGATE",
        deploymentController={"type": "CODE_DEPLOY"},
        networkConfiguration={
            "awsvpcConfiguration": {
                "subnets": subnets,
                "securityGroups": [security_group],
                "assignPublicIp": "DISABLED",
            }
        },
        loadBalancers=[
            {
                "targetGroupArn": target_groups[0],
                "containerName": config.proxy_container_name,
                "containerPort": config.service.container_port,
            }
        ],
    )

    codedeploy.create_application(applicationName=config.codedeploy_application_name, computePlatform="ECS")
    release = config.release
    codedeploy.create_deployment_group(
        applicationName=config.codedeploy_application_name,
        deploymentGroupName=config.deployment_group_name,
        deploymentConfigName=release.deployment_config_name,
        serviceRoleArn="arn:aws:iam::123456789012:role/codedeploy",
        deploymentStyle={"deploymentType": "BLUE_GREEN", "deploymentOption": "WITH_TRAFFIC_CONTROL"},
        blueGreenDeploymentConfiguration={
            "deploymentReadyOption": {
                "actionOnTimeout": "STOP_DEPLOYMENT",
                "waitTimeInMinutes": release.ready_wait_minutes,
            },
            "terminateBlueInstancesOnDeploymentSuccess": {
                "action": "TERMINATE",
                "terminationWaitTimeInMinutes": release.termination_wait_minutes,
            },
        },
        autoRollbackConfiguration={"enabled": True, "events": ["DEPLOYMENT_FAILURE", "DEPLOYMENT_STOP_ON_REQUEST"]},
        ecsServices=[group_service or {"clusterName": config.cluster_name, "serviceName": config.service_name}],
        loadBalancerInfo={
            "targetGroupPairInfoList": [
                {
                    "targetGroups": [
                        {"name": f"{config.resource_name}-blue"},
                        {"name": f"{config.resource_name}-green"},
                    ],
                    "prodTrafficRoute": {"listenerArns": [listeners[0]]},
                    "testTrafficRoute": {"listenerArns": [listeners[1]]},
                }
            ]
        },
    )
    if with_stack:
        _service_stack_create(
            client("cloudformation"),
            config,
            outputs={
                StackOutput.ALB_DNS_NAME: alb["DNSName"],
                StackOutput.PRODUCTION_LISTENER_ARN: listeners[0],
                StackOutput.TEST_LISTENER_ARN: listeners[1],
                StackOutput.TEST_LISTENER_URL: test_listener_url,
                StackOutput.CLUSTER_NAME: config.cluster_name,
                StackOutput.SERVICE_NAME: config.service_name,
                StackOutput.CODEDEPLOY_APPLICATION: config.codedeploy_application_name,
                StackOutput.DEPLOYMENT_GROUP: config.deployment_group_name,
                StackOutput.BLUE_TARGET_GROUP_ARN: target_groups[0],
                StackOutput.GREEN_TARGET_GROUP_ARN: target_groups[1],
                StackOutput.ALB_SECURITY_GROUP_ID: alb_security_group,
            },
        )
    return Stacks(
        task_definition_arn=task_definition,
        migration_task_definition_arn=migration_task_definition,
        production_listener_arn=listeners[0],
        test_listener_arn=listeners[1],
        target_groups=target_groups,
        subnets=subnets,
        security_group=security_group,
        alb_security_group=alb_security_group,
    )


def _task_definition_register(ecs, config: EnvironmentConfig, *, family: str, secret: str, log_prefix: str) -> str:
    """A task definition the ECS stack registers: the service's (the app behind the proxy), or the migration
    task's (the app alone, ADR 0019)."""
    serves = family == config.resource_name
    app = {
        "name": config.container_name,
        "image": f"{IMAGE_REPOSITORY}:{FIRST_RELEASE}",
        "essential": True,
        # moto cannot place a task whose containers have no memory of their own.
        "memoryReservation": config.service.memory_mib - (PROXY_MEMORY_MIB if serves else 0),
        "environment": [
            {"name": "DJANGO_SETTINGS_MODULE", "value": "project.settings.production"},
            {"name": config.service.release_env_var, "value": FIRST_RELEASE},
        ],
        "secrets": [
            {
                "name": "DB_PASSWORD",
                "valueFrom": f"arn:aws:secretsmanager:ap-northeast-1:123456789012:secret:{secret}",
            }
        ],
        "logConfiguration": {
            "logDriver": "awslogs",
            "options": {
                "awslogs-group": config.log_group_name,
                "awslogs-region": config.region,
                "awslogs-stream-prefix": log_prefix,
            },
        },
    }
    # As the stack adds it: the stock nginx image, receiving the load balancer's traffic.
    proxy = {
        "name": config.proxy_container_name,
        "image": config.proxy.image,
        "essential": True,
        "memoryReservation": PROXY_MEMORY_MIB,
        "portMappings": [{"containerPort": config.service.container_port, "protocol": "tcp"}],
        "dependsOn": [{"containerName": config.container_name, "condition": "HEALTHY"}],
    }
    return ecs.register_task_definition(
        family=family,
        requiresCompatibilities=["FARGATE"],
        networkMode="awsvpc",
        cpu=str(config.service.cpu),
        memory=str(config.service.memory_mib),
        executionRoleArn=EXECUTION_ROLE_ARN if serves else MIGRATION_EXECUTION_ROLE_ARN,
        taskRoleArn=TASK_ROLE_ARN,
        containerDefinitions=[app, proxy] if serves else [app],
        tags=[{"key": "project", "value": "text-messaging"}],
    )["taskDefinition"]["taskDefinitionArn"]


def _service_stack_create(cloudformation, config: EnvironmentConfig, *, outputs: dict[str, str]) -> None:
    """A stand-in ECS stack: one inert resource and the real stack's output keys, so DescribeStacks is real."""
    template = {
        "Resources": {"Marker": {"Type": "AWS::SNS::Topic"}},
        "Outputs": {key: {"Value": value} for key, value in outputs.items()},
    }
    cloudformation.create_stack(StackName=config.stack_name(StackPart.SERVICE), TemplateBody=json.dumps(template))


def _clients(region: str, endpoint: str):
    session = boto3.session.Session(aws_access_key_id="testing", aws_secret_access_key="testing", region_name=region)
    return lambda name: session.client(name, endpoint_url=endpoint)
