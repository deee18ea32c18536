"""The whole benchmark in its seconds-long smoke form: all three servers, every measurement, the report and chart."""

import re
import subprocess
import sys
from urllib.parse import urlsplit, urlunsplit

import psycopg
import pytest

from bench.__main__ import DEFAULT_ANCHOR, DEFAULT_STOCK
from bench.servers import ROOT
from tests.support.databases import postgres_url_from_env

pytestmark = pytest.mark.slow

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
SMOKE_DATABASE = "bench_smoke"


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    database_url = postgres_url_from_env()
    if database_url is None:
        pytest.skip("the benchmark runs against PostgreSQL: set DATABASE_URL to a postgres:// URL")
    for peer in (DEFAULT_ANCHOR, DEFAULT_STOCK):
        if not peer.is_dir():
            pytest.skip(f"a peer the benchmark measures against is not at {peer}")
    parts = urlsplit(database_url)
    server_url = urlunsplit((parts.scheme, parts.netloc, "", "", ""))
    out = tmp_path_factory.mktemp("bench")
    command = [sys.executable, "-m", "bench", "--smoke", "--out", str(out), "--postgres", server_url]
    try:
        run = subprocess.run(
            [*command, "--database", SMOKE_DATABASE], cwd=ROOT, capture_output=True, text=True, timeout=600
        )
        assert run.returncode == 0, run.stdout + run.stderr
        yield out
    finally:
        with psycopg.connect(f"{server_url}/postgres", autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{SMOKE_DATABASE}" WITH (FORCE)')


def test_the_report_compares_every_endpoint_with_both_peers_without_errors(report):
    markdown = (report / "RESULTS.md").read_text()

    for endpoint in ("GET /messages (page of 50)", "POST /messages", "GET /health"):
        # The three servers' requests a second (none zero), the multiple of the stock peer, the share of
        # Go, and no errors on any side.
        counts = r" \| [1-9][\d,]*" * 3
        row = rf"^\| {re.escape(endpoint)}{counts} \| [\d.]+x \| \d+% \|.*\| 0 / 0 / 0 \|$"
        assert re.search(row, markdown, re.M), f"no error-free row for {endpoint}:\n{markdown}"
    assert markdown.count("| 0 / 0 / 0 |") == 5  # three peak rows and two at-rate rows, all without errors


def test_the_report_judges_the_four_targets(report):
    markdown = (report / "RESULTS.md").read_text()

    judged = re.findall(r"^\| (GET|POST) /messages.*\| (met|not met) \|$", markdown, re.M)
    assert len(judged) == 4, markdown


def test_the_report_measures_pages_memory_and_start_up(report):
    markdown = (report / "RESULTS.md").read_text()

    assert re.search(r"^\| 1,000 \| [\d.]+ / [\d.]+ \| [\d.]+ / [\d.]+ \| [\d.]+x \|", markdown, re.M)
    assert re.search(r"^\| 20,000 \| ", markdown, re.M)
    assert re.search(r"RSS, under load \(peak\) \| [1-9]\d* MiB \|", markdown)
    assert re.search(r"product: start to first 200 on /health \| [\d.]+ s \|", markdown)


def test_the_chart_is_written(report):
    assert (report / "chart.png").read_bytes().startswith(PNG_SIGNATURE)
