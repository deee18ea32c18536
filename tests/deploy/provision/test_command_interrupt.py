"""Ctrl-C during a long wait: one clear line, no traceback, and the CDK CLI's process stopped, not orphaned."""

from __future__ import annotations

import os
import signal
import time

from tests.deploy.provision.conftest import CONFIG
from tests.deploy.provision.standin import BOOTSTRAP_PARAMETER, BOOTSTRAP_VERSION


def test_ctrl_c_during_a_stack_deployment_stops_the_cli_and_says_what_goes_on(account):
    account.extra_env["STANDIN_DEPLOY_SLEEP"] = "60"
    # Bootstrapped already, so the first long wait is the first stack's deployment.
    account.client("ssm").put_parameter(Name=BOOTSTRAP_PARAMETER, Value=BOOTSTRAP_VERSION, Type="String")
    process = account.start("provision", "--image", "v1")
    deadline = time.monotonic() + 60
    while not any(entry["argv"][0] == "deploy" for entry in account.entries()):
        assert time.monotonic() < deadline, "the first deployment never started"
        assert process.poll() is None, process.communicate()
        time.sleep(0.1)
    time.sleep(0.5)  # inside the deployment's wait
    process.send_signal(signal.SIGINT)
    _, stderr = process.communicate(timeout=30)
    assert process.returncode == 1
    network = CONFIG.stack_name("Network")
    assert f"interrupted: stopped `cdk deploy`. CloudFormation may still be working on {network}" in stderr
    assert "Traceback" not in stderr
    deploy = next(entry for entry in account.entries() if entry["argv"][0] == "deploy")
    try:
        os.kill(deploy["pid"], 0)
    except ProcessLookupError:
        pass
    else:
        raise AssertionError(f"the CDK CLI (pid {deploy['pid']}) outlived the command")
