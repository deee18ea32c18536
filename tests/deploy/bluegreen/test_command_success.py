"""Releases that succeed, end to end: the command as CD runs it, against emulated AWS and a real running green."""

import json

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
        "stored and read back",
        "AfterAllowTraffic: Succeeded",
        "previous task definition: text-messaging-dev:1",
        "new task definition:      text-messaging-dev:2",
    ]:
        assert expected in out
    assert out.index("migrations applied") < out.index("Creating the CodeDeploy deployment")
    assert out.index("stored and read back") < out.index("Moving production traffic to green")
    assert account.proxy.writes() == ["RegisterTaskDefinition", "RunTask", "CreateDeployment", "ContinueDeployment"]


def test_new_revision_changes_only_image_and_release(account):
    account.run("--image", IMAGE)

    registered = params(account, "RegisterTaskDefinition")
    container = registered["containerDefinitions"][0]
    assert container["image"] == IMAGE
    assert {"name": CONFIG.service.release_env_var, "value": GREEN_RELEASE} in container["environment"]
    assert container["secrets"][0]["name"] == "DB_PASSWORD"
    assert container["logConfiguration"]["options"]["awslogs-group"] == CONFIG.log_group_name
    assert registered["tags"] == [{"key": "project", "value": "text-messaging"}]
    assert (registered["cpu"], registered["memory"], registered["networkMode"]) == ("256", "512", "awsvpc")


def test_migration_runs_in_the_service_network_and_the_appspec_names_the_new_revision(account):
    account.run("--image", IMAGE)

    run_task = params(account, "RunTask")
    network = run_task["networkConfiguration"]["awsvpcConfiguration"]
    assert network["subnets"] == account.stacks.subnets
    assert network["securityGroups"] == [account.stacks.security_group]
    assert run_task["taskDefinition"].endswith("text-messaging-dev:2")
    assert run_task["overrides"]["containerOverrides"][0]["command"] == list(CONFIG.service.migrate_command)
    revision = params(account, "CreateDeployment")["revision"]
    appspec = json.loads(revision["appSpecContent"]["content"])
    properties = appspec["Resources"][0]["TargetService"]["Properties"]
    assert properties["TaskDefinition"].endswith("text-messaging-dev:2")
    assert properties["LoadBalancerInfo"] == {"ContainerName": "text-messaging-app", "ContainerPort": 8080}


def test_dry_run_shows_the_plan_and_makes_no_write_call(account):
    result = account.run("--image", IMAGE, "--dry-run")

    assert result.returncode == 0, result.stderr
    assert f"containerDefinitions[text-messaging-app].image: {IMAGE_REPOSITORY}:v1 -> {IMAGE}" in result.stdout
    assert "environment[RELEASE_VERSION].value: v1 -> v2" in result.stdout
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
    assert account.proxy.writes().count("RegisterTaskDefinition") == 1


def test_rollback_redeploys_the_previous_revision_without_migrating(account):
    ecs = account.client("ecs")
    current = ecs.describe_task_definition(taskDefinition=account.stacks.task_definition_arn)["taskDefinition"]
    spec = {k: current[k] for k in ("family", "containerDefinitions", "cpu", "memory", "networkMode")}
    for release in (GREEN_RELEASE, "v3"):
        spec["containerDefinitions"][0]["environment"][1]["value"] = release
        arn = ecs.register_task_definition(**spec)["taskDefinition"]["taskDefinitionArn"]
    account.point_service_at(arn)

    result = account.run("--rollback")

    assert result.returncode == 0, result.stderr
    assert "Task definition: text-messaging-dev:3 -> text-messaging-dev:2" in result.stdout
    assert "Migrations are not reversed" in result.stdout
    assert f"release {GREEN_RELEASE}" in result.stdout
    assert account.proxy.writes() == ["CreateDeployment", "ContinueDeployment"]


def test_follow_watches_a_deployment_in_progress_instead_of_refusing(account):
    account.lifecycle.outcome = "unattended"
    other = account.create_deployment()

    result = account.run("--image", IMAGE, "--follow")

    assert result.returncode == 0, result.stderr
    assert f"Following deployment {other} already in progress" in result.stdout
    assert f"deployment {other}: Succeeded" in result.stdout
    assert account.proxy.writes() == []
