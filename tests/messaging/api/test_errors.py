"""messaging.api.errors: an error body is the same bytes whichever part of the stack answers it."""

import json

import orjson
import pytest
from django.db import OperationalError
from django.test import Client, RequestFactory

from messaging.api import views
from messaging.api.error_shape import error_body
from messaging.api.errors import ErrorResponse, server_error

pytestmark = pytest.mark.django_db

NOT_FOUND = orjson.dumps(error_body("client_error", "not_found", "Not found."))
SHAPE = error_body("client_error", "code", "detail")


def in_the_renderers_format(response) -> bool:
    """The body is compact JSON with the shape's keys in the shape's order, as the API's renderer writes it."""
    body = json.loads(response.content)
    body_keys = [list(body)] + [list(error) for error in body["errors"]]
    shape_keys = [list(SHAPE)] + [list(SHAPE["errors"][0])] * len(body["errors"])
    return body_keys == shape_keys and response.content == orjson.dumps(body)


def test_unknown_paths_and_a_missing_message_answer_the_same_404_bytes(api):
    browser = Client(enforce_csrf_checks=True)

    answers = {
        "unknown path, GET": api.get("/nope"),
        "unknown path, POST": browser.post("/nope", b"{}", content_type="application/json"),
        "route that does not match": api.get("/messages/abc"),
        "missing message, from the DRF view": api.get("/messages/999999"),
    }

    assert {name: response.status_code for name, response in answers.items()} == dict.fromkeys(answers, 404)
    assert {name: response.content for name, response in answers.items()} == dict.fromkeys(answers, NOT_FOUND)
    assert {response["Content-Type"] for response in answers.values()} == {"application/json"}


def test_every_source_of_an_error_writes_the_renderers_format(api):
    answers = {
        "bad Host, Django's 400 handler": api.get("/messages", HTTP_HOST="unknown.example"),
        "chunked body, the 411 middleware": api.generic(
            "POST", "/messages", b"", content_type="application/json", HTTP_TRANSFER_ENCODING="chunked"
        ),
        "unknown path, Django's 404 handler": api.get("/nope"),
        "Django's 500 handler": server_error(RequestFactory().get("/messages")),
        "wrong method, a DRF view": api.delete("/messages"),
        "bad page size, a DRF view": api.get("/messages", {"page_size": "0"}),
    }

    assert [name for name, response in answers.items() if not in_the_renderers_format(response)] == []
    assert {response["Content-Type"] for response in answers.values()} == {"application/json"}
    assert [response.status_code for response in answers.values()] == [400, 411, 404, 500, 405, 400]


def test_non_ascii_details_are_written_as_drf_writes_them():
    """UTF-8 as is, with the line separator escaped as DRF escapes it for JavaScript clients."""
    response = ErrorResponse(error_body("client_error", "not_found", "Pas trouvé \u2028 ✓"), status=404)

    assert '"detail":"Pas trouvé \\u2028 ✓"'.encode() in response.content


def test_a_database_away_is_a_503_logged_once_in_one_line_without_a_traceback(api, monkeypatch, caplog):
    def unavailable(**kwargs):
        raise OperationalError("consuming input failed: server closed the connection unexpectedly\n\tdetails")

    monkeypatch.setattr(views, "message_create", unavailable)
    with caplog.at_level("ERROR"):
        response = api.post("/messages", {"sender": "ann", "content": "hi"}, format="json")

    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    assert [record.getMessage() for record in caplog.records] == [
        "Service Unavailable: /messages (OperationalError: consuming input failed: "
        "server closed the connection unexpectedly)"
    ]
    assert all(record.exc_info is None for record in caplog.records)
