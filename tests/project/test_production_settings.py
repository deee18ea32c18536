"""Production settings: fail fast without required values, database from the ECS secret fields, deploy checks."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from project.settings.database import PREPARE_THRESHOLD

ROOT = Path(__file__).resolve().parents[2]
SECRET_KEY = "x7#k2!p9@q4$w8^z1&m5*n3(b6)v0-c+r_t=y~u{i}o[p]a;s:d"
PRODUCTION = {
    "DJANGO_SETTINGS_MODULE": "project.settings.production",
    "DJANGO_SECRET_KEY": SECRET_KEY,
    "DJANGO_ALLOWED_HOSTS": "messages.example.com",
    "DB_HOST": "db.internal",
    "DB_PORT": "5432",
    "DB_NAME": "messaging",
    "DB_USER": "messaging",
    "DB_PASSWORD": "from-secrets-manager",
}


def run_python(code: str, **env_changes: str | None) -> subprocess.CompletedProcess:
    env = {key: value for key, value in os.environ.items() if not key.startswith(("DJANGO_", "DB_", "DATABASE_URL"))}
    env.update(PRODUCTION)
    for key, value in env_changes.items():
        if value is None:
            env.pop(key, None)
        else:
            env[key] = value
    return subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)


SHOW_DATABASE = "import django; django.setup(); from django.conf import settings; print(settings.DATABASES['default'])"


@pytest.mark.parametrize("missing", ["DJANGO_SECRET_KEY", "DJANGO_ALLOWED_HOSTS"])
def test_required_values_have_no_default(missing):
    result = run_python(SHOW_DATABASE, **{missing: None})

    assert result.returncode != 0
    assert f"Set the {missing} environment variable" in result.stderr


def test_database_from_the_fields_ecs_injects():
    result = run_python(SHOW_DATABASE)

    assert result.returncode == 0, result.stderr
    database = eval(result.stdout.splitlines()[-1])  # noqa: S307 - our own repr of a dict of literals
    assert (database["HOST"], database["NAME"], database["USER"]) == ("db.internal", "messaging", "messaging")
    assert database["OPTIONS"]["sslmode"] == "require"
    assert database["OPTIONS"]["connect_timeout"] == 3
    assert database["CONN_HEALTH_CHECKS"] is True
    assert database["ENGINE"] == "project.postgresql"


def test_database_queries_are_bound_on_the_server_and_prepared_once_repeated():
    database = eval(run_python(SHOW_DATABASE).stdout.splitlines()[-1])  # noqa: S307

    assert database["OPTIONS"]["server_side_binding"] is True
    assert database["OPTIONS"]["prepare_threshold"] == PREPARE_THRESHOLD


def test_prepared_statements_can_be_turned_off_for_a_pooler():
    database = eval(run_python(SHOW_DATABASE, DB_PREPARED_STATEMENTS="false").stdout.splitlines()[-1])  # noqa: S307

    assert database["OPTIONS"]["server_side_binding"] is True
    assert database["OPTIONS"]["prepare_threshold"] is None


def test_database_url_wins_and_tls_mode_is_selectable():
    result = run_python(SHOW_DATABASE, DATABASE_URL="postgres://u:p@elsewhere:5433/other", DB_SSLMODE="verify-full")

    database = eval(result.stdout.splitlines()[-1])  # noqa: S307
    assert (database["HOST"], database["PORT"], database["NAME"]) == ("elsewhere", 5433, "other")
    assert database["ENGINE"] == "project.postgresql"
    assert database["OPTIONS"]["sslmode"] == "verify-full"


def test_pool_has_a_short_timeout_when_enabled():
    result = run_python(SHOW_DATABASE, DB_POOL="true")

    database = eval(result.stdout.splitlines()[-1])  # noqa: S307
    assert database["OPTIONS"]["pool"]["timeout"] <= 5
    assert database["CONN_MAX_AGE"] == 0


def test_deploy_checks_pass_at_warning_level():
    result = run_python(
        "import sys; from django.core.management import execute_from_command_line;"
        "execute_from_command_line(['manage.py', 'check', '--deploy', '--fail-level', 'WARNING'])"
    )

    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout


def test_deploy_checks_pass_with_https_on():
    result = run_python(
        "from django.core.management import execute_from_command_line;"
        "execute_from_command_line(['manage.py', 'check', '--deploy', '--fail-level', 'WARNING'])",
        DJANGO_HTTPS="true",
    )

    assert result.returncode == 0, result.stderr


def test_a_lock_is_waited_for_less_long_than_a_statement_may_run():
    options = eval(run_python(SHOW_DATABASE).stdout.splitlines()[-1])["OPTIONS"]  # noqa: S307

    assert options["options"] == "-c statement_timeout=5000 -c lock_timeout=2000 -c TimeZone=UTC"


def test_a_vanished_database_is_noticed_by_tcp_in_seconds():
    options = eval(run_python(SHOW_DATABASE, DB_STATEMENT_TIMEOUT_MS="4000").stdout.splitlines()[-1])["OPTIONS"]  # noqa: S307

    assert options["keepalives"] == 1
    assert options["keepalives_idle"] + options["keepalives_interval"] * options["keepalives_count"] <= 30
    # Past the statement timeout: a live server's own error always comes first.
    assert options["tcp_user_timeout"] == 6000
