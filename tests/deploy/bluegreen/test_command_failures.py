"""Releases that fail, end to end: each ends non-zero with a clear message, rolled back where traffic could move."""

import signal
import time

import pytest

from tests.deploy.bluegreen.conftest import GREEN_RELEASE
from tests.deploy.bluegreen.lifecycle import FAILURE, MIGRATION_ERROR
from tests.deploy.bluegreen.stacks import IMAGE_REPOSITORY

IMAGE = f"{IMAGE_REPOSITORY}:{GREEN_RELEASE}"


def assert_clean_failure(result):
    assert result.returncode == 1
    assert result.stderr.startswith("CommandError: ")
    assert "Traceback" not in result.stderr


def assert_stopped_with_rollback(account, result):
    assert account.proxy.writes()[-1] == "StopDeployment"
    assert next(c.params for c in account.proxy.calls if c.operation == "StopDeployment")["autoRollbackEnabled"]
    assert "ContinueDeployment" not in account.proxy.writes()
    assert "Stopped; rollback deployment" in result.stderr
    assert result.stderr.rstrip().endswith("Succeeded")


def test_green_failing_validation_is_stopped_with_rollback(account):
    # Green keeps reporting the release before: the new tasks are not what answers on the test listener.
    result = account.run("--image", f"{IMAGE_REPOSITORY}:v3")

    assert_clean_failure(result)
    assert f"reports release '{GREEN_RELEASE}', expected 'v3'" in result.stderr
    assert "GET /health: 200" in result.stdout
    assert_stopped_with_rollback(account, result)


def test_failed_migration_creates_no_deployment_and_shows_why(account):
    account.lifecycle.migration_exit_code = 1

    result = account.run("--image", IMAGE)

    assert_clean_failure(result)
    assert "exited 1" in result.stderr
    assert "stopped reason: Essential container in task exited" in result.stderr
    assert MIGRATION_ERROR in result.stderr
    assert "nothing was deployed" in result.stderr
    assert account.proxy.writes() == ["RegisterTaskDefinition", "RegisterTaskDefinition", "RunTask"]


def test_codedeploy_failure_is_reported_with_its_reason_and_rollback(account):
    account.lifecycle.outcome = "fail"

    result = account.run("--image", IMAGE)

    assert_clean_failure(result)
    assert f"Failed: {FAILURE['code']}: {FAILURE['message']}" in result.stderr
    assert "; rollback deployment" in result.stderr
    assert "Install: Failed" in result.stdout
    assert "ContinueDeployment" not in account.proxy.writes()


def test_timeout_stops_with_rollback(account):
    account.lifecycle.outcome = "hang"

    result = account.run("--image", IMAGE, "--timeout", "1")

    assert_clean_failure(result)
    assert "did not succeed within 1 s" in result.stderr
    assert_stopped_with_rollback(account, result)


@pytest.mark.parametrize(
    ("signum", "sigint_ignored"),
    [(signal.SIGTERM, False), (signal.SIGINT, False), (signal.SIGINT, True)],
    ids=["SIGTERM", "SIGINT", "SIGINT-with-SIGINT-ignored-at-start"],
)
def test_interruption_stops_with_rollback(account, signum, sigint_ignored):
    account.lifecycle.outcome = "hang"
    # A command started in the background by a shell (`cmd &`) inherits SIGINT ignored.
    process = account.start("--image", IMAGE, sigint_ignored=sigint_ignored)
    deadline = time.monotonic() + 30
    while "CreateDeployment" not in account.proxy.writes() and time.monotonic() < deadline:
        time.sleep(0.05)

    process.send_signal(signum)
    _, stderr = process.communicate(timeout=30)

    assert process.returncode == 1
    assert "Traceback" not in stderr
    assert "interrupted while deployment" in stderr  # in progress, or being created when the signal came
    assert_stopped_with_rollback(account, type("Result", (), {"stderr": stderr})())


def test_another_deployment_in_progress_is_refused(account):
    other = account.create_deployment()

    result = account.run("--image", IMAGE)

    assert_clean_failure(result)
    assert f"deployment {other} of text-messaging-dev/text-messaging-dev-dg is in progress" in result.stderr
    assert "--follow" in result.stderr
    assert account.proxy.writes() == []


def test_missing_stack_is_a_clear_error(make_account):
    account = make_account(with_stack=False)

    result = account.run("--image", IMAGE)

    assert_clean_failure(result)
    assert "stack TextMessaging-dev-ECS does not exist" in result.stderr
    assert account.proxy.writes() == []


def test_group_for_another_service_is_a_clear_error(make_account):
    account = make_account(group_service={"clusterName": "other", "serviceName": "other"})

    result = account.run("--image", IMAGE)

    assert_clean_failure(result)
    assert "deploys other/other, not text-messaging-dev/text-messaging-dev" in result.stderr
    assert account.proxy.writes() == []


def test_image_without_tag_is_refused_before_any_call(account):
    result = account.run("--image", IMAGE_REPOSITORY)

    assert_clean_failure(result)
    assert "has no tag" in result.stderr
    assert account.proxy.calls == []


def test_a_task_ecs_keeps_answering_missing_for_is_stopped_and_nothing_deployed(account):
    account.proxy.missing_tasks = 10**6

    result = account.run("--image", IMAGE, "--migration-timeout", "2")

    assert_clean_failure(result)
    assert "kept answering MISSING for migration task" in result.stderr
    assert account.proxy.writes() == ["RegisterTaskDefinition", "RegisterTaskDefinition", "RunTask", "StopTask"]


def test_a_server_error_after_codedeploy_accepted_the_deployment_continues_that_deployment(account):
    account.proxy.lost_answers["CreateDeployment"] = 1

    result = account.run("--image", IMAGE)

    assert result.returncode == 0, result.stderr
    assert "CodeDeploy had accepted it: continuing deployment" in result.stdout
    created = account.client("codedeploy").list_deployments()["deployments"]
    assert len(created) == 1
    assert f"deployment:               {created[0]}" in result.stdout
    assert "ContinueDeployment" in account.proxy.writes()


def test_a_failed_create_that_created_nothing_is_a_clear_error(account):
    account.proxy.denied.add("CreateDeployment")

    result = account.run("--image", IMAGE)

    assert_clean_failure(result)
    assert "AccessDeniedException" in result.stderr
    assert "no deployment was created; nothing was deployed" in result.stderr
    assert account.client("codedeploy").list_deployments()["deployments"] == []


def test_rollback_info_appearing_after_the_failed_status_is_waited_for(account):
    account.lifecycle.outcome = "fail"
    account.lifecycle.rollback_info_delay = 3

    result = account.run("--image", IMAGE)

    assert_clean_failure(result)
    assert "no rollback deployment was started" not in result.stderr
    assert result.stderr.rstrip().endswith("Succeeded")
    assert "; rollback deployment" in result.stderr


def test_an_aws_error_while_watching_the_migration_stops_the_task(account):
    account.proxy.denied.add("DescribeTasks")

    result = account.run("--image", IMAGE)

    assert_clean_failure(result)
    assert "AccessDeniedException" in result.stderr
    assert "stopped migration task" in result.stdout
    assert account.proxy.writes() == ["RegisterTaskDefinition", "RegisterTaskDefinition", "RunTask", "StopTask"]


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM], ids=["SIGINT", "SIGTERM"])
def test_interruption_during_migrations_stops_the_migration_task_and_deploys_nothing(account, signum):
    account.lifecycle.migration_runs_on = True
    process = account.start("--image", IMAGE)
    deadline = time.monotonic() + 60
    while "RunTask" not in account.proxy.writes() and time.monotonic() < deadline:
        time.sleep(0.05)

    process.send_signal(signum)
    _, stderr = process.communicate(timeout=60)

    assert process.returncode == 1
    assert "Traceback" not in stderr
    assert "interrupted during migrations; stopped the task; nothing deployed" in stderr
    assert account.proxy.writes().count("RunTask") == 1
    (stop,) = [c.params for c in account.proxy.calls if c.operation == "StopTask"]
    assert stop["reason"] == "bluegreen_deploy: interrupted"
    assert "CreateDeployment" not in account.proxy.writes()
