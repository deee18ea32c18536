"""The ECS cluster, service and task definition: names, sizes, secrets, logs, roles, scaling."""

import pytest

from deploy.config import HEALTH_CHECK_COMMAND
from deploy.proxy.render import COMMAND as PROXY_COMMAND
from deploy.proxy.render import CONFIG_VARIABLE, render


def one(service, resource_type) -> dict:
    (resource,) = service.find_resources(resource_type).values()
    return resource["Properties"]


def task_definition(service) -> dict:
    """The service's task definition (the migration task's is tests/deploy/infra/test_migration_task.py's)."""
    (resource,) = service.find_resources(
        "AWS::ECS::TaskDefinition", {"Properties": {"Family": one(service, "AWS::ECS::Service")["TaskDefinition"]}}
    ).values()
    return resource["Properties"]


def containers(service) -> dict[str, dict]:
    return {c["Name"]: c for c in task_definition(service)["ContainerDefinitions"]}


def container(service) -> dict:
    """The app's container (gunicorn)."""
    return containers(service)["text-messaging-app"]


def proxy(service) -> dict:
    return containers(service)["text-messaging-proxy"]


def test_cluster_is_named_and_has_container_insights(service, config):
    props = one(service, "AWS::ECS::Cluster")
    assert props["ClusterName"] == f"text-messaging-{config.name}"
    assert {"Name": "containerInsights", "Value": "enabled"} in props["ClusterSettings"]


def test_service_runs_on_fargate_privately_under_codedeploy(service, config):
    props = one(service, "AWS::ECS::Service")
    assert props["ServiceName"] == f"text-messaging-{config.name}"
    assert props["LaunchType"] == "FARGATE"
    assert props["DeploymentController"] == {"Type": "CODE_DEPLOY"}
    network = props["NetworkConfiguration"]["AwsvpcConfiguration"]
    assert network["AssignPublicIp"] == "DISABLED"
    assert all("PrivateSubnet" in s["Fn::ImportValue"] for s in network["Subnets"])
    assert props["EnableExecuteCommand"] is True


def test_service_template_never_pins_a_revision_or_a_count(service, config):
    props = one(service, "AWS::ECS::Service")
    # The family, not an ARN: a stack update cannot roll back what CodeDeploy deployed.
    assert props["TaskDefinition"] == config.resource_name
    assert "DesiredCount" not in props


def test_task_size_and_container(service, config):
    props = task_definition(service)
    assert (props["Cpu"], props["Memory"]) == ("256", "512")
    assert props["RequiresCompatibilities"] == ["FARGATE"]
    assert set(containers(service)) == {"text-messaging-app", "text-messaging-proxy"}
    # The task's port 8080 (the seed's) is the proxy's; gunicorn listens on loopback only.
    assert proxy(service)["PortMappings"] == [{"ContainerPort": 8080, "Protocol": "tcp"}]
    assert "PortMappings" not in container(service)


def test_load_balancer_routes_to_the_proxy_container(service):
    (load_balancer,) = one(service, "AWS::ECS::Service")["LoadBalancers"]
    assert (load_balancer["ContainerName"], load_balancer["ContainerPort"]) == ("text-messaging-proxy", 8080)


def test_proxy_runs_the_stock_nginx_image_pinned_by_digest_as_its_unprivileged_user(service, config):
    definition = proxy(service)
    assert definition["Image"] == config.proxy.image
    assert definition["Image"].startswith("nginx:1.30.5-alpine@sha256:")
    assert definition["User"] == "101"
    assert definition["Essential"] is True


def test_proxy_runs_the_configuration_rendered_from_the_environment_config(service, config):
    environment = {e["Name"]: e["Value"] for e in proxy(service)["Environment"]}
    assert proxy(service)["Command"] == list(PROXY_COMMAND)
    assert environment[CONFIG_VARIABLE] == render(config)
    # One body limit for both: the app's setting and the proxy's refusal.
    app_environment = {e["Name"]: e["Value"] for e in container(service)["Environment"]}
    assert app_environment["MAX_REQUEST_BODY_BYTES"] == str(config.service.max_request_body_bytes)
    assert f"client_max_body_size {app_environment['MAX_REQUEST_BODY_BYTES']};" in environment[CONFIG_VARIABLE]


def test_proxy_starts_once_the_app_is_healthy_and_checks_health_through_itself(service):
    definition = proxy(service)
    assert definition["DependsOn"] == [{"Condition": "HEALTHY", "ContainerName": "text-messaging-app"}]
    assert definition["HealthCheck"]["Command"] == [
        "CMD",
        "wget",
        "-q",
        "-O",
        "/dev/null",
        "http://127.0.0.1:8080/health",
    ]
    assert definition["HealthCheck"]["Interval"] == 30


def test_proxy_may_hold_thousands_of_connections(service, config):
    (nofile,) = proxy(service)["Ulimits"]
    assert nofile == {"Name": "nofile", "SoftLimit": config.proxy.open_files, "HardLimit": config.proxy.open_files}
    assert config.proxy.worker_connections < config.proxy.open_files


def test_tasks_run_on_the_platform_images_are_built_for(service, config):
    assert config.service.image_platform == "linux/amd64"
    platform = task_definition(service)["RuntimePlatform"]
    assert platform == {"CpuArchitecture": "X86_64", "OperatingSystemFamily": "LINUX"}


def test_container_health_check_runs_the_healthcheck_module_every_30_seconds(service):
    check = container(service)["HealthCheck"]
    assert check["Command"] == ["CMD", *HEALTH_CHECK_COMMAND]
    assert check["Interval"] == 30


def test_logs_go_to_the_named_group_with_retention(service, config):
    service.has_resource_properties(
        "AWS::Logs::LogGroup",
        {"LogGroupName": f"/ecs/text-messaging-{config.name}", "RetentionInDays": config.service.log_retention_days},
    )
    assert container(service)["LogConfiguration"]["LogDriver"] == "awslogs"


def test_plain_environment(service):
    environment = {e["Name"]: e["Value"] for e in container(service)["Environment"]}
    assert environment["DJANGO_SETTINGS_MODULE"] == "project.settings.production"
    # The ALB's name, and the local end of an operator's port forward (the admin's way in without a domain).
    assert environment["DJANGO_ALLOWED_HOSTS"] == {
        "Fn::Join": ["", [{"Fn::GetAtt": [alb_id(service), "DNSName"]}, ",localhost,127.0.0.1"]]
    }
    assert environment["DJANGO_HTTPS"] == "false"
    assert environment["DB_SSLMODE"] == "require"
    assert environment["RELEASE_VERSION"] == {"Ref": "ImageTag"}


@pytest.mark.parametrize(
    ("name", "field"),
    [
        ("DB_HOST", "host"),
        ("DB_PORT", "port"),
        ("DB_NAME", "dbname"),
        ("DB_USER", "username"),
        ("DB_PASSWORD", "password"),
    ],
)
def test_database_fields_come_from_the_app_roles_secret_never_the_masters(service, name, field):
    secrets = {s["Name"]: s["ValueFrom"] for s in container(service)["Secrets"]}
    parts = secrets[name]["Fn::Join"][1]
    # The attachment's reference is the secret's ARN, available only once host and port are in it. The
    # app role's: rotating the master user's password cannot touch a running task.
    assert "DatabaseAppSecretAttachment" in parts[0]["Fn::ImportValue"]
    assert parts[1] == f":{field}::"


def test_secret_key_comes_from_a_generated_secret(service):
    secrets = {s["Name"]: s["ValueFrom"] for s in container(service)["Secrets"]}
    key = secrets["DJANGO_SECRET_KEY"]["Ref"]
    assert "GenerateSecretString" in service.to_json()["Resources"][key]["Properties"]


def test_no_secret_is_plain_text(service):
    names = {e["Name"] for e in container(service)["Environment"]}
    assert not names & {"DJANGO_SECRET_KEY", "DB_PASSWORD", "DB_USER", "DB_HOST", "DB_NAME", "DB_PORT"}


def test_execution_and_task_roles_are_separate(service):
    props = task_definition(service)
    assert props["ExecutionRoleArn"] != props["TaskRoleArn"]


def test_auto_scaling_bounds_per_environment(service, config):
    target = one(service, "AWS::ApplicationAutoScaling::ScalableTarget")
    # prod: one task per zone at least (seed: "prod: 2, one per AZ beside its Multi-AZ database").
    assert (target["MinCapacity"], target["MaxCapacity"]) == {"dev": (1, 4), "prod": (2, 10)}[config.name]


def test_service_places_tasks_in_both_zones(service, network, config):
    # ECS spreads a Fargate service's tasks over the zones of its subnets: one private subnet per zone.
    subnets = one(service, "AWS::ECS::Service")["NetworkConfiguration"]["AwsvpcConfiguration"]["Subnets"]
    assert len(subnets) == len(config.network.availability_zones) == 2
    zones = {
        props["Properties"]["AvailabilityZone"]
        for props in network.find_resources("AWS::EC2::Subnet").values()
        if props["Properties"]["CidrBlock"] in config.network.private_subnet_cidrs
    }
    assert zones == {"ap-northeast-1a", "ap-northeast-1c"}


@pytest.mark.parametrize("metric", ["ECSServiceAverageCPUUtilization", "ECSServiceAverageMemoryUtilization"])
def test_target_tracking_at_70_percent_with_cooldowns(service, metric):
    service.has_resource_properties(
        "AWS::ApplicationAutoScaling::ScalingPolicy",
        {
            "PolicyType": "TargetTrackingScaling",
            "TargetTrackingScalingPolicyConfiguration": {
                "PredefinedMetricSpecification": {"PredefinedMetricType": metric},
                "TargetValue": 70,
                "ScaleOutCooldown": 60,
                "ScaleInCooldown": 300,
            },
        },
    )


def alb_id(service) -> str:
    (logical_id,) = service.find_resources("AWS::ElasticLoadBalancingV2::LoadBalancer")
    return logical_id
