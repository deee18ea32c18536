"""The task's proxy, run for real in front of gunicorn: its own refusals in the API's error shape, and
requests passed on as the load balancer sent them."""

import http.client

import pytest

from deploy.config import ENVIRONMENTS
from deploy.proxy.render import TEMPLATE
from project.runtime import HEALTH_PATH
from tests.support import proxy as proxy_support
from tests.support.gunicorn import production_env
from tests.support.proxy import running_task


@pytest.fixture(scope="module")
def task(server_database_url):
    with running_task(env=production_env(server_database_url, MESSAGES_POST_RATE="")) as task:
        yield task


def assert_error_shape(response, status: int, code: str) -> None:
    assert response.status_code == status
    assert response.headers["Content-Type"] == "application/json"
    body = response.json()
    assert body["type"] == "client_error"
    assert [(error["code"], error["attr"]) for error in body["errors"]] == [(code, None)]
    assert body["errors"][0]["detail"]


def test_health_and_the_api_answer_through_the_proxy(task):
    created = task.post("/messages", json={"sender": "alice", "content": "Hello from AWS!"})

    assert task.get(HEALTH_PATH, headers={"Host": "10.0.2.15"}).status_code == 200
    assert created.status_code == 201, created.text
    assert task.get(f"/messages/{created.json()['id']}").json()["content"] == "Hello from AWS!"


def test_an_over_long_request_line_is_a_json_414(task):
    assert_error_shape(task.get("/messages", params={"sender": "a" * 5_000}), 414, "uri_too_long")


@pytest.mark.parametrize(
    "headers",
    [{"X-Filler": "x" * 5_000}, {f"X-Filler-{n}": "x" * 100 for n in range(200)}],
    ids=["one-large-header", "many-headers"],
)
def test_headers_over_the_proxy_buffers_are_a_json_431(task, headers):
    assert_error_shape(task.get("/messages", headers=headers), 431, "request_header_fields_too_large")


def test_a_body_over_the_app_limit_is_a_json_413_before_gunicorn_sees_it(task):
    body = b'{"sender": "a", "content": "' + b"x" * ENVIRONMENTS["prod"].service.max_request_body_bytes + b'"}'

    response = task.post("/messages", data=body, headers={"Content-Type": "application/json"})

    assert_error_shape(response, 413, "request_too_large")


def test_a_chunked_body_is_a_json_411(task):
    response = task.post("/messages", data=iter([b'{"sender": "a", "content": "x"}']))

    assert_error_shape(response, 411, "length_required")


def test_trace_is_a_json_405_listing_the_route_methods(task):
    connection = http.client.HTTPConnection("127.0.0.1", task.port, timeout=5)
    try:
        connection.request("TRACE", "/messages?page_size=1")
        response = connection.getresponse()
        body = response.read()
    finally:
        connection.close()

    assert response.status == 405
    assert response.getheader("Allow") == "GET, POST, HEAD, OPTIONS"
    assert b'"code":"method_not_allowed"' in body


def test_the_proxy_sets_no_forwarded_for_of_its_own():
    """X-Forwarded-For passes as the ALB sent it: the client address stays its last entry (messaging.client);
    tests/reliability/test_abuse.py proves it through the proxy with the post limit."""
    assert "proxy_add_x_forwarded_for" not in TEMPLATE.read_text()
    assert "X-Forwarded-For" not in {
        line.split()[1] for line in TEMPLATE.read_text().splitlines() if "proxy_set_header" in line
    }


def test_without_nginx_a_developer_run_skips_naming_the_package_and_ci_fails(monkeypatch):
    monkeypatch.setattr(proxy_support, "nginx_path", lambda: None)
    monkeypatch.delenv("CI", raising=False)
    with pytest.raises(pytest.skip.Exception, match="apt-get install nginx"):
        proxy_support.require_nginx()

    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="apt-get install nginx"):
        proxy_support.require_nginx()
