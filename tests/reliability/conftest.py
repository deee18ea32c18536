"""Reliability tests run the real server (gunicorn, production settings) against real PostgreSQL.

The long ones are marked ``slow`` (see ``tests/conftest.py``).
"""

import os
import secrets
import subprocess
import sys

import pytest

from tests.support.databases import migrated_database, postgres_url_from_env
from tests.support.dockerfile import REPO_ROOT
from tests.support.gunicorn import image_env, production_env
from tests.support.proxy import running_task


@pytest.fixture(scope="session")
def postgres_server_url():
    url = postgres_url_from_env()
    if url is None:
        pytest.skip("reliability tests run against PostgreSQL: set DATABASE_URL to a postgres:// URL")
    return url


@pytest.fixture(scope="package")
def database_url(postgres_server_url):
    with migrated_database(postgres_server_url, prefix="reliability") as url:
        yield url


@pytest.fixture(scope="session")
def collected_static():
    """The admin's hashed static files, as the image's build collects them; admin pages need the manifest."""
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--no-input", "--verbosity", "0"],
        cwd=REPO_ROOT,
        env={**os.environ, **image_env(), **production_env("sqlite:////tmp/collectstatic.sqlite3")},
        check=True,
        timeout=120,
    )


@pytest.fixture(scope="session")
def server_env():
    """Production variables for a test server; posting is unlimited unless a test sets a rate."""

    def server_env(database_url: str, **overrides: str) -> dict[str, str]:
        return production_env(database_url, **{"MESSAGES_POST_RATE": "", **overrides})

    return server_env


@pytest.fixture(scope="package")
def server(database_url, collected_static, server_env):
    """One production server shared by the tests that only send requests and read answers."""
    with running_task(env=server_env(database_url)) as server:
        yield server


@pytest.fixture
def random_secret() -> str:
    return secrets.token_urlsafe(40)
