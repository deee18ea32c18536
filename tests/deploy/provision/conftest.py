"""An empty emulated account for provisioning: moto behind the recording proxy, the stand-in CDK CLI and
docker, the session's synthesized assembly, and a real app answering readiness where the ALB would."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import boto3
import pytest
import requests

from deploy.config import get_config
from tests.deploy.bluegreen.conftest import green_url, lifecycle, moto_url, proxy  # noqa: F401 (fixtures)
from tests.deploy.bluegreen.lifecycle import DeploymentLifecycle
from tests.deploy.bluegreen.proxy import AwsProxy
from tests.deploy.infra.synthesis import synthesized
from tests.support.commands import COMMAND_TIMEOUT_SECONDS

ROOT = Path(__file__).resolve().parents[3]
CONFIG = get_config("dev")
ACCOUNT = "123456789012"


@dataclass
class ProvisionAccount:
    """One empty account per test, the stand-ins' record, and the command run as an operator runs it."""

    proxy: AwsProxy
    lifecycle: DeploymentLifecycle
    moto_url: str
    green_url: str
    tools: Path
    record: Path
    extra_env: dict[str, str]

    def run(
        self,
        command: str,
        *args: str,
        env: str = "dev",
        assembly: bool = True,
        timeout: float = COMMAND_TIMEOUT_SECONDS,
    ) -> subprocess.CompletedProcess:
        return subprocess.run(
            self.argv(command, *args, env=env, assembly=assembly),
            env=self.env(),
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=timeout,
            stdin=subprocess.DEVNULL,
        )

    def start(self, command: str, *args: str) -> subprocess.Popen:
        return subprocess.Popen(
            self.argv(command, *args),
            env=self.env(),
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            stdin=subprocess.DEVNULL,
            text=True,
        )

    def argv(self, command: str, *args: str, env: str = "dev", assembly: bool = True) -> list[str]:
        common = ["--env", env, "--cdk", str(self.tools / "cdk")]
        if assembly:  # dev's, also for prod: every prod run here is refused before an assembly is read
            common += ["--assembly", str(synthesized("dev").outdir)]
        if command == "provision":
            common += ["--docker", str(self.tools / "docker"), "--service-url", self.green_url]
            common += ["--poll-interval", "0.05", "--ready-timeout", "5"]
        return [sys.executable, "manage.py", command, *common, *args]

    def cdk_calls(self) -> list[list[str]]:
        return [entry["argv"] for entry in self.entries() if entry["tool"] == "cdk"]

    def docker_calls(self) -> list[list[str]]:
        return [entry["argv"] for entry in self.entries() if entry["tool"] == "docker"]

    def entries(self) -> list[dict]:
        if not self.record.exists():
            return []
        return [json.loads(line) for line in self.record.read_text().splitlines()]

    def forget(self) -> None:
        """Start a fresh record of calls, the account left as it is."""
        self.proxy.reset()
        self.record.unlink(missing_ok=True)

    def client(self, name: str):
        return boto3.client(
            name,
            endpoint_url=self.moto_url,
            region_name=CONFIG.region,
            aws_access_key_id="testing",
            aws_secret_access_key="testing",
        )

    def env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "DJANGO_"))}
        env |= {
            "AWS_ENDPOINT_URL": self.proxy.url,
            "AWS_ACCESS_KEY_ID": "testing",
            "AWS_SECRET_ACCESS_KEY": "testing",
            "AWS_DEFAULT_REGION": CONFIG.region,
            # Never the instance metadata service, and no profile of the machine's own.
            "AWS_EC2_METADATA_DISABLED": "true",
            "AWS_CONFIG_FILE": "/nonexistent",
            "AWS_SHARED_CREDENTIALS_FILE": "/nonexistent",
            "PYTHONUNBUFFERED": "1",
            "STANDIN_RECORD": str(self.record),
            "STANDIN_MOTO_URL": self.moto_url,
            "STANDIN_URL": self.green_url,
            "STANDIN_ASSEMBLY": str(synthesized("dev").outdir),
            "STANDIN_DOCKER": "1",
        }
        return {k: v for k, v in (env | self.extra_env).items() if v is not None}


def _tool(directory: Path, name: str) -> Path:
    path = directory / name
    path.write_text(
        f'#!/bin/sh\nPYTHONPATH="{ROOT}" exec "{sys.executable}" -m tests.deploy.provision.standin {name} "$@"\n'
    )
    path.chmod(0o755)
    return path


@pytest.fixture
def account(moto_url, proxy, lifecycle, green_url, tmp_path) -> ProvisionAccount:  # noqa: F811
    requests.post(f"{moto_url}/moto-api/reset", timeout=10).raise_for_status()
    lifecycle.reset()
    proxy.reset()
    tools = tmp_path / "tools"
    tools.mkdir()
    _tool(tools, "cdk")
    _tool(tools, "docker")
    return ProvisionAccount(
        proxy=proxy,
        lifecycle=lifecycle,
        moto_url=moto_url,
        green_url=green_url,
        tools=tools,
        record=tmp_path / "record.jsonl",
        extra_env={},
    )
