"""One JSON line per request on stdout, with the ALB's trace id and without message content."""

import json
import logging
import re

import pytest
from django.utils.module_loading import import_string

from project import request_log

pytestmark = pytest.mark.django_db


@pytest.fixture
def request_lines(capfd):
    def lines():
        out = capfd.readouterr().out
        parsed = [json.loads(line) for line in out.splitlines() if line.startswith("{")]
        return [line for line in parsed if line.get("logger") == request_log.LOGGER_NAME]

    return lines


def test_one_line_per_request_with_trace_id(api, request_lines):
    api.post(
        "/messages",
        {"sender": "alice", "content": "secret plans"},
        format="json",
        HTTP_X_AMZN_TRACE_ID="Root=1-67891233-abcdef012345678912345678",
    )

    (line,) = request_lines()
    assert (line["method"], line["path"], line["status"]) == ("POST", "/messages", 201)
    assert line["request_id"] == "Root=1-67891233-abcdef012345678912345678"
    assert line["duration_ms"] >= 0


def test_line_has_no_body_or_query(api, request_lines):
    api.post("/messages", {"sender": "alice-private", "content": "secret plans"}, format="json")
    api.get("/messages", {"sender": "alice-private"})

    lines = request_lines()
    assert [(line["method"], line["status"]) for line in lines] == [("POST", 201), ("GET", 200)]
    assert all(line["path"] == "/messages" and line["request_id"] for line in lines)
    assert "alice-private" not in json.dumps(lines)
    assert "secret" not in json.dumps(lines)


def test_line_has_the_shape_of_the_other_log_lines(api, request_lines, settings):
    """Same keys first, and the same time format, as the JSON formatter gives an ordinary record."""
    json_format = dict(settings.LOGGING["formatters"]["json"])
    formatter = import_string(json_format.pop("()"))(**json_format)
    record = logging.LogRecord(request_log.LOGGER_NAME, logging.INFO, __file__, 1, "request", (), None)
    formatted = json.loads(formatter.format(record))

    api.get("/messages")

    (line,) = request_lines()
    assert list(line)[:4] == list(formatted)
    assert {key: line[key] for key in ("level", "logger", "message")} == {
        key: formatted[key] for key in ("level", "logger", "message")
    }
    asctime = re.compile(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3}")
    assert asctime.fullmatch(formatted["time"])
    assert asctime.fullmatch(line["time"])


def test_log_level_above_info_silences_request_lines(api, request_lines):
    logger = logging.getLogger(request_log.LOGGER_NAME)
    previous = logger.level
    logger.setLevel(logging.WARNING)
    try:
        api.get("/messages")
    finally:
        logger.setLevel(previous)

    assert request_lines() == []


def test_a_closed_stdout_does_not_fail_the_request(api, monkeypatch):
    class Closed:
        def flush(self):
            raise ValueError("I/O operation on closed file")

    monkeypatch.setattr("sys.stdout", Closed())

    assert api.get("/messages").status_code == 200
