"""``manage.py logs`` against the emulated account: lines across streams and pages, readable or raw, followed."""

import io
import json
import signal
import time
from datetime import UTC, datetime

import pytest
from django.core.management import call_command

from deploy.operations.errors import BadInputError
from deploy.operations.logs import readable, since_start

TASK_A = "0a1b2c3d4e5f40718293a4b5c6d7e8f9"
TASK_B = "9f8e7d6c5b4a40312f1e0d9c8b7a6f5e"


def request_line(path: str, status: int, duration: float) -> str:
    """A line as project.request_log writes it."""
    return json.dumps(
        {
            "time": "2026-12-07 02:11:38,123",
            "level": "INFO",
            "logger": "project.request",
            "message": "request",
            "method": "GET",
            "path": path,
            "status": status,
            "duration_ms": duration,
            "request_id": "5d41402abc4b2a76b9719d911017c592",
        }
    )


def record_line(level: str, logger: str, message: str) -> str:
    """A line as project.log_format's formatter writes one of Django's records."""
    return json.dumps({"time": "2026-12-07 02:11:39,001", "level": level, "logger": logger, "message": message})


def test_lines_from_every_stream_and_page_are_shown_readably(environment):
    environment.lifecycle.log_page_size = 2  # FilterLogEvents answers in pages, as AWS may
    environment.log(TASK_A, request_line("/messages", 201, 12.34), request_line("/health", 200, 0.41))
    environment.log(TASK_B, record_line("ERROR", "django.request", "Internal Server Error: /messages"), "plain text")
    environment.log(TASK_B, request_line("/old", 200, 1), seconds_ago=3 * 3600)  # before --since

    out = environment.call("logs", "--since", "1h")

    lines = out.splitlines()
    assert "0a1b2c3d 2026-12-07 02:11:38,123 INFO    GET /messages 201 12.34 ms" in lines
    assert "0a1b2c3d 2026-12-07 02:11:38,123 INFO    GET /health 200 0.41 ms" in lines
    assert "9f8e7d6c 2026-12-07 02:11:39,001 ERROR   django.request: Internal Server Error: /messages" in lines
    assert any(line.startswith("9f8e7d6c 20") and line.endswith(" plain text") for line in lines)
    assert "/old" not in out
    assert len(lines) == 4
    assert [c.operation for c in environment.proxy.calls].count("FilterLogEvents") == 2


def test_json_shows_the_lines_as_written_and_filter_is_cloudwatchs(environment):
    environment.log(TASK_A, request_line("/messages", 503, 5.0))

    out = environment.call("logs", "--json", "--filter", "{ $.status >= 500 }")

    assert out == request_line("/messages", 503, 5.0) + "\n"
    (call,) = [c for c in environment.proxy.calls if c.operation == "FilterLogEvents"]
    assert call.params["filterPattern"] == "{ $.status >= 500 }"


def test_no_lines_says_so_apart_from_the_lines(environment):
    out, err = io.StringIO(), io.StringIO()

    call_command("logs", "--since", "2026-01-31T09:00", stdout=out, stderr=err)

    assert out.getvalue() == ""
    assert err.getvalue() == "No log lines since 2026-01-31 09:00:00 UTC.\n"


def test_follow_shows_new_lines_once_and_ctrl_c_ends_it_with_one_line(environment):
    environment.log(TASK_A, request_line("/first", 200, 1))
    process = environment.start("logs", "--follow", "--poll-interval", "0.1")
    deadline = time.monotonic() + 30
    while [c.operation for c in environment.proxy.calls].count("FilterLogEvents") < 2 and time.monotonic() < deadline:
        time.sleep(0.05)
    environment.log(TASK_B, request_line("/second", 200, 2), seconds_ago=1)
    polls = [c.operation for c in environment.proxy.calls].count("FilterLogEvents")
    while [c.operation for c in environment.proxy.calls].count(
        "FilterLogEvents"
    ) < polls + 2 and time.monotonic() < deadline:
        time.sleep(0.05)

    process.send_signal(signal.SIGINT)
    stdout, stderr = process.communicate(timeout=30)

    assert process.returncode == 0
    assert stdout.count("GET /first 200") == 1  # asked for again at each poll, shown once
    assert stdout.count("GET /second 200") == 1
    assert stderr == "Stopped following the logs.\n"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("10m", datetime(2026, 1, 31, 8, 50, tzinfo=UTC)),
        ("2h", datetime(2026, 1, 31, 7, 0, tzinfo=UTC)),
        ("1d", datetime(2026, 1, 30, 9, 0, tzinfo=UTC)),
        ("2026-01-31T06:30", datetime(2026, 1, 31, 6, 30, tzinfo=UTC)),
        ("2026-01-31T15:30+09:00", datetime(2026, 1, 31, 6, 30, tzinfo=UTC)),
    ],
)
def test_since_takes_a_duration_or_an_iso_time(text, expected):
    assert since_start(text, now=datetime(2026, 1, 31, 9, 0, tzinfo=UTC)) == expected


def test_since_refuses_anything_else():
    with pytest.raises(BadInputError, match="neither a duration"):
        since_start("yesterday", now=datetime(2026, 1, 31, tzinfo=UTC))


def test_a_record_with_a_traceback_shows_it_indented():
    line = json.dumps(
        {"time": "t", "level": "ERROR", "logger": "x", "message": "boom", "exc_info": "Traceback\n  line 1"}
    )

    assert readable(line, timestamp_ms=0) == "t ERROR   x: boom\n    Traceback\n      line 1"
