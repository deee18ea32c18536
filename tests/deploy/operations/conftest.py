"""An emulated account with a deployed environment (moto in server mode behind the recording proxy), seeded
with the shapes AWS returns that moto's API cannot create: service tasks, stopped tasks and their reasons,
an ECS Exec session.

Seeded shapes follow the API reference: Task and Container
(https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_Task.html, API_Container.html: ``stopCode``,
``stoppedReason``, ``exitCode``, ``reason``, ``runtimeId``, ``enableExecuteCommand``, ``managedAgents``);
CodeDeploy's DeploymentInfo (https://docs.aws.amazon.com/codedeploy/latest/APIReference/API_DeploymentInfo.html:
``errorInformation``, ``rollbackInfo``, ``creator``). What the account answers itself is in ``lifecycle.py``.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import subprocess
import sys
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import boto3
import pytest
import requests
from django.core.management import call_command
from moto.cloudformation.models import cloudformation_backends
from moto.codedeploy.models import codedeploy_backends
from moto.core.utils import unix_time_millis
from moto.ecs.models import ecs_backends
from moto.moto_api import state_manager

from deploy.bluegreen.appspec import appspec_build
from deploy.config import StackPart, get_config
from tests.deploy.bluegreen.conftest import moto_url  # noqa: F401  (the session's moto server)
from tests.deploy.bluegreen.lifecycle import ACCOUNT, FAILURE
from tests.deploy.bluegreen.proxy import AwsProxy
from tests.deploy.bluegreen.stacks import Stacks, stacks_create
from tests.deploy.operations.iam import operator_policy
from tests.deploy.operations.lifecycle import OperationsLifecycle
from tests.support.commands import COMMAND_TIMEOUT_SECONDS

ROOT = Path(__file__).resolve().parents[3]
CONFIG = get_config("dev")


@pytest.fixture(scope="session")
def ops_lifecycle() -> OperationsLifecycle:
    return OperationsLifecycle(region=CONFIG.region)


@pytest.fixture(scope="session")
def policy() -> list[dict]:
    return operator_policy(CONFIG.name, CONFIG.region)


@pytest.fixture(scope="session")
def ops_proxy(moto_url, ops_lifecycle):  # noqa: F811
    proxy = AwsProxy(upstream=moto_url, lifecycle=ops_lifecycle).start()
    yield proxy
    proxy.stop()


@dataclass
class Environment:
    """One freshly made deployed environment per test, and ways to put the shapes AWS would show in it."""

    proxy: AwsProxy
    lifecycle: OperationsLifecycle
    stacks: Stacks | None
    moto_url: str

    def call(self, name: str, *args: str) -> str:
        """The command in this process (fast), its output returned; a failure raises ``CommandError``."""
        out = io.StringIO()
        call_command(name, *args, stdout=out, stderr=out)
        return out.getvalue()

    def run(
        self,
        name: str,
        *args: str,
        env: dict[str, str] | None = None,
        timeout: float = COMMAND_TIMEOUT_SECONDS,
        **kwargs,
    ):
        """The command as an operator runs it: a process of its own."""
        return subprocess.run(
            [sys.executable, "manage.py", name, *args],
            env=self.env() | (env or {}),
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=timeout,
            **kwargs,
        )

    def start(self, name: str, *args: str, env: dict[str, str] | None = None) -> subprocess.Popen:
        return subprocess.Popen(
            [sys.executable, "manage.py", name, *args],
            env=self.env() | (env or {}),
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )

    def env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "DJANGO_"))}
        return env | {
            "AWS_ENDPOINT_URL": self.proxy.url,
            "AWS_ACCESS_KEY_ID": "testing",
            "AWS_SECRET_ACCESS_KEY": "testing",
            "AWS_DEFAULT_REGION": CONFIG.region,
            "PYTHONUNBUFFERED": "1",
        }

    def client(self, name: str):
        """A client straight to moto, for arranging a scenario without it counting as the command's calls."""
        return boto3.client(
            name,
            endpoint_url=self.moto_url,
            region_name=CONFIG.region,
            aws_access_key_id="testing",
            aws_secret_access_key="testing",
        )

    def service_task(
        self,
        *,
        task_definition: str | None = None,
        group: str = f"service:{CONFIG.service_name}",
        exec_enabled: bool = True,
        health: str = "HEALTHY",
        started_minutes_ago: int = 30,
    ) -> Any:
        """A RUNNING task as ECS starts them for the service (moto starts none for a service)."""
        task_arn = self.client("ecs").run_task(
            cluster=CONFIG.cluster_name,
            taskDefinition=task_definition or self.stacks.task_definition_arn,
            launchType="FARGATE",
            group=group,
            startedBy="ecs-svc/1234567890123456789",
            networkConfiguration={
                "awsvpcConfiguration": {"subnets": self.stacks.subnets, "securityGroups": [self.stacks.security_group]}
            },
        )["tasks"][0]["taskArn"]
        task = self.moto_task(task_arn)
        task.health_status = health
        task.started_at = datetime.now(UTC) - timedelta(minutes=started_minutes_ago)
        task.enable_execute_command = exec_enabled
        container = task.containers[0]
        container.last_status = "RUNNING"
        container.runtime_id = f"{task.id}-{uuid.uuid4().hex[:10]}"
        container.managed_agents = [{"name": "ExecuteCommandAgent", "lastStatus": "RUNNING"}] if exec_enabled else []
        return task

    def stopped_task(
        self, *, stop_code: str, reason: str, exit_code: int | None, container_reason: str = "", minutes_ago: int
    ) -> Any:
        """A service task ECS stopped, with the stop code, reason and exit code it records."""
        task = self.service_task(health="UNKNOWN", started_minutes_ago=minutes_ago + 5)
        task.desired_status = task.status = "STOPPED"
        task.stop_code, task.stopped_reason = stop_code, reason
        task.stopped_at = datetime.now(UTC) - timedelta(minutes=minutes_ago)
        container = task.containers[0]
        container.last_status = "STOPPED"
        container.exitCode = exit_code
        container.reason = container_reason
        return task

    def service_counts(self, *, desired: int, running: int, pending: int) -> None:
        """The counts ECS keeps on the service (moto starts no task for a service, so counts none)."""
        service = self._moto_service()
        service.desired_count, service.running_count, service.pending_count = desired, running, pending

    def deployment(self, task_definition_arn: str, status: str, *, minutes_ago: int, description: str = "") -> str:
        """A finished deployment of the group in CodeDeploy's record; a failed one rolled back, as CodeDeploy's
        automatic rollback does (a deployment created by codeDeployRollback, its rollbackInfo pointing back)."""
        content = json.dumps(
            appspec_build(
                task_definition_arn=task_definition_arn,
                container_name=CONFIG.container_name,
                container_port=CONFIG.service.container_port,
            )
        )
        deployment_id = self.client("codedeploy").create_deployment(
            applicationName=CONFIG.codedeploy_application_name,
            deploymentGroupName=CONFIG.deployment_group_name,
            revision={"revisionType": "AppSpecContent", "appSpecContent": {"content": content}},
            description=description,
        )["deploymentId"]
        backend = codedeploy_backends[ACCOUNT][CONFIG.region]
        record = backend.deployments[deployment_id]
        record.status = status
        record.create_time = datetime.now(UTC).replace(tzinfo=None) - timedelta(minutes=minutes_ago)
        record.complete_time = record.create_time + timedelta(minutes=4)
        if status == "Failed":
            state = self.lifecycle._state(deployment_id)
            state.error = dict(FAILURE)
            self.lifecycle._roll_back(deployment_id, state)
            rollback = backend.deployments[state.rollback["rollbackDeploymentId"]]
            rollback.status = "Succeeded"
            rollback.create_time, rollback.complete_time = (
                record.complete_time,
                record.complete_time + timedelta(minutes=1),
            )
            self.lifecycle._state(rollback.deployment_id).rollback = {
                "rollbackTriggeringDeploymentId": deployment_id,
                "rollbackMessage": f"Rollback of {deployment_id}",
            }
        return deployment_id

    def new_live_revision(self) -> str:
        """Register a second revision of the family and point the service at it, as a release does."""
        ecs = self.client("ecs")
        current = ecs.describe_task_definition(taskDefinition=self.stacks.task_definition_arn)["taskDefinition"]
        keys = ("family", "containerDefinitions", "cpu", "memory", "networkMode", "requiresCompatibilities")
        keys += ("taskRoleArn", "executionRoleArn")
        arn = ecs.register_task_definition(**{k: current[k] for k in keys})["taskDefinition"]["taskDefinitionArn"]
        ecs_backends[ACCOUNT][CONFIG.region].services[
            f"{CONFIG.cluster_name}:{CONFIG.service_name}"
        ].task_definition = arn
        return arn

    def _moto_service(self) -> Any:
        return ecs_backends[ACCOUNT][CONFIG.region].services[f"{CONFIG.cluster_name}:{CONFIG.service_name}"]

    def moto_task(self, task_arn: str) -> Any:
        return ecs_backends[ACCOUNT][CONFIG.region].tasks[CONFIG.cluster_name][task_arn]

    def log(self, stream_task: str, *messages: str, seconds_ago: float = 60) -> None:
        """Lines the awslogs driver shipped from one task's app container."""
        logs = self.client("logs")
        stream = f"app/{CONFIG.container_name}/{stream_task}"
        with contextlib.suppress(logs.exceptions.ResourceAlreadyExistsException):
            logs.create_log_stream(logGroupName=CONFIG.log_group_name, logStreamName=stream)
        now = unix_time_millis()
        logs.put_log_events(
            logGroupName=CONFIG.log_group_name,
            logStreamName=stream,
            logEvents=[
                {"timestamp": int(now - seconds_ago * 1000 + index), "message": message}
                for index, message in enumerate(messages)
            ],
        )

    def set_stack_status(self, status: str) -> None:
        stacks = cloudformation_backends[ACCOUNT][CONFIG.region].stacks.values()
        stack = next(s for s in stacks if s.name == CONFIG.stack_name(StackPart.SERVICE))
        stack.status = status


@pytest.fixture
def make_environment(moto_url, ops_proxy, ops_lifecycle, policy, monkeypatch):  # noqa: F811
    """A factory, so a test can ask for an environment whose ECS stack was never created. Every call the
    commands make is authorized against the synthesized operator policy; a refusal fails the test."""

    # Tasks stay in the state a test puts them in: moto otherwise moves a task on at each DescribeTasks.
    state_manager.set_transition("ecs::task", {"progression": "manual", "times": 10**9})

    def make(*, with_stack: bool = True) -> Environment:
        requests.post(f"{moto_url}/moto-api/reset", timeout=10).raise_for_status()
        ops_lifecycle.reset()
        stacks = stacks_create(CONFIG, endpoint=moto_url, test_listener_url="http://127.0.0.1:9", with_stack=with_stack)
        ops_proxy.reset()
        ops_lifecycle.policy = policy
        environment = Environment(proxy=ops_proxy, lifecycle=ops_lifecycle, stacks=stacks, moto_url=moto_url)
        # In-process calls (call_command) reach the proxy with the operator's environment, as subprocesses do.
        for name in [k for k in os.environ if k.startswith("AWS_")]:
            monkeypatch.delenv(name)
        for name, value in environment.env().items():
            if name.startswith("AWS_"):
                monkeypatch.setenv(name, value)
        return environment

    yield make
    state_manager.unset_transition("ecs::task")
    ops_lifecycle.policy = None
    assert ops_lifecycle.denials == [], "the operator policy refused calls the commands made"


@pytest.fixture
def environment(make_environment) -> Environment:
    return make_environment()
