"""The benchmark database: one PostgreSQL database, the product's table and the peers' side by side."""

import base64
import subprocess
import sys

import psycopg

from bench.servers import ROOT, app_environment

# The same rows in each server's table: ids from 1, a second apart, the newest now.
SEED = """
INSERT INTO {table} (sender, content, created_at)
SELECT 'user' || (n %% 100), 'message number ' || n || ' with some ordinary text in it',
       now() - (%(rows)s - n) * interval '1 second'
FROM generate_series(1, %(rows)s) AS n
"""
APP_TABLE = "messaging_message"
# The Go anchor's table, and the stock DRF peer's (created by their run.sh when they start).
PEER_TABLES = ("go_messages", "drf_stock_message")


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
    """Replace the messages of the product's table (and with ``anchor``, of the peers') with ``rows``
    identical ones each, ids from 1, and analyze."""
    with psycopg.connect(url, autocommit=True) as connection:
        for table in (APP_TABLE, *(PEER_TABLES if anchor else ())):
            connection.execute(f"TRUNCATE {table} RESTART IDENTITY")
            connection.execute(SEED.format(table=table), {"rows": rows})
            connection.execute(f"VACUUM ANALYZE {table}")
