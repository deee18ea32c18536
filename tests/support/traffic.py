"""Ordinary API clients for fault tests: each posts a message, then lists a page, on one keep-alive connection.

Every answer is recorded, status, latency, error code and ``Retry-After`` included; a connection that
fails is recorded as no answer (``status`` None), then reopened for the next request (never retried).
"""

from __future__ import annotations

import http.client
import json
import threading
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field

from tests.support.load import run_clients


def error_code(body: bytes) -> str | None:
    """The first ``errors[].code`` of the API's JSON error shape; None for any other body."""
    try:
        return json.loads(body)["errors"][0]["code"]
    except (ValueError, KeyError, IndexError, TypeError):
        return None


@dataclass(frozen=True)
class Answer:
    client: int
    method: str
    started: float
    finished: float
    status: int | None = None  # None: no answer (refused, reset, closed or timed out)
    body: bytes = b""
    retry_after: str | None = None
    error: str = ""

    @property
    def seconds(self) -> float:
        return self.finished - self.started

    @property
    def error_code(self) -> str | None:
        return error_code(self.body)


@dataclass
class Traffic:
    answers: list[Answer] = field(default_factory=list)
    run_id: str = field(default_factory=lambda: uuid.uuid4().hex[:10])

    def statuses(self) -> Counter:
        return Counter(answer.status for answer in self.answers)

    def per_client(self) -> Counter:
        return Counter(answer.client for answer in self.answers if answer.status is not None)

    def between(self, start: float, end: float) -> list[Answer]:
        """Answers to requests sent after ``start`` and answered before ``end``."""
        return [answer for answer in self.answers if start < answer.started and answer.finished < end]


def api_traffic(
    port: int,
    *,
    clients: int,
    until: threading.Event,
    list_path: str = "/messages?page_size=10",
    timeout: float = 15,
    pause: float = 0.0,
) -> Traffic:
    """``clients`` threads alternate ``POST /messages`` and ``GET list_path`` until ``until`` is set."""
    traffic = Traffic()
    lock = threading.Lock()

    def client(number: int) -> None:
        connection = None
        sent = 0
        while not until.is_set():
            connection = connection or http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
            if sent % 2 == 0:
                message = {"sender": f"traffic-{traffic.run_id}-{number}", "content": f"#{sent}"}
                answer = _exchange(connection, number, "POST", "/messages", json.dumps(message).encode())
            else:
                answer = _exchange(connection, number, "GET", list_path, None)
            sent += 1
            if answer.status is None:
                connection.close()
                connection = None
            with lock:
                traffic.answers.append(answer)
            if pause:
                time.sleep(pause)
        if connection:
            connection.close()

    run_clients(client, clients)
    return traffic


def _exchange(
    connection: http.client.HTTPConnection, client: int, method: str, path: str, body: bytes | None
) -> Answer:
    headers = {"Content-Type": "application/json"} if body is not None else {}
    started = time.monotonic()
    try:
        connection.request(method, path, body=body, headers=headers)
        response = connection.getresponse()
        payload = response.read()
    except (OSError, http.client.HTTPException) as exc:
        return Answer(client, method, started, time.monotonic(), error=type(exc).__name__)
    return Answer(
        client,
        method,
        started,
        time.monotonic(),
        status=response.status,
        body=payload,
        retry_after=response.getheader("Retry-After"),
    )


def first_acknowledgement(port: int, *, within: float, timeout: float = 10) -> float | None:
    """Post on fresh connections until one is acknowledged (201); the seconds that took, or None past ``within``."""
    started = time.monotonic()
    while time.monotonic() - started < within:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
        body = json.dumps({"sender": "recovery-probe", "content": "back?"}).encode()
        answer = _exchange(connection, -1, "POST", "/messages", body)
        connection.close()
        if answer.status == 201:
            return answer.finished - started
        time.sleep(0.02)
    return None
