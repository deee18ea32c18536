"""``manage.py status`` against the emulated account: what runs, what is deploying, and why tasks stopped."""

import dataclasses

import pytest
from django.core.management.base import CommandError

from deploy.operations.gateways import operations_gateways
from deploy.operations.status import service_status, status_lines
from tests.deploy.infra.synthesis import TEST_DOMAIN
from tests.deploy.operations.conftest import CONFIG
from tests.support.iam_policy import without_action


def arrange_service(environment):
    """Two healthy tasks, a one-off task beside them, two tasks ECS stopped, targets, alarms, a deployment."""
    running = [environment.service_task() for _ in range(2)]
    environment.service_counts(desired=2, running=2, pending=0)
    environment.service_task(group="family:text-messaging-dev")  # a one-off task: not the service's
    environment.stopped_task(
        stop_code="EssentialContainerExited",
        reason="Essential container in task exited",
        exit_code=137,
        container_reason="OutOfMemoryError: Container killed due to memory usage",
        minutes_ago=3,
    )
    environment.stopped_task(
        stop_code="TaskFailedToStart",
        reason="CannotPullContainerError: pull image manifest has been retried 5 time(s): not found",
        exit_code=None,
        minutes_ago=20,
    )
    environment.client("elbv2").register_targets(
        TargetGroupArn=environment.stacks.target_groups[0], Targets=[{"Id": "10.0.2.15", "Port": 8080}]
    )
    cloudwatch = environment.client("cloudwatch")
    for color in ("blue", "green"):
        cloudwatch.put_metric_alarm(
            AlarmName=CONFIG.alarm_name(color, "5xx"),
            Namespace="AWS/ApplicationELB",
            MetricName="HTTPCode_Target_5XX_Count",
            Statistic="Sum",
            Period=60,
            EvaluationPeriods=3,
            Threshold=5,
            ComparisonOperator="GreaterThanOrEqualToThreshold",
        )
    cloudwatch.set_alarm_state(
        AlarmName=CONFIG.alarm_name("green", "5xx"),
        StateValue="ALARM",
        StateReason="Threshold Crossed: 3 datapoints were greater than or equal to the threshold (5.0)",
    )
    return running


def test_status_shows_counts_tasks_targets_alarms_and_stopped_tasks(environment):
    running = arrange_service(environment)

    out = environment.call("status", "--env", "dev")

    assert "text-messaging-dev/text-messaging-dev (dev)" in out
    assert "tasks: 2 desired, 2 running, 0 pending" in out
    assert "live revision: text-messaging-dev:1 image 123456789012.dkr.ecr" in out
    assert "release v1" in out
    for task in running:
        assert f"{task.id} RUNNING HEALTHY text-messaging-dev:1" in out
    assert out.count(" RUNNING HEALTHY ") == 2  # the one-off task is not the service's
    assert "blue (production):\n    10.0.2.15:8080 healthy" in out
    assert "green:\n    no targets" in out
    assert "text-messaging-dev-green-5xx: ALARM (Threshold Crossed" in out
    assert "text-messaging-dev-blue-5xx: OK" in out
    stopped = out.split("Last stopped tasks:")[1]
    assert stopped.index("EssentialContainerExited") < stopped.index("TaskFailedToStart")  # newest first
    assert "exit code 137 (OutOfMemoryError: Container killed due to memory usage)" in stopped
    assert "reason: CannotPullContainerError" in stopped
    assert "exit code none" in stopped
    assert "no deployment in progress" in out
    assert environment.proxy.writes() == []


def test_status_shows_a_deployment_in_progress_and_its_lifecycle_step(environment):
    deployment = environment.client("codedeploy").create_deployment(
        applicationName=CONFIG.codedeploy_application_name,
        deploymentGroupName=CONFIG.deployment_group_name,
        revision={"revisionType": "AppSpecContent", "appSpecContent": {"content": "{}"}},
    )["deploymentId"]

    out = environment.call("status")

    assert f"deployment in progress: {deployment} InProgress, step Install (InProgress)" in out


def test_status_rides_out_throttling(environment):
    environment.proxy.throttle["DescribeServices"] = 1

    out = environment.call("status")

    assert "tasks: 1 desired" in out


def test_every_command_on_an_environment_not_deployed_says_how_to_deploy_it_and_starts_nothing(make_environment):
    environment = make_environment(with_stack=False)

    for command in (["status"], ["logs"], ["releases"], ["run", "--", "showmigrations"]):
        with pytest.raises(CommandError, match=r"environment dev is not deployed .* region ap-northeast-1.*provision"):
            environment.call(*command)
    assert environment.proxy.writes() == []


def test_status_of_a_half_created_stack_says_what_state_it_is_in(environment):
    environment.set_stack_status("ROLLBACK_COMPLETE")

    with pytest.raises(
        CommandError, match=r"stack TextMessaging-dev-ECS is ROLLBACK_COMPLETE: .*describe-stack-events"
    ):
        environment.call("status")


def test_operator_region_setting_does_not_send_the_command_elsewhere(environment, monkeypatch):
    # An operator whose profile points at another region still reaches the environment's own region.
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    monkeypatch.setenv("AWS_REGION", "us-east-1")

    out = environment.call("status")

    assert "text-messaging-dev/text-messaging-dev (dev)" in out


def test_without_credentials_status_says_to_sign_in(environment, monkeypatch):
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
        monkeypatch.delenv(name)
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent")
    monkeypatch.setenv("AWS_CONFIG_FILE", "/nonexistent")
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")

    with pytest.raises(CommandError, match=r"^no AWS credentials found \(NoCredentialsError\): sign in first"):
        environment.call("status")
    assert environment.proxy.calls == []


def test_access_denied_names_the_operator_policy(environment):
    environment.proxy.denied.add("DescribeServices")

    with pytest.raises(CommandError, match="attach the managed policy TextMessaging-dev-Operator"):
        environment.call("status")


def test_every_call_is_authorized_against_the_synthesized_operator_policy(environment, policy):
    # The account refuses what the policy does not grant: without ecs:ListTasks the status cannot be read.
    environment.lifecycle.policy = without_action(policy, "ecs:ListTasks")

    with pytest.raises(CommandError, match=r"(?s)ListTasks.*attach the managed policy TextMessaging-dev-Operator"):
        environment.call("status")
    assert environment.lifecycle.denials == ["ecs:ListTasks: ecs:ListTasks on *"]
    environment.lifecycle.denials.clear()


def test_status_names_the_url_clients_use_the_domain_s_when_there_is_one(environment):
    arrange_service(environment)
    gateways = operations_gateways(CONFIG.region)
    dns_name = environment.client("elbv2").describe_load_balancers()["LoadBalancers"][0]["DNSName"]
    assert service_status(CONFIG, gateways=gateways).url == f"http://{dns_name}"
    # With a domain, port 80 only redirects to HTTPS and the tasks answer the domain's name alone.
    with_domain = dataclasses.replace(CONFIG, domain=TEST_DOMAIN)
    status = service_status(with_domain, gateways=gateways)
    assert status.url == f"https://{TEST_DOMAIN.name}"
    assert status_lines(status)[0].endswith(f"at https://{TEST_DOMAIN.name}")
