"""Rate limit on posting: per client address behind the ALB, 429 with Retry-After, reads never limited."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

pytestmark = pytest.mark.django_db

MESSAGE = {"sender": "a", "content": "x"}


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


def test_a_counted_post_costs_one_query(api, settings):
    settings.MESSAGES_POST_RATE = ""
    with CaptureQueriesContext(connection) as unlimited:
        post(api, client_ip="203.0.113.50")
    settings.MESSAGES_POST_RATE = "3/min"
    post(api, client_ip="203.0.113.51")  # this process's first count also clears ended windows
    with CaptureQueriesContext(connection) as limited:
        post(api, client_ip="203.0.113.51")

    assert len(limited) == len(unlimited) + 1
