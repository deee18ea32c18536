"""``manage.py synth_infra``: output per stack, and clear errors for bad input."""

import dataclasses
import io
import json
import subprocess
import sys

import pytest
from django.core.management import CommandError, call_command

from deploy import config as deploy_config
from tests.deploy.infra.synthesis import ENVS, PARTS, synthesized


@pytest.mark.parametrize("env", ENVS)
def test_prints_each_stack_with_its_resource_count(env):
    synthesis = synthesized(env)
    config = deploy_config.get_config(env)
    for part in PARTS:
        count = len(json.loads(synthesis.template_path(part).read_text())["Resources"])
        assert f"{config.stack_name(part)}: {count} resources" in synthesis.stdout
    assert (synthesis.outdir / "manifest.json").exists()


def test_unknown_environment_is_a_command_error():
    with pytest.raises(CommandError, match="unknown environment 'staging'"):
        call_command("synth_infra", env="staging", output="unused", stdout=io.StringIO())


def test_invalid_configuration_is_a_command_error(monkeypatch, tmp_path):
    dev = deploy_config.get_config("dev")
    broken = dataclasses.replace(dev, service=dataclasses.replace(dev.service, min_tasks=0))
    monkeypatch.setitem(deploy_config.ENVIRONMENTS, "dev", broken)
    with pytest.raises(CommandError, match="min_tasks"):
        call_command("synth_infra", "--env", "dev", "--output", str(tmp_path), stdout=io.StringIO())


def test_the_web_process_never_imports_aws_cdk():
    code = (
        "import sys, django; django.setup(); import project.urls, deploy.management.commands.synth_infra; "
        "print(any(m == 'aws_cdk' or m.startswith(('aws_cdk.', 'jsii')) for m in sys.modules))"
    )
    env = {"DJANGO_SETTINGS_MODULE": "project.settings.test", "PATH": ""}
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True)
    assert result.stdout.strip() == "False"
