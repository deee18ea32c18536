"""A migrated PostgreSQL database of its own for a test that runs the app in another process."""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from urllib.parse import urlsplit, urlunsplit

import psycopg
from psycopg import sql

from tests.support.dockerfile import REPO_ROOT
from tests.support.gunicorn import image_env, production_env

POSTGRES_SCHEMES = ("postgres", "postgresql", "pgsql")


def postgres_url_from_env() -> str | None:
    """The suite's ``DATABASE_URL`` when it names a PostgreSQL server, else None."""
    url = os.environ.get("DATABASE_URL", "")
    return url if urlsplit(url).scheme in POSTGRES_SCHEMES else None


def with_database(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, f"/{name}", parts.query, parts.fragment))


def _libpq(url: str) -> str:
    # psycopg accepts postgresql:// and postgres://, not Django's pgsql:// alias.
    return url.replace("pgsql://", "postgresql://", 1)


def migrate(database_url: str) -> None:
    """Apply every migration with the production settings, as the release's migration task does."""
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--no-input", "--verbosity", "0"],
        cwd=REPO_ROOT,
        env={**os.environ, **image_env(), **production_env(database_url)},
        check=True,
        timeout=120,
    )


@contextlib.contextmanager
def migrated_database(server_url: str, *, prefix: str = "server") -> Iterator[str]:
    """Create a fresh database on the server of ``server_url``, migrate it, yield its URL, drop it."""
    name = f"{prefix}_{os.getpid()}_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(_libpq(server_url), autocommit=True) as admin:
        admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    database_url = with_database(server_url, name)
    try:
        migrate(database_url)
        yield database_url
    finally:
        with psycopg.connect(_libpq(server_url), autocommit=True) as admin:
            admin.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
