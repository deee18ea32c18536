"""Requests wrong before any field is read: syntax, media type, size, method, path."""

import gzip
import json

import pytest
from django.conf import settings
from django.test import Client

from messaging.models import Message

pytestmark = pytest.mark.django_db


def error(response):
    body = response.json()
    assert len(body["errors"]) == 1
    return body["type"], body["errors"][0]["code"]


@pytest.mark.parametrize(
    "raw",
    [
        b'{"sender": "a", "content": ',
        b"not json",
        b'{"sender": "a", "content": NaN}',
        b'{"sender": "a", "content": "x"} trailing',
        b"\xff\xfe{}",
        b"[" * 10_000 + b"]" * 10_000,
    ],
    ids=["truncated", "text", "nan", "trailing", "invalid-utf8", "deeply-nested"],
)
def test_malformed_json_is_a_400_parse_error(api, raw):
    response = api.post("/messages", raw, content_type="application/json")

    assert response.status_code == 400
    assert error(response) == ("client_error", "parse_error")
    assert not Message.objects.exists()


@pytest.mark.parametrize("content_type", ["text/plain", "application/x-www-form-urlencoded", "application/xml"])
def test_other_media_types_are_a_415(api, content_type):
    response = api.post("/messages", b"sender=a&content=x", content_type=content_type)

    assert response.status_code == 415
    assert error(response) == ("client_error", "unsupported_media_type")


def test_gzip_encoded_body_is_a_415(api):
    body = gzip.compress(json.dumps({"sender": "a", "content": "x"}).encode())

    response = api.post("/messages", body, content_type="application/json", HTTP_CONTENT_ENCODING="gzip")

    assert response.status_code == 415
    assert "Content-Encoding" in response.json()["errors"][0]["detail"]


def test_body_over_the_limit_is_a_413(api):
    content = "x" * settings.MAX_REQUEST_BODY_BYTES

    response = api.post("/messages", {"sender": "a", "content": content}, format="json")

    assert response.status_code == 413
    assert error(response) == ("client_error", "request_too_large")
    assert not Message.objects.exists()


def test_ten_megabyte_body_is_a_413(api):
    response = api.post("/messages", b"[" + b"1," * 5_000_000 + b"1]", content_type="application/json")

    assert response.status_code == 413


@pytest.mark.parametrize(("method", "path"), [("put", "/messages"), ("delete", "/messages/1"), ("patch", "/messages")])
def test_unsupported_method_is_a_405(api, method, path):
    response = getattr(api, method)(path, {}, format="json")

    assert response.status_code == 405
    assert error(response) == ("client_error", "method_not_allowed")


def test_method_override_header_is_not_honoured(api):
    response = api.post(
        "/messages", {"sender": "a", "content": "x"}, format="json", HTTP_X_HTTP_METHOD_OVERRIDE="DELETE"
    )

    assert response.status_code == 201


@pytest.mark.parametrize(
    "path",
    [
        "/nope",
        "/messages/abc",
        "/messages/-1",
        "/messages/1/extra",
        "/messages/%2e%2e/%2e%2e/etc/passwd",
        "/static/../manage.py",
    ],
)
def test_unknown_path_is_a_json_404(api, path):
    response = api.get(path)

    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert error(response) == ("client_error", "not_found")


@pytest.mark.parametrize("method", ["POST", "PUT", "PATCH", "DELETE"])
def test_unknown_path_is_a_json_404_for_writes_from_a_browser_like_client_too(method):
    """A client that gets CSRF checks (as the real server applies them) gets the 404, not a CSRF page."""
    browser = Client(enforce_csrf_checks=True)

    response = browser.generic(method, "/nope", b"{}", content_type="application/json")

    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert error(response) == ("client_error", "not_found")


def test_unknown_path_is_a_json_404_with_debug_on(api, settings):
    settings.DEBUG = True

    response = api.get("/nope")

    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"


def test_chunked_body_without_length_is_a_411(api):
    response = api.generic("POST", "/messages", b"", content_type="application/json", HTTP_TRANSFER_ENCODING="chunked")

    assert response.status_code == 411
    assert error(response) == ("client_error", "length_required")
    assert not Message.objects.exists()
