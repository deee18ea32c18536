"""Concurrent clients posting messages, each on its own keep-alive connection, recording every outcome.

Every message carries unique content, so what was acknowledged can later be checked row by row. A client
whose connection fails records the failure, reconnects and goes on with its next message (no retries:
a failure is counted, never hidden).
"""

from __future__ import annotations

import http.client
import json
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Outcome:
    sender: str
    content: str
    started: float
    finished: float
    status: int | None = None  # None: no answer (connection refused, reset or timed out)
    message_id: int | None = None
    error: str = ""
    body: bytes = b""
    retry_after: str | None = None

    @property
    def seconds(self) -> float:
        return self.finished - self.started


@dataclass
class LoadRun:
    outcomes: list[Outcome] = field(default_factory=list)
    run_id: str = field(default_factory=lambda: uuid.uuid4().hex[:10])

    @property
    def acknowledged(self) -> list[Outcome]:
        return [outcome for outcome in self.outcomes if outcome.status == 201]

    @property
    def unanswered(self) -> list[Outcome]:
        return [outcome for outcome in self.outcomes if outcome.status is None]

    def statuses(self) -> Counter:
        return Counter(outcome.status for outcome in self.outcomes)

    def sender(self, client: int) -> str:
        return f"load-{self.run_id}-{client}"


def post_messages(
    port: int,
    *,
    clients: int,
    per_client: int | None = None,
    keep_going: Callable[[], bool] = lambda: True,
    timeout: float = 10,
    pause: float = 0.0,
) -> LoadRun:
    """``clients`` threads each post ``per_client`` messages (or until ``keep_going()`` is false)."""
    run = LoadRun()
    lock = threading.Lock()

    def client(number: int) -> None:
        sender = run.sender(number)
        connection = None
        n = 0
        while (per_client is None or n < per_client) and keep_going():
            content = f"{run.run_id} #{number}/{n} — ünïcødé ✓ 🚀"
            n += 1
            connection = connection or http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
            outcome = _post(connection, sender, content)
            if outcome.status is None:
                connection.close()
                connection = None
            with lock:
                run.outcomes.append(outcome)
            if pause:
                time.sleep(pause)
        if connection:
            connection.close()

    run_clients(client, clients)
    return run


def run_clients(client: Callable[[int], None], clients: int) -> None:
    """``client(number)`` for each of ``clients`` numbers, each on a thread of its own, until all return."""
    threads = [threading.Thread(target=client, args=(number,), daemon=True) for number in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()


def _post(connection: http.client.HTTPConnection, sender: str, content: str) -> Outcome:
    body = json.dumps({"sender": sender, "content": content}).encode()
    started = time.monotonic()
    try:
        connection.request("POST", "/messages", body=body, headers={"Content-Type": "application/json"})
        response = connection.getresponse()
        payload = response.read()
    except (OSError, http.client.HTTPException) as exc:
        return Outcome(sender, content, started, time.monotonic(), error=type(exc).__name__)
    finished = time.monotonic()
    message_id = json.loads(payload)["id"] if response.status == 201 else None
    return Outcome(
        sender,
        content,
        started,
        finished,
        status=response.status,
        message_id=message_id,
        body=payload,
        retry_after=response.getheader("Retry-After"),
    )


def in_background(target: Callable[[], LoadRun]) -> Callable[[], LoadRun]:
    """Run ``target`` in a thread; the returned function waits for it and returns its result."""
    result: list[LoadRun] = []
    thread = threading.Thread(target=lambda: result.append(target()), daemon=True)
    thread.start()

    def wait(timeout: float = 300) -> LoadRun:
        thread.join(timeout)
        assert result, "the load did not finish in time"
        return result[0]

    return wait


def stored_messages(connection, run: LoadRun) -> dict[int, tuple[str, str]]:
    """Rows this run wrote, by id, read straight from the database (a psycopg connection)."""
    rows = connection.execute(
        "SELECT id, sender, content FROM messaging_message WHERE sender LIKE %s", [f"load-{run.run_id}-%"]
    ).fetchall()
    return {row[0]: (row[1], row[2]) for row in rows}


def lost_acknowledgements(stored: dict[int, tuple[str, str]], run: LoadRun) -> list[Outcome]:
    """Acknowledged messages missing from ``stored`` or stored with other content."""
    return [
        outcome for outcome in run.acknowledged if stored.get(outcome.message_id) != (outcome.sender, outcome.content)
    ]
