"""The ECS cluster, service and task definition: names, sizes, secrets, logs, roles, scaling."""

import pytest

from deploy.config import HEALTH_CHECK_COMMAND


def one(service, resource_type) -> dict:
    (resource,) = service.find_resources(resource_type).values()
    return resource["Properties"]


def container(service) -> dict:
    (definition,) = one(service, "AWS::ECS::TaskDefinition")["ContainerDefinitions"]
    return definition


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
    props = one(service, "AWS::ECS::TaskDefinition")
    assert (props["Cpu"], props["Memory"]) == ("256", "512")
    assert props["RequiresCompatibilities"] == ["FARGATE"]
    app = container(service)
    assert app["Name"] == "text-messaging-app"
    assert app["PortMappings"] == [{"ContainerPort": 8080, "Protocol": "tcp"}]


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
    # The ALB's name, and the loopback names of an operator's port forward to the admin.
    assert environment["DJANGO_ALLOWED_HOSTS"] == {
        "Fn::Join": ["", [{"Fn::GetAtt": [alb_id(service), "DNSName"]}, ",127.0.0.1,localhost"]]
    }
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
def test_database_fields_come_from_the_rds_secret(service, name, field):
    secrets = {s["Name"]: s["ValueFrom"] for s in container(service)["Secrets"]}
    parts = secrets[name]["Fn::Join"][1]
    # The attachment's reference is the secret's ARN, available only once host and port are in it.
    assert "DatabaseInstanceSecretAttachment" in parts[0]["Fn::ImportValue"]
    assert parts[1] == f":{field}::"


def test_secret_key_comes_from_a_generated_secret(service):
    secrets = {s["Name"]: s["ValueFrom"] for s in container(service)["Secrets"]}
    key = secrets["DJANGO_SECRET_KEY"]["Ref"]
    assert "GenerateSecretString" in service.to_json()["Resources"][key]["Properties"]


def test_no_secret_is_plain_text(service):
    names = {e["Name"] for e in container(service)["Environment"]}
    assert not names & {"DJANGO_SECRET_KEY", "DB_PASSWORD", "DB_USER", "DB_HOST", "DB_NAME", "DB_PORT"}


def test_execution_and_task_roles_are_separate(service):
    props = one(service, "AWS::ECS::TaskDefinition")
    assert props["ExecutionRoleArn"] != props["TaskRoleArn"]


def test_auto_scaling_bounds_per_environment(service, config):
    target = one(service, "AWS::ApplicationAutoScaling::ScalableTarget")
    assert (target["MinCapacity"], target["MaxCapacity"]) == (1, {"dev": 4, "prod": 10}[config.name])


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
