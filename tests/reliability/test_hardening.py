"""Hardening over real HTTP: security headers on every kind of page, HTTPS enforced when enabled, and
the secret key and database password never written to the server's output, whatever happens."""

import json
import secrets
from urllib.parse import urlsplit, urlunsplit

import pytest
import requests

from tests.support.proxy import running_task
from tests.support.rawhttp import exchange

PAGES = ["/messages", "/messages/999999", "/nowhere", "/api/docs", "/admin/login/", "/health", "/health/ready"]


@pytest.mark.parametrize("path", PAGES)
def test_security_headers_on_every_kind_of_page(server, path):
    headers = server.get(path).headers

    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["Referrer-Policy"] == "same-origin"


# Swagger UI relaxes it on its own page for OAuth2 pop-ups (drf-spectacular); the API has no login there.
@pytest.mark.parametrize("path", [path for path in PAGES if path != "/api/docs"])
def test_cross_origin_opener_policy_isolates_pages(server, path):
    assert server.get(path).headers["Cross-Origin-Opener-Policy"] == "same-origin"


def test_session_and_csrf_cookies_are_http_only_where_they_can_be(server):
    response = server.get("/admin/login/")

    assert "csrftoken" in response.cookies
    assert "SameSite=Lax" in response.headers["Set-Cookie"]


@pytest.fixture(scope="module")
def https_server(database_url, collected_static, server_env):
    with running_task(env=server_env(database_url, DJANGO_HTTPS="true")) as server:
        yield server


def test_with_https_on_plain_http_is_redirected(https_server):
    response = https_server.get("/messages", allow_redirects=False)

    assert response.status_code == 301
    assert response.headers["Location"].startswith("https://")


@pytest.mark.parametrize("path", ["/health", "/health/"])
def test_with_https_on_the_health_check_is_answered_over_plain_http(https_server, path):
    """The ALB and the container check it over HTTP with the task's address as Host: never redirected."""
    response = https_server.get(path, allow_redirects=False, headers={"Host": "10.0.2.15:8080"})

    assert response.status_code == 200
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_with_https_on_answers_carry_hsts_and_secure_cookies(https_server):
    response = https_server.get("/admin/login/", headers={"X-Forwarded-Proto": "https"})

    assert response.status_code == 200
    assert "max-age=31536000" in response.headers["Strict-Transport-Security"]
    assert "includeSubDomains" in response.headers["Strict-Transport-Security"]
    assert "Secure" in response.headers["Set-Cookie"]


def with_password(url: str, password: str) -> str:
    parts = urlsplit(url)
    user = parts.username or "postgres"
    return urlunsplit(parts._replace(netloc=f"{user}:{password}@{parts.hostname}:{parts.port or 5432}"))


def test_secrets_never_reach_the_logs(database_url, collected_static, server_env):
    secret_key = secrets.token_urlsafe(40)
    password = secrets.token_urlsafe(24)
    typed_password = secrets.token_urlsafe(24)
    env = server_env(
        # The shared server trusts local connections, so the password is carried but never checked.
        with_password(database_url, password),
        DJANGO_SECRET_KEY=secret_key,
        LOG_LEVEL="debug",
        MESSAGES_POST_RATE="2/min",
        AXES_FAILURE_LIMIT="2",
    )
    with running_task(env=env) as server:
        for _ in range(3):
            server.post("/messages", json={"sender": "a", "content": "x"})
        server.post("/messages", data=b"{broken", headers={"Content-Type": "application/json"})
        server.post("/messages", data=b"x" * 100_000, headers={"Content-Type": "application/json"})
        server.get("/messages?cursor=bad&page_size=0")
        server.get("/messages/1/../../etc/passwd")
        server.get("/admin/")
        exchange(server.port, "GET", "/messages", headers={"Host": "evil.example.com"})
        session = requests.Session()
        session.get(f"{server.url}/admin/login/", timeout=5)
        for _ in range(3):
            session.post(
                f"{server.url}/admin/login/",
                data={"username": "admin", "password": typed_password, "csrfmiddlewaretoken": "missing"},
                timeout=5,
            )
        server.get("/health/ready")
        server.stop()
        output = server.output()

    logged_paths = {json.loads(line).get("path") for line in output.splitlines() if line.startswith("{")}
    assert "/messages" in logged_paths, "the server logged nothing: the check would prove nothing"
    assert secret_key not in output
    assert password not in output
    assert typed_password not in output
