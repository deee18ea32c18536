"""The benchmark database: one PostgreSQL database, the product's table and the anchor's side by side."""

import base64
import subprocess
import sys

import psycopg

from bench.servers import ROOT, app_environment

SEED_APP = """
INSERT INTO messaging_message (sender, content, created_at)
SELECT 'user' || (n %% 100), 'message number ' || n || ' with some ordinary text in it',
       now() - (%(rows)s - n) * interval '1 second'
FROM generate_series(1, %(rows)s) AS n
"""
SEED_ANCHOR = """
INSERT INTO go_messages (sender, content, created_at)
SELECT 'user' || (n %% 100), 'message number ' || n || ' with some ordinary text in it',
       now() - (%(rows)s - n) * interval '1 second'
FROM generate_series(1, %(rows)s) AS n
"""


def deep_page_path(rows: int) -> str:
    """``GET /messages`` at a cursor about 99.9 % of the way down the chain of ``rows`` seeded messages."""
    position = max(rows // 1000, 1) + 51
    return "/messages?cursor=" + base64.b64encode(f"p={position}".encode()).decode()


def recreate(server_url: str, name: str) -> str:
    """Drop and create database ``name``, migrate the product's schema into it; return its URL."""
    with psycopg.connect(f"{server_url}/postgres", autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{name}"')
    url = f"{server_url}/{name}"
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--no-input", "-v0"], cwd=ROOT, env=app_environment(url), check=True
    )
    return url


def seed(url: str, *, rows: int, anchor: bool) -> None:
    """Replace the messages of both tables with ``rows`` identical ones each, ids from 1, and analyze."""
    with psycopg.connect(url, autocommit=True) as connection:
        connection.execute("TRUNCATE messaging_message RESTART IDENTITY")
        connection.execute(SEED_APP, {"rows": rows})
        connection.execute("VACUUM ANALYZE messaging_message")
        if anchor:
            connection.execute("TRUNCATE go_messages RESTART IDENTITY")
            connection.execute(SEED_ANCHOR, {"rows": rows})
            connection.execute("VACUUM ANALYZE go_messages")
