"""The Dockerfile and its build context: lint-clean, the tested Python, nothing secret or stray inside."""

import re
import tomllib

import pytest

from deploy.config import get_config
from tests.delivery.tools import run_tool
from tests.support.dockerfile import REPO_ROOT, read_image_contract

SERVICE = get_config("dev").service


@pytest.fixture(scope="module")
def contract():
    return read_image_contract()


def test_hadolint_reports_nothing():
    result = run_tool("hadolint", "--no-color", "Dockerfile")
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout == ""


def test_base_image_is_the_python_ci_tests(contract):
    requires = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text())["project"]["requires-python"]
    tested = re.search(r">=(\d+\.\d+)", requires).group(1)
    assert contract.base_image.startswith(f"python:{tested}-slim")


def test_release_version_is_a_build_argument_kept_in_the_environment(contract):
    assert "RELEASE_VERSION" in contract.args
    assert contract.env[SERVICE.release_env_var] == contract.args["RELEASE_VERSION"]


def test_runs_the_production_settings(contract):
    assert contract.env["DJANGO_SETTINGS_MODULE"] == "project.settings.production"


def test_no_secret_is_baked_into_the_image_environment(contract):
    assert not {"DJANGO_SECRET_KEY", "DATABASE_URL", "DB_PASSWORD"} & contract.env.keys()


def test_health_check_timings_match_the_ecs_task_definition(contract):
    options = contract.healthcheck.options
    assert options["interval"] == f"{SERVICE.health_check_interval_seconds}s"
    assert options["timeout"] == f"{SERVICE.health_check_timeout_seconds}s"
    assert options["start-period"] == f"{SERVICE.health_check_start_period_seconds}s"
    assert options["retries"] == str(SERVICE.unhealthy_threshold)


def _dockerignore_patterns() -> list[str]:
    lines = (REPO_ROOT / ".dockerignore").read_text().splitlines()
    return [line.strip() for line in lines if line.strip() and not line.startswith("#")]


def test_build_context_is_an_allow_list():
    """Everything is excluded first, so a new secret or cache file can never slip into the context."""
    assert _dockerignore_patterns()[0] == "*"


def test_build_context_admits_exactly_what_the_dockerfile_copies(contract):
    admitted = {pattern[1:].rstrip("/") for pattern in _dockerignore_patterns() if pattern.startswith("!")}
    assert admitted == set(contract.copy_sources)


@pytest.mark.parametrize("pattern", ["**/__pycache__", "**/*.py[cod]"])
def test_build_context_drops_bytecode_inside_the_copied_packages(pattern):
    assert pattern in _dockerignore_patterns()
