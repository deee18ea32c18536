"""Waiting for readiness over real HTTP: each answer said with the time waited, a clear error at the end."""

from __future__ import annotations

import json
import threading
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from deploy.provision.errors import ReadinessError
from deploy.provision.readiness import needs_migrations, readiness_ask, ready_wait

NOT_READY = {"status": "unavailable", "release": "v1", "problems": ["1 unapplied migration(s)"]}


@contextmanager
def readiness_server(answers: list[tuple[int, dict]]):
    """Answers ``/health/ready`` with each (status, body) in turn, the last one for ever."""

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            status, body = answers.pop(0) if len(answers) > 1 else answers[0]
            payload = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def log_message(self, format, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/health/ready"
    finally:
        server.shutdown()
        server.server_close()


class Clock:
    """Time that moves only when the wait sleeps, so the test is exact and instant."""

    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.now += seconds


def test_each_answer_is_said_with_the_time_waited_until_ready():
    answers = [(503, NOT_READY)] * 5 + [(200, {"status": "ok", "release": "v2"})]
    clock, events = Clock(), []
    with readiness_server(answers) as url:
        ready = ready_wait(
            url, timeout_seconds=600, poll_interval=10, progress=events.append, sleep=clock.sleep, clock=clock
        )
    assert ready.release == "v2"
    assert ready.elapsed_seconds == 50
    # Said once when first seen, then again every 30 s while it lasts.
    assert [event.text for event in events] == [
        f"  {url}: 503 ['1 unapplied migration(s)'] (0 s so far)",
        f"  {url}: 503 ['1 unapplied migration(s)'] (30 s so far)",
    ]


def test_a_service_never_ready_ends_with_the_last_answer():
    clock = Clock()
    with readiness_server([(503, NOT_READY)]) as url, pytest.raises(ReadinessError, match="did not answer ready"):
        ready_wait(url, timeout_seconds=20, poll_interval=10, progress=lambda e: None, sleep=clock.sleep, clock=clock)
    with readiness_server([(503, NOT_READY)]) as url:
        assert needs_migrations(readiness_ask(url)[0])


def test_tasks_refused_by_the_database_before_the_first_migration_need_the_migrations():
    # The app's role does not exist until the migration step creates it (ADR 0019): the tasks' login is
    # refused, which /health/ready reports as tests/messaging/test_health.py shows.
    refused = {"status": "unavailable", "release": "v1", "problems": ["database unreachable: OperationalError"]}
    with readiness_server([(503, refused)]) as url:
        assert needs_migrations(readiness_ask(url)[0])
    with readiness_server([(503, {"status": "unavailable", "problems": ["warming up"]})]) as url:
        assert not needs_migrations(readiness_ask(url)[0])
    assert not needs_migrations(readiness_ask("http://127.0.0.1:9/health/ready")[0])


def test_no_server_is_an_answer_too():
    answer, release = readiness_ask("http://127.0.0.1:9/health/ready")
    assert answer == "no answer (ConnectionError)"
    assert release is None
