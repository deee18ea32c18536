"""What CodeDeploy and ECS say went wrong, in one line for the operator."""

from deploy.bluegreen.migration import log_stream, migration_failure
from deploy.bluegreen.watch import deployment_failure_reason, rollback_deployment_id


def test_failure_reason_has_code_message_and_status_messages():
    info = {
        "status": "Failed",
        "errorInformation": {"code": "ECS_UPDATE_ERROR", "message": "tasks failed health checks"},
        "deploymentStatusMessages": ["alarm Green5xx"],
        "rollbackInfo": {"rollbackDeploymentId": "d-2"},
    }
    assert deployment_failure_reason(info) == "ECS_UPDATE_ERROR: tasks failed health checks; alarm Green5xx"
    assert rollback_deployment_id(info) == "d-2"


def test_failure_without_error_information_names_the_status():
    assert deployment_failure_reason({"status": "Stopped"}) == "status Stopped"
    assert rollback_deployment_id({"status": "Stopped"}) is None


def test_migration_failure_says_exit_code_reasons_and_log_lines():
    task = {"taskArn": "arn:aws:ecs:r:1:task/c/abc", "stoppedReason": "Essential container in task exited"}
    text = migration_failure(task, {"exitCode": 1}, ["boom"])
    assert text.startswith("migration task abc exited 1; stopped reason: Essential container in task exited")
    assert text.endswith("nothing was deployed\nlast log lines:\n  | boom")


def test_migration_that_never_ran_says_so():
    task = {"taskArn": "arn/t", "stopCode": "TaskFailedToStart", "stoppedReason": "CannotPullContainerError"}
    assert "migration task t never ran; stop code: TaskFailedToStart" in migration_failure(task, {}, [])


def test_log_stream_follows_the_awslogs_naming():
    definition = {
        "containerDefinitions": [
            {"name": "app", "logConfiguration": {"options": {"awslogs-group": "/ecs/x", "awslogs-stream-prefix": "p"}}}
        ]
    }
    assert log_stream(definition, "app", "arn/t1") == {"group": "/ecs/x", "stream": "p/app/t1"}
    assert log_stream({"containerDefinitions": [{"name": "app"}]}, "app", "arn/t1") is None
