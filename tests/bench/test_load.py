"""The benchmark's load generation, run for real with wrk against a small local HTTP server."""

import ipaddress
from collections import Counter

import pytest

from bench import load
from tests.support.stub_http import stub_http_server

TARGET_RPS = 150
LOAD_BALANCED_CLIENTS = ipaddress.ip_network("10.0.0.0/16")


@pytest.fixture(scope="module")
def server():
    load.ensure_tools()
    with stub_http_server() as server:
        yield server


@pytest.fixture
def url(server):
    return server.url


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


def test_posts_come_from_many_clients_through_the_load_balancer(server):
    server.posted.clear()

    result = load.peak(server.url, seconds=1, post=True, connections=4)

    assert result.errors == 0
    assert len(server.posted) > 100
    assert {headers["Content-Type"] for headers in server.posted} == {"application/json"}
    clients = [headers["X-Forwarded-For"] for headers in server.posted]
    assert all(ipaddress.ip_address(client) in LOAD_BALANCED_CLIENTS for client in clients)
    # Spread thin: even at this stub's rate, several times the product's, no client nears 60 posts.
    assert len(set(clients)) > len(clients) / 2
    assert max(Counter(clients).values()) < 20
