"""The release's migration task runs with its own database limits: no statement timeout, a bounded lock wait.

Real PostgreSQL, the container's production settings and the exact command and variables the release
gives the one-off task (``migration_overrides``), on a migration that runs longer than the app's 5 s.
"""

import os
import subprocess
import time
import uuid

import psycopg
import pytest
from psycopg import sql

from deploy.bluegreen.migration import LOCK_TIMEOUT_MESSAGE, migration_failure, migration_overrides
from deploy.config import get_config
from project.settings.database import STATEMENT_TIMEOUT_MS
from tests.support.databases import migrated_database, postgres_url_from_env
from tests.support.dockerfile import REPO_ROOT
from tests.support.gunicorn import image_env, production_env

CONFIG = get_config("dev")
LONG_MIGRATION_SETTINGS = "tests.deploy.bluegreen.long_migration.settings"
# Roles belong to the whole server: a name of this run alone.
APP_ROLE = f"long_migration_app_{os.getpid()}_{uuid.uuid4().hex[:8]}"


@pytest.fixture
def database_url():
    """A fresh database with the project's migrations applied, the long one not yet."""
    server_url = postgres_url_from_env()
    if server_url is None:
        pytest.skip("the migration task's limits are PostgreSQL settings: set DATABASE_URL to a postgres:// URL")
    with migrated_database(server_url, prefix="migration_limits") as url:
        yield url
        with psycopg.connect(libpq(url), autocommit=True) as owner:
            # The step after the migrations made it only when they succeeded.
            if owner.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [APP_ROLE]).fetchone():
                owner.execute(sql.SQL("DROP OWNED BY {}").format(sql.Identifier(APP_ROLE)))
    with psycopg.connect(libpq(server_url), autocommit=True) as admin:
        admin.execute(sql.SQL("DROP ROLE IF EXISTS {}").format(sql.Identifier(APP_ROLE)))


def libpq(url: str) -> str:
    return url.replace("postgres://", "postgresql://", 1).replace("pgsql://", "postgresql://", 1)


def run_migration_task(database_url: str, overrides: dict) -> tuple[subprocess.CompletedProcess, float]:
    """The container's command and variables as ECS composes them: the task definition's, then the override's."""
    (container,) = overrides["containerOverrides"]
    task_environment = {
        **image_env(),
        **production_env(database_url),
        "DJANGO_SETTINGS_MODULE": LONG_MIGRATION_SETTINGS,
        # The migration task definition's secrets for the app's role (ADR 0019).
        "DB_APP_USER": APP_ROLE,
        "DB_APP_PASSWORD": uuid.uuid4().hex,
    }
    environment = {**os.environ, **task_environment, **{e["name"]: e["value"] for e in container["environment"]}}
    started = time.monotonic()
    # The image's python is the venv's first on PATH (image_env), as in the container.
    result = subprocess.run(
        container["command"],
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
