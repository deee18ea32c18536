"""The benchmark's load generation, run for real with wrk against a small local HTTP server."""

import pytest

from bench import load
from tests.support.stub_http import stub_http_server

TARGET_RPS = 150


@pytest.fixture(scope="module")
def url():
    load.ensure_tools()
    with stub_http_server() as server:
        yield server.url


def test_at_rate_holds_near_the_rate_asked_for(url):
    paced = load.at_rate(url, rps=TARGET_RPS, seconds=3)

    # Loose bounds: this checks the pacing works at all (a closed loop would run at thousands a second),
    # not how precisely a busy machine keeps time.
    assert TARGET_RPS * 0.5 < paced.rps < TARGET_RPS * 1.5
    assert paced.errors == 0
    assert 0 < paced.p50_ms <= paced.p99_ms


def test_peak_runs_flat_out(url):
    result = load.peak(url, seconds=1, connections=4)

    assert result.rps > TARGET_RPS * 2
    assert result.errors == 0
