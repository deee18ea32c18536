"""Abuse limits over real HTTP: posting is rate limited per client address behind the ALB, admin logins
are locked out after repeated failures, and forging X-Forwarded-For dodges neither."""

import re

import pytest
import requests

from tests.support.proxy import running_task

RATE = 5
FAILURE_LIMIT = 3
ALB_PEER = "10.0.0.12"  # what REMOTE_ADDR would be behind the ALB; here it is loopback


@pytest.fixture(scope="module")
def limited_server(database_url, collected_static, server_env):
    # Both workers of the production sizing: posts are counted in the database, whichever worker takes them.
    env = server_env(database_url, MESSAGES_POST_RATE=f"{RATE}/min", AXES_FAILURE_LIMIT=str(FAILURE_LIMIT))
    with running_task(env=env) as server:
        yield server


def post_as(server, client_ip: str, forged: str = "") -> requests.Response:
    forwarded = f"{forged}, {client_ip}" if forged else client_ip
    return server.post("/messages", json={"sender": "abuse", "content": "x"}, headers={"X-Forwarded-For": forwarded})


def test_posting_over_the_rate_is_a_429_with_retry_after(limited_server):
    statuses = [post_as(limited_server, "203.0.113.1").status_code for _ in range(RATE)]

    refused = post_as(limited_server, "203.0.113.1")

    assert statuses == [201] * RATE
    assert refused.status_code == 429
    assert 0 < int(refused.headers["Retry-After"]) <= 60
    assert refused.json() == {
        "type": "client_error",
        "errors": [{"code": "throttled", "detail": refused.json()["errors"][0]["detail"], "attr": None}],
    }


def test_forged_leading_forwarded_entries_do_not_dodge_the_limit(limited_server):
    statuses = [post_as(limited_server, "203.0.113.2", forged=f"198.51.100.{n}").status_code for n in range(RATE + 3)]

    assert statuses == [201] * RATE + [429] * 3


def test_other_clients_keep_posting_while_one_is_limited(limited_server):
    for _ in range(RATE + 1):
        post_as(limited_server, "203.0.113.3")

    assert post_as(limited_server, "203.0.113.4").status_code == 201
    assert limited_server.get("/messages", headers={"X-Forwarded-For": "203.0.113.3"}).status_code == 200


def admin_login(server, password: str, client_ip: str, forged: str = "") -> requests.Response:
    session = requests.Session()
    forwarded = {"X-Forwarded-For": f"{forged}, {client_ip}" if forged else client_ip}
    form = session.get(f"{server.url}/admin/login/", headers=forwarded, timeout=5)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form.text).group(1)
    return session.post(
        f"{server.url}/admin/login/?next=/admin/",
        data={"csrfmiddlewaretoken": token, "username": "admin", "password": password},
        headers=forwarded,
        allow_redirects=False,
        timeout=5,
    )


def test_admin_login_locks_a_client_out_after_repeated_failures(limited_server):
    statuses = [admin_login(limited_server, f"guess-{n}", "203.0.113.20").status_code for n in range(FAILURE_LIMIT)]

    assert statuses == [200] * (FAILURE_LIMIT - 1) + [429]
    assert admin_login(limited_server, "another-guess", "203.0.113.20").status_code == 429


def test_forged_forwarded_entries_do_not_lift_an_admin_lockout(limited_server):
    for n in range(FAILURE_LIMIT):
        admin_login(limited_server, f"guess-{n}", "203.0.113.21", forged=f"198.51.100.{n}")

    assert admin_login(limited_server, "guess", "203.0.113.21", forged="198.51.100.99").status_code == 429
    assert admin_login(limited_server, "guess", "203.0.113.22").status_code == 200
