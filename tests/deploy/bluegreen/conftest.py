"""The emulated AWS account (moto server behind a recording proxy) and a real running app standing in for green."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import boto3
import psycopg
import pytest
import requests
from moto.codedeploy.models import codedeploy_backends
from moto.ecs.models import ecs_backends
from moto.server import ThreadedMotoServer

from deploy.bluegreen.appspec import appspec_build
from deploy.bluegreen.taskdef import environment_with
from deploy.config import EnvironmentConfig, get_config
from tests.deploy.bluegreen.address_echo import AddressEcho, address_echo_server
from tests.deploy.bluegreen.lifecycle import ACCOUNT, DeploymentLifecycle
from tests.deploy.bluegreen.proxy import AwsProxy
from tests.deploy.bluegreen.stacks import Stacks, stacks_create
from tests.deploy.deploy_role import AccountResources, deploy_role_policy
from tests.support.commands import COMMAND_TIMEOUT_SECONDS
from tests.support.iam_requests import Account as IamAccount

ROOT = Path(__file__).resolve().parents[3]
CONFIG = get_config("dev")
GREEN_RELEASE = "v2"
# What the address echo answers: the runner's public address as checkip.amazonaws.com writes it.
RUNNER_ADDRESS = "203.0.113.7"
# One database per test run, so two runs on one server (a developer and CI, two checkouts) never share it.
DATABASE = f"bluegreen_test_{os.getpid()}"
SERVER_URL = os.environ.get("BLUEGREEN_TEST_POSTGRES", "postgresql://postgres@127.0.0.1:5432/postgres")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="session")
def moto_url():
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=free_port(), verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


@pytest.fixture(scope="session")
def lifecycle() -> DeploymentLifecycle:
    return DeploymentLifecycle(region=CONFIG.region)


def deployment_group_of(deployment_id: str) -> str:
    """``application/group`` of a deployment as CodeDeploy recorded it (what its actions are authorized on)."""
    record = codedeploy_backends[ACCOUNT][CONFIG.region].deployments.get(deployment_id)
    return f"{record.application_name}/{record.deployment_group_name}" if record else "unknown/unknown"


@pytest.fixture(scope="session")
def proxy(moto_url, lifecycle):
    iam_account = IamAccount(account=ACCOUNT, region=CONFIG.region, deployment_group_of=deployment_group_of)
    proxy = AwsProxy(upstream=moto_url, lifecycle=lifecycle, account=iam_account).start()
    yield proxy
    proxy.stop()


@pytest.fixture(scope="session")
def address_echo():
    """Stands in for the address echo service (never the internet): answers the runner's address."""
    with address_echo_server() as server:
        yield server


@pytest.fixture(scope="session")
def green_url():
    """The new release really running: gunicorn with production settings on a freshly migrated PostgreSQL
    database, reporting release ``GREEN_RELEASE``."""
    try:
        with psycopg.connect(SERVER_URL, autocommit=True) as connection:
            connection.execute(f"DROP DATABASE IF EXISTS {DATABASE} WITH (FORCE)")
            connection.execute(f"CREATE DATABASE {DATABASE}")
    except psycopg.OperationalError as error:
        pytest.skip(f"no PostgreSQL server at {SERVER_URL}: {error}")
    port = free_port()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "project.settings.production",
        "DJANGO_SECRET_KEY": "bluegreen-test-only",
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        "DATABASE_URL": SERVER_URL.rsplit("/", 1)[0] + f"/{DATABASE}",
        "DB_SSLMODE": "disable",
        "RELEASE_VERSION": GREEN_RELEASE,
        "MESSAGES_POST_RATE": "",
    }
    subprocess.run([sys.executable, "manage.py", "migrate", "--no-input", "-v0"], cwd=ROOT, env=env, check=True)
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "project.wsgi:application", "--bind", f"127.0.0.1:{port}", "--workers", "1"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if requests.get(f"{url}/health", timeout=1).status_code == 200:
                break
        except requests.ConnectionError:
            time.sleep(0.1)
    else:
        server.kill()
        pytest.fail("the app did not start")
    yield url
    server.terminate()
    server.wait(timeout=10)
    with psycopg.connect(SERVER_URL, autocommit=True) as connection:
        connection.execute(f"DROP DATABASE IF EXISTS {DATABASE} WITH (FORCE)")


@dataclass
class Account:
    """One freshly made account per test: what the stacks create, and the proxy's record of calls."""

    proxy: AwsProxy
    lifecycle: DeploymentLifecycle
    stacks: Stacks | None
    moto_url: str
    green_url: str
    address_echo: AddressEcho

    def run(self, *args: str, timeout: float = COMMAND_TIMEOUT_SECONDS, **kwargs) -> subprocess.CompletedProcess:
        """The command as CD runs it: a process of its own, AWS reached through ``AWS_ENDPOINT_URL``."""
        return subprocess.run(
            self.command(*args), env=self.env(), cwd=ROOT, capture_output=True, text=True, timeout=timeout
        )

    def start(self, *args: str, sigint_ignored: bool = False) -> subprocess.Popen:
        def ignore_sigint() -> None:  # inherited through exec, as `cmd &` in a non-interactive shell does
            signal.signal(signal.SIGINT, signal.SIG_IGN)

        return subprocess.Popen(
            self.command(*args),
            env=self.env(),
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            preexec_fn=ignore_sigint if sigint_ignored else None,
        )

    def command(self, *args: str) -> list[str]:
        """The command line; the runner's address comes from the local echo unless a test says otherwise."""
        overridden = {"--runner-address", "--address-echo-url", "--no-open-test-listener"} & set(args)
        return command(*args) if overridden else command("--address-echo-url", self.address_echo.url, *args)

    def test_listener_rules(self) -> list[dict]:
        """The ALB security group's ingress rules on the test port, as moto holds them now."""
        rules = self.client("ec2").describe_security_group_rules(
            Filters=[{"Name": "group-id", "Values": [self.stacks.alb_security_group]}]
        )["SecurityGroupRules"]
        port = CONFIG.load_balancer.test_port
        return [rule for rule in rules if not rule["IsEgress"] and rule["FromPort"] <= port <= rule["ToPort"]]

    def client(self, name: str):
        """A client straight to moto, for arranging a scenario without it counting as the command's calls."""
        return boto3.client(
            name,
            endpoint_url=self.moto_url,
            region_name=CONFIG.region,
            aws_access_key_id="testing",
            aws_secret_access_key="testing",
        )

    def point_service_at(self, task_definition_arn: str) -> None:
        ecs_backends[ACCOUNT][CONFIG.region].services[
            f"{CONFIG.cluster_name}:{CONFIG.service_name}"
        ].task_definition = task_definition_arn

    def register_release(self, release: str) -> str:
        """A revision of the family like one a release registered: the first one's, with another release."""
        ecs = self.client("ecs")
        current = ecs.describe_task_definition(taskDefinition=self.stacks.task_definition_arn)["taskDefinition"]
        spec = {k: current[k] for k in ("family", "containerDefinitions", "cpu", "memory", "networkMode")}
        container = spec["containerDefinitions"][0]
        container["image"] = container["image"].rsplit(":", 1)[0] + f":{release}"
        container["environment"] = environment_with(container["environment"], CONFIG.service.release_env_var, release)
        return ecs.register_task_definition(**spec)["taskDefinition"]["taskDefinitionArn"]

    def record_deployment(self, task_definition_arn: str, status: str, *, minutes_ago: int) -> str:
        """A finished deployment of the group in CodeDeploy's record, as an earlier release left it."""
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
        )["deploymentId"]
        record = codedeploy_backends[ACCOUNT][CONFIG.region].deployments[deployment_id]
        record.status = status
        record.create_time -= timedelta(minutes=minutes_ago)
        return deployment_id

    def create_deployment(self) -> str:
        """Someone else's deployment of the group, already under way."""
        return self.client("codedeploy").create_deployment(
            applicationName=CONFIG.codedeploy_application_name,
            deploymentGroupName=CONFIG.deployment_group_name,
            revision={"revisionType": "AppSpecContent", "appSpecContent": {"content": "{}"}},
        )["deploymentId"]

    def env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "DJANGO_"))}
        return env | {
            "AWS_ENDPOINT_URL": self.proxy.url,
            "AWS_ACCESS_KEY_ID": "testing",
            "AWS_SECRET_ACCESS_KEY": "testing",
            "AWS_DEFAULT_REGION": CONFIG.region,
            "PYTHONUNBUFFERED": "1",
        }


def command(*args: str) -> list[str]:
    return [
        sys.executable,
        "manage.py",
        "bluegreen_deploy",
        "--poll-interval",
        "0.05",
        "--validation-timeout",
        "2",
        *args,
    ]


@pytest.fixture
def make_account(moto_url, proxy, lifecycle, green_url, address_echo):
    def make(
        *, with_stack: bool = True, group_service: dict | None = None, config: EnvironmentConfig = CONFIG
    ) -> Account:
        requests.post(f"{moto_url}/moto-api/reset", timeout=10).raise_for_status()
        lifecycle.reset()
        stacks = stacks_create(
            config, endpoint=moto_url, test_listener_url=green_url, with_stack=with_stack, group_service=group_service
        )
        proxy.reset()
        # Every call the command makes is authorized as the deploy role's synthesized policy allows.
        proxy.policy = deploy_role_policy(
            config.name,
            AccountResources(
                account=ACCOUNT,
                alb_security_group=stacks.alb_security_group,
                execution_role_arn=stacks.execution_role_arn,
                task_role_arn=stacks.task_role_arn,
                migration_execution_role_arn=stacks.migration_execution_role_arn,
            ),
        )
        address_echo.status, address_echo.body = 200, f"{RUNNER_ADDRESS}\n".encode()
        return Account(
            proxy=proxy,
            lifecycle=lifecycle,
            stacks=stacks,
            moto_url=moto_url,
            green_url=green_url,
            address_echo=address_echo,
        )

    return make


@pytest.fixture
def account(make_account) -> Account:
    return make_account()
