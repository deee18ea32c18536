"""cfn-lint over every synthesized template, run as CI runs it: same command, same ``.cfnlintrc``."""

import pytest
import yaml

from tests.delivery.tools import load_yaml, run_tool
from tests.deploy.infra.synthesis import ENVS, HTTPS_VARIANT, synthesized
from tests.support.dockerfile import REPO_ROOT

# CI's step, with the environment's assembly directory in place of cdk.out/$DEPLOY_ENV.
CI_COMMAND = 'cfn-lint "cdk.out/$DEPLOY_ENV/*.template.json"'


def cfn_lint(env: str):
    # cfn-lint expands the quoted glob itself, as it does in CI.
    return run_tool("cfn-lint", str(synthesized(env).outdir / "*.template.json"), timeout=180)


@pytest.mark.parametrize("env", [*ENVS, HTTPS_VARIANT])
def test_templates_pass_cfn_lint_with_no_warning_outside_the_ignore_file(env):
    result = cfn_lint(env)

    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout == ""


def test_ci_runs_the_same_command():
    steps = load_yaml(".github/workflows/ci.yml")["jobs"]["synth"]["steps"]
    assert [step["run"] for step in steps if "cfn-lint" in step.get("run", "")] == [CI_COMMAND]


def test_ignores_only_the_named_zones_warning():
    # W3691 (an engine version RDS no longer creates) must stay on: it is what catches a stale version.
    assert yaml.safe_load((REPO_ROOT / ".cfnlintrc").read_text()) == {"ignore_checks": ["W3010"]}
