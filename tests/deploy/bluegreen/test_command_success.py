"""Releases that succeed, end to end: the command as CD runs it, against emulated AWS and a real running green."""

import json

import requests

from tests.deploy.bluegreen.conftest import CONFIG, GREEN_RELEASE
from tests.deploy.bluegreen.stacks import IMAGE_REPOSITORY

IMAGE = f"{IMAGE_REPOSITORY}:{GREEN_RELEASE}"


def params(account, operation):
    return next(call.params for call in account.proxy.calls if call.operation == operation and call.status < 400)


def test_success_migrates_shifts_validates_and_reports(account):
    result = account.run("--image", IMAGE)

    assert result.returncode == 0, result.stderr
    out = result.stdout
    for expected in [
        "registered text-messaging-dev:2",
        "python manage.py migrate --no-input",
        "migrations applied",
        "Ready",
        "GET /health: 200",
        f"GET /health/ready: ready, release {GREEN_RELEASE}",
        "GET /messages: 200",
        "AfterAllowTraffic: Succeeded",
        "previous task definition: text-messaging-dev:1",
        "new task definition:      text-messaging-dev:2",
    ]:
        assert expected in out
    assert out.index("migrations applied") < out.index("Creating the CodeDeploy deployment")
    assert out.index("GET /messages: 200") < out.index("Moving production traffic to green")
    assert account.proxy.writes() == [
        "RegisterTaskDefinition",
        # The migration family's revision with the new image: the migrations run as the master user.
        "RegisterTaskDefinition",
        "RunTask",
        "CreateDeployment",
        "AuthorizeSecurityGroupIngress",
        "RevokeSecurityGroupIngress",
        "ContinueDeployment",
    ]


def test_validation_leaves_nothing_clients_could_see(account):
    before = requests.get(f"{account.green_url}/messages", timeout=5).json()

    result = account.run("--image", IMAGE)

    assert result.returncode == 0, result.stderr
    assert requests.get(f"{account.green_url}/messages", timeout=5).json() == before
    assert [c for c in result.stdout.splitlines() if "POST" in c] == []


def test_the_deployment_is_watched_by_the_replacement_groups_alarms_only(account):
    account.run("--image", IMAGE)

    override = params(account, "CreateDeployment")["overrideAlarmConfiguration"]
    assert override == {
        "enabled": True,
        "alarms": [{"name": "text-messaging-dev-green-5xx"}, {"name": "text-messaging-dev-green-unhealthy"}],
    }


def test_after_a_release_moved_production_to_green_the_next_one_watches_blue(account):
    blue, green = account.stacks.target_groups
    elbv2 = account.client("elbv2")
    elbv2.modify_listener(
        ListenerArn=account.stacks.production_listener_arn,
        DefaultActions=[{"Type": "forward", "TargetGroupArn": green}],
    )
    elbv2.modify_listener(
        ListenerArn=account.stacks.test_listener_arn, DefaultActions=[{"Type": "forward", "TargetGroupArn": blue}]
    )

    result = account.run("--image", IMAGE)

    assert result.returncode == 0, result.stderr
    alarms = params(account, "CreateDeployment")["overrideAlarmConfiguration"]["alarms"]
    assert alarms == [{"name": "text-messaging-dev-blue-5xx"}, {"name": "text-messaging-dev-blue-unhealthy"}]


def test_new_revision_changes_only_image_and_release(account):
    account.run("--image", IMAGE)

    registered = params(account, "RegisterTaskDefinition")
    container, proxy = registered["containerDefinitions"]
    assert container["image"] == IMAGE
    assert proxy["image"] == CONFIG.proxy.image
    assert {"name": CONFIG.service.release_env_var, "value": GREEN_RELEASE} in container["environment"]
    assert container["secrets"][0]["name"] == "DB_PASSWORD"
    assert container["logConfiguration"]["options"]["awslogs-group"] == CONFIG.log_group_name
    assert registered["tags"] == [{"key": "project", "value": "text-messaging"}]
    assert (registered["cpu"], registered["memory"], registered["networkMode"]) == ("256", "512", "awsvpc")


def register_stack_change(account, **changes) -> str:
    """What `cdk deploy` does after a change to the task definition in CDK: a new latest revision of the
    family, with the image the stack knows (the first release's), which the service does not run."""
    ecs = account.client("ecs")
    current = ecs.describe_task_definition(taskDefinition=account.stacks.task_definition_arn)["taskDefinition"]
    spec = {k: current[k] for k in ("family", "containerDefinitions", "networkMode", "requiresCompatibilities")}
    spec |= {"cpu": "512", "memory": "1024"} | changes
    spec["containerDefinitions"][0]["environment"].append({"name": "FEATURE_FLAG", "value": "on"})
    spec["containerDefinitions"][0]["secrets"].append(
        {"name": "API_TOKEN", "valueFrom": "arn:aws:secretsmanager:ap-northeast-1:123456789012:secret:token"}
    )
    return ecs.register_task_definition(**spec)["taskDefinition"]["taskDefinitionArn"]


def test_a_release_builds_on_the_familys_latest_revision_so_stack_changes_reach_the_tasks(account):
    register_stack_change(account)

    result = account.run("--image", IMAGE)

    assert result.returncode == 0, result.stderr
    registered = params(account, "RegisterTaskDefinition")
    container = registered["containerDefinitions"][0]
    assert (registered["cpu"], registered["memory"]) == ("512", "1024")
    assert {"name": "FEATURE_FLAG", "value": "on"} in container["environment"]
    assert "API_TOKEN" in [secret["name"] for secret in container["secrets"]]
    assert container["image"] == IMAGE
    assert {"name": CONFIG.service.release_env_var, "value": GREEN_RELEASE} in container["environment"]
    assert "new task definition:      text-messaging-dev:3" in result.stdout


def test_dry_run_shows_what_the_stacks_latest_revision_changes(account):
    register_stack_change(account)

    result = account.run("--image", IMAGE, "--dry-run")

    assert result.returncode == 0, result.stderr
    assert "built on text-messaging-dev:2 (the family's latest)" in result.stdout
    assert "  cpu: 256 -> 512" in result.stdout
    assert "  memory: 512 -> 1024" in result.stdout
    assert "environment[FEATURE_FLAG]: (none) -> " in result.stdout
    assert "secrets[API_TOKEN]: (none) -> " in result.stdout
    assert account.proxy.writes() == []


def test_keep_image_releases_the_stack_change_with_the_running_image(account):
    register_stack_change(account)

    result = account.run("--keep-image", "--dry-run")

    assert result.returncode == 0, result.stderr
    assert f"Release:         v1 ({IMAGE_REPOSITORY}:v1)" in result.stdout
    assert "  cpu: 256 -> 512" in result.stdout
    assert "image:" not in result.stdout
    assert "RELEASE_VERSION" not in result.stdout


def test_migrate_runs_the_migrations_with_the_running_revision_and_deploys_nothing(account):
    result = account.run("--migrate")

    assert result.returncode == 0, result.stderr
    assert f"{' '.join(CONFIG.service.migrate_command)} with text-messaging-dev:1" in result.stdout
    assert "Migrated; text-messaging-dev:1 serves on the migrated schema." in result.stdout
    # The stack's own migration revision runs the image the service runs: nothing to register.
    assert params(account, "RunTask")["taskDefinition"] == account.stacks.migration_task_definition_arn
    assert account.proxy.writes() == ["RunTask"]


def test_missing_task_answers_right_after_run_task_are_retried(account):
    account.proxy.missing_tasks = 3

    result = account.run("--image", IMAGE)

    assert result.returncode == 0, result.stderr
    assert account.proxy.operations(service="ecs").count("DescribeTasks") >= 4
    assert "StopTask" not in account.proxy.writes()


def test_the_migration_runs_the_new_image_as_the_migration_familys_revision(account):
    account.run("--image", IMAGE)

    registered = [c.params for c in account.proxy.calls if c.operation == "RegisterTaskDefinition"]
    assert [spec["family"] for spec in registered] == [CONFIG.resource_name, CONFIG.migration_family]
    migration = registered[1]["containerDefinitions"][0]
    assert migration["image"] == IMAGE
    # Its own secrets (the master user's) carried over from the stack's revision, never the service's.
    assert migration["secrets"][0]["valueFrom"].endswith(":secret:db")
    assert registered[0]["containerDefinitions"][0]["secrets"][0]["valueFrom"].endswith(":secret:db-app")


def test_the_registered_revision_is_not_read_back(account):
    account.run("--image", IMAGE)

    described = [c.params["taskDefinition"] for c in account.proxy.calls if c.operation == "DescribeTaskDefinition"]
    assert not any(arn.endswith(":2") for arn in described)


def test_migration_runs_in_the_service_network_and_the_appspec_names_the_new_revision(account):
    account.run("--image", IMAGE)

    run_task = params(account, "RunTask")
    network = run_task["networkConfiguration"]["awsvpcConfiguration"]
    assert network["subnets"] == account.stacks.subnets
    assert network["securityGroups"] == [account.stacks.security_group]
    assert run_task["taskDefinition"].endswith(f"{CONFIG.migration_family}:2")
    assert run_task["overrides"]["containerOverrides"][0]["command"] == list(CONFIG.service.migrate_command)
    revision = params(account, "CreateDeployment")["revision"]
    appspec = json.loads(revision["appSpecContent"]["content"])
    properties = appspec["Resources"][0]["TargetService"]["Properties"]
    assert properties["TaskDefinition"].endswith("text-messaging-dev:2")
    # The load balancer routes to the proxy, which the release leaves as the stack set it.
    assert properties["LoadBalancerInfo"] == {"ContainerName": "text-messaging-proxy", "ContainerPort": 8080}


def test_dry_run_shows_the_plan_and_makes_no_write_call(account):
    result = account.run("--image", IMAGE, "--dry-run")

    assert result.returncode == 0, result.stderr
    assert f"containerDefinitions[text-messaging-app].image: {IMAGE_REPOSITORY}:v1 -> {IMAGE}" in result.stdout
    assert "environment[RELEASE_VERSION].value: v1 -> v2" in result.stdout
    assert "built on text-messaging-dev:1 (the family's latest)" in result.stdout
    assert '"ContainerPort": 8080' in result.stdout
    assert "Wait budget:     45 min" in result.stdout
    assert "Dry run: nothing was changed." in result.stdout
    assert account.proxy.calls
    assert account.proxy.writes() == []


def test_throttling_is_retried_with_backoff(account):
    account.proxy.throttle.update({"RegisterTaskDefinition": 1, "GetDeployment": 2})

    result = account.run("--image", IMAGE)

    assert result.returncode == 0, result.stderr
    throttled = [c.operation for c in account.proxy.calls if c.status == 400]
    assert throttled == ["RegisterTaskDefinition", "GetDeployment", "GetDeployment"]
    assert account.proxy.writes().count("RegisterTaskDefinition") == 2  # the service's and the migration's


def test_follow_watches_a_deployment_in_progress_instead_of_refusing(account):
    account.lifecycle.outcome = "unattended"
    other = account.create_deployment()

    result = account.run("--image", IMAGE, "--follow")

    assert result.returncode == 0, result.stderr
    assert f"Following deployment {other} already in progress" in result.stdout
    assert f"deployment {other}: Succeeded" in result.stdout
    assert account.proxy.writes() == []
