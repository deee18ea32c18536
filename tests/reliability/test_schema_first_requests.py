"""``/api/schema`` on fresh workers of the real server: simultaneous first requests all answer 200.

drf-spectacular resolves its extensions lazily while it generates, which is not thread-safe: when each
worker generated on its first requests, 8 simultaneous ones answered 1 to 8 of them with 500. Now the
preloaded app builds every format before the workers fork, and generation runs under a lock.
"""

import os
import signal
import threading
from concurrent.futures import ThreadPoolExecutor

import requests

from tests.support.gunicorn import running_gunicorn
from tests.support.postgres import wait_until

SIMULTANEOUS = 12
FRESH_WORKERS = 4
# Each format is cached apart: the first request of every one of them generates.
FORMATS = ("/api/schema", "/api/schema?format=json")


def first_requests(url: str) -> list[int]:
    """``SIMULTANEOUS`` requests released together (half per format); their statuses."""
    released = threading.Barrier(SIMULTANEOUS)

    def fetch(n: int) -> int:
        released.wait()
        return requests.get(url + FORMATS[n % len(FORMATS)], timeout=30).status_code

    with ThreadPoolExecutor(SIMULTANEOUS) as pool:
        return list(pool.map(fetch, range(SIMULTANEOUS)))


def test_simultaneous_first_schema_requests_on_fresh_workers_all_answer_200(database_url, server_env):
    # One worker, so every request reaches the fresh one; no recycling, so only the test replaces it.
    env = server_env(database_url, GUNICORN_WORKERS="1", GUNICORN_MAX_REQUESTS="0")
    with running_gunicorn(env=env) as server:
        rounds = []
        for _ in range(FRESH_WORKERS):
            [worker] = server.steady_workers(count=1)
            server.wait_healthy()
            rounds.append(first_requests(server.url))
            os.kill(worker, signal.SIGTERM)
            assert wait_until(lambda w=worker: w not in server.worker_pids(), timeout=35)

    assert rounds == [[200] * SIMULTANEOUS] * FRESH_WORKERS, server.output()[-3000:]
