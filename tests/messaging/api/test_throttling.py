"""Rate limit on posting: per client address behind the ALB, 429 with Retry-After, reads never limited."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.db import connection
from django.test.utils import CaptureQueriesContext

from messaging.limits import parse_rate
from messaging.models import Message

pytestmark = pytest.mark.django_db

MESSAGE = {"sender": "a", "content": "x"}
REPO_ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture(autouse=True)
def three_posts_a_minute(settings):
    settings.MESSAGES_POST_RATE = "3/min"


def post(api, client_ip="203.0.113.9", forged=""):
    return api.post("/messages", MESSAGE, format="json", HTTP_X_FORWARDED_FOR=f"{forged}{client_ip}")


def test_over_the_rate_is_a_429_with_retry_after_in_the_error_shape(api):
    statuses = [post(api).status_code for _ in range(3)]

    refused = post(api)

    assert statuses == [201, 201, 201]
    assert refused.status_code == 429
    assert 0 < int(refused["Retry-After"]) <= 60
    assert refused.json()["type"] == "client_error"
    assert refused.json()["errors"][0]["code"] == "throttled"


def test_forging_leading_forwarded_entries_does_not_reset_the_count(api):
    for n in range(3):
        post(api, forged=f"198.51.100.{n}, ")

    assert post(api, forged="198.51.100.99, ").status_code == 429


def test_each_client_address_has_its_own_allowance(api):
    for _ in range(3):
        post(api, client_ip="203.0.113.9")

    assert post(api, client_ip="203.0.113.10").status_code == 201


def test_reads_are_not_limited(api):
    for _ in range(3):
        post(api)

    assert api.get("/messages", HTTP_X_FORWARDED_FOR="203.0.113.9").status_code == 200


def test_an_empty_rate_turns_the_limit_off(api, settings):
    settings.MESSAGES_POST_RATE = ""

    assert {post(api).status_code for _ in range(5)} == {201}


def test_a_client_at_its_limit_stays_counted_while_many_other_clients_post(api):
    # A limit that forgot a client whenever a few hundred others posted between two of its posts (as a
    # local-memory cache of Django's default size would) would never stop it on a busy service.
    for _ in range(3):
        post(api)
    for n in range(1000):
        post(api, client_ip=f"198.18.{n // 256}.{n % 256}")

    assert post(api).status_code == 429


def test_a_counted_post_costs_no_query_more_than_an_uncounted_one_on_postgresql(api, settings):
    if connection.vendor != "postgresql":
        pytest.skip("the count shares the insert's statement on PostgreSQL: set DATABASE_URL to a postgres:// URL")
    settings.MESSAGES_POST_RATE = ""
    with CaptureQueriesContext(connection) as unlimited:
        post(api, client_ip="203.0.113.50")
    settings.MESSAGES_POST_RATE = "3/min"
    post(api, client_ip="203.0.113.51")  # this process's first count also clears ended windows
    with CaptureQueriesContext(connection) as limited:
        post(api, client_ip="203.0.113.51")

    assert len(limited) == len(unlimited)


def test_a_malformed_post_is_refused_before_it_is_counted(api):
    for _ in range(5):
        refused = api.post("/messages", {"sender": "a"}, format="json", HTTP_X_FORWARDED_FOR="203.0.113.9")
        assert refused.status_code == 400

    assert [post(api).status_code for _ in range(4)] == [201, 201, 201, 429]


def test_a_refused_post_stores_nothing(api):
    for _ in range(3):
        post(api)

    refused = api.post(
        "/messages", {"sender": "a", "content": "over"}, format="json", HTTP_X_FORWARDED_FOR="203.0.113.9"
    )

    assert refused.status_code == 429
    assert not Message.objects.filter(content="over").exists()


def test_a_rate_of_zero_refuses_every_post_and_stores_nothing(api, settings):
    settings.MESSAGES_POST_RATE = "0/min"

    refused = post(api)

    assert refused.status_code == 429
    assert 0 < int(refused["Retry-After"]) <= 60
    assert not Message.objects.exists()


@pytest.mark.parametrize(
    ("rate", "read"),
    [("60/min", (60, 60)), ("5/s", (5, 1)), ("100/hour", (100, 3600)), ("1/day", (1, 86400)), ("0/min", (0, 60))],
)
def test_rates_read_as_drfs_throttles_read_them(rate, read):
    assert parse_rate(rate) == read


@pytest.mark.parametrize("rate", ["sixty/min", "60", "60/week", "-1/min", "60/min/x"])
def test_a_rate_that_cannot_be_read_stops_the_start_instead_of_failing_each_post(rate):
    with pytest.raises(ImproperlyConfigured, match="MESSAGES_POST_RATE"):
        parse_rate(rate)
    started = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "project.settings.test", "MESSAGES_POST_RATE": rate},
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert started.returncode != 0
    assert "MESSAGES_POST_RATE" in started.stderr
