"""The post-costs benchmark in its one-second smoke form: every variant and the stock peer posted to, and
each reported with a multiple of the peer and the CPU it spent per post."""

import re
import subprocess
import sys
from urllib.parse import urlsplit, urlunsplit

import psycopg
import pytest

from bench.__main__ import DEFAULT_STOCK
from bench.post_costs import STOCK, VARIANTS
from bench.servers import ROOT
from tests.support.databases import postgres_url_from_env

pytestmark = pytest.mark.slow

SMOKE_DATABASE = "bench_post_costs_smoke"


def test_every_variant_and_the_stock_peer_are_measured_side_by_side(tmp_path):
    database_url = postgres_url_from_env()
    if database_url is None:
        pytest.skip("the benchmark runs against PostgreSQL: set DATABASE_URL to a postgres:// URL")
    if not DEFAULT_STOCK.is_dir():
        pytest.skip(f"the stock peer the benchmark measures against is not at {DEFAULT_STOCK}")
    parts = urlsplit(database_url)
    server_url = urlunsplit((parts.scheme, parts.netloc, "", "", ""))
    command = [sys.executable, "-m", "bench.post_costs", "--smoke", "--postgres", server_url]
    command += ["--database", SMOKE_DATABASE, "--log", str(tmp_path / "servers.log")]
    try:
        run = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=600)
    finally:
        with psycopg.connect(f"{server_url}/postgres", autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{SMOKE_DATABASE}" WITH (FORCE)')

    assert run.returncode == 0, run.stdout + run.stderr
    for name in [variant.name for variant in VARIANTS] + [STOCK]:
        # Posts a second (none zero), the multiple of the peer, the range, and CPU per post on both sides.
        row = rf"^\| {re.escape(name)} \| [1-9][\d,]* \| [\d.]+x \| [\d,]+-[\d,]+ \| [\d.]+ ms \| [\d.]+ ms \|$"
        assert re.search(row, run.stdout, re.M), f"no row for {name}:\n{run.stdout}"
    assert re.search(rf"^\| {re.escape(STOCK)} \| [\d,]+ \| 1\.00x \|", run.stdout, re.M)
