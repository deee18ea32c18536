"""One JSON line per request on stdout, with the ALB's trace id and without message content."""

import json
import logging

import pytest
from django.utils.module_loading import import_string

pytestmark = pytest.mark.django_db


@pytest.fixture
def request_lines(caplog):
    caplog.set_level(logging.INFO, logger="project.request")
    return lambda: [record for record in caplog.records if record.name == "project.request"]


def test_one_line_per_request_with_trace_id(api, request_lines):
    api.post(
        "/messages",
        {"sender": "alice", "content": "secret plans"},
        format="json",
        HTTP_X_AMZN_TRACE_ID="Root=1-67891233-abcdef012345678912345678",
    )

    (record,) = request_lines()
    assert (record.method, record.path, record.status) == ("POST", "/messages", 201)
    assert record.request_id == "Root=1-67891233-abcdef012345678912345678"
    assert record.duration_ms >= 0


def test_line_is_json_without_body_or_query(api, request_lines, settings):
    json_format = dict(settings.LOGGING["formatters"]["json"])
    formatter = import_string(json_format.pop("()"))(**json_format)
    api.get("/messages", {"sender": "alice-private"})

    (record,) = request_lines()
    line = json.loads(formatter.format(record))
    assert line["path"] == "/messages"
    assert line["status"] == 200
    assert line["request_id"]
    assert "alice-private" not in json.dumps(line)
