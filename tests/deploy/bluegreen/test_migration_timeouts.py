"""The release's migration task runs with its own database limits: no statement timeout, a bounded lock wait.

Real PostgreSQL, the container's production settings and the exact command and variables the release
gives the one-off task (``migration_overrides``), on a migration that runs longer than the app's 5 s.
"""

import os
import subprocess
import sys
import time

import psycopg
import pytest

from deploy.bluegreen.migration import LOCK_TIMEOUT_MESSAGE, migration_failure, migration_overrides
from deploy.config import get_config
from project.settings.database import STATEMENT_TIMEOUT_MS
from tests.support.databases import migrated_database, postgres_url_from_env
from tests.support.dockerfile import REPO_ROOT
from tests.support.gunicorn import image_env, production_env

CONFIG = get_config("dev")
LONG_MIGRATION_SETTINGS = "tests.deploy.bluegreen.long_migration.settings"


@pytest.fixture
def database_url():
    """A fresh database with the project's migrations applied, the long one not yet."""
    server_url = postgres_url_from_env()
    if server_url is None:
        pytest.skip("the migration task's limits are PostgreSQL settings: set DATABASE_URL to a postgres:// URL")
    with migrated_database(server_url, prefix="migration_limits") as url:
        yield url


def run_migration_task(database_url: str, overrides: dict) -> tuple[subprocess.CompletedProcess, float]:
    """The container's command and variables as ECS composes them: the task definition's, then the override's."""
    (container,) = overrides["containerOverrides"]
    task_environment = {
        **image_env(),
        **production_env(database_url),
        "DJANGO_SETTINGS_MODULE": LONG_MIGRATION_SETTINGS,
    }
    environment = {**os.environ, **task_environment, **{e["name"]: e["value"] for e in container["environment"]}}
    command = [sys.executable if container["command"][0] == "python" else container["command"][0]]
    started = time.monotonic()
    result = subprocess.run(
        [*command, *container["command"][1:]],
        cwd=REPO_ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
    )
    return result, time.monotonic() - started


def release_overrides(environment: dict[str, str]) -> dict:
    return migration_overrides(
        container=CONFIG.container_name, command=CONFIG.service.migrate_command, environment=environment
    )


def test_a_migration_longer_than_the_apps_statement_timeout_completes(database_url):
    result, elapsed = run_migration_task(database_url, release_overrides(CONFIG.service.migration_environment))

    assert result.returncode == 0, result.stderr
    assert elapsed > STATEMENT_TIMEOUT_MS / 1000
    with psycopg.connect(database_url.replace("postgres://", "postgresql://", 1)) as connection:
        limits = connection.execute("SELECT statement_timeout, lock_timeout FROM long_migration_limits").fetchone()
    # 0: no statement timeout at all; the lock wait stays bounded.
    assert limits == ("0", "10s")
    assert CONFIG.service.migration_lock_timeout_ms == 10_000


def test_with_the_apps_own_limits_the_same_migration_is_cancelled(database_url):
    # What the task ran before it had limits of its own: the migration dies at the app's 5 s.
    result, _ = run_migration_task(database_url, release_overrides({}))

    assert result.returncode != 0
    assert "canceling statement due to statement timeout" in result.stderr


def test_every_environment_gives_the_migration_task_its_limits():
    for name in ("dev", "prod"):
        assert get_config(name).service.migration_environment == {
            "DB_STATEMENT_TIMEOUT_MS": "0",
            "DB_LOCK_TIMEOUT_MS": "10000",
        }


def test_a_lock_wait_that_runs_out_is_named_in_the_failure():
    task = {"taskArn": "arn:aws:ecs:r:1:task/c/abc"}
    log = [f"django.db.utils.OperationalError: {LOCK_TIMEOUT_MESSAGE}"]
    text = migration_failure(task, {"exitCode": 1}, log)
    assert "gave up waiting for a table lock" in text
    assert "release again once it ends" in text
