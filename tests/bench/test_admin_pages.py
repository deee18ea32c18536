"""The admin benchmark, run for real on a small table: every page answers as it should and is timed."""

import os
from urllib.parse import urlsplit, urlunsplit

import psycopg
import pytest

from bench import admin_pages
from tests.support.databases import postgres_url_from_env

pytestmark = pytest.mark.slow

ROWS = 2_000


@pytest.fixture
def server_url():
    url = postgres_url_from_env()
    if url is None:
        pytest.skip("the benchmark loads PostgreSQL: set DATABASE_URL to a postgres:// URL")
    parts = urlsplit(url.replace("pgsql://", "postgresql://", 1))
    server = urlunsplit((parts.scheme, parts.netloc, "", "", ""))
    name = f"admin_pages_{os.getpid()}"
    yield server, name
    with psycopg.connect(f"{server}/postgres", autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}_{ROWS}" WITH (FORCE)')


def test_every_page_is_timed_and_printed(server_url):
    server, name = server_url
    lines = []

    timings = admin_pages.measure(server, ROWS, 1, lines.append, database=name)
    table = admin_pages.table({ROWS: timings})

    # The deepest page lies past a table this small; every other page answered as expected (else a raise).
    assert "the deepest page, 100,000 rows (p=2000)" not in timings
    assert {"the list", "search a rare word ?q=lighthouse", "10 selected: deletion"} <= timings.keys()
    assert all(timing.median_ms > 0 and timing.cpu_ms > 0 for timing in timings.values())
    assert f"| the list | {timings['the list'].median_ms:.0f} ms (" in table
    assert lines[0] == f"loading {ROWS:,} messages into {name}_{ROWS}"
