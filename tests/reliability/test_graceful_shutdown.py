"""SIGTERM, as ECS sends at scale-in and at the end of a blue/green release: requests in flight finish,
new requests are not served, and the server exits within its graceful timeout."""

import signal
import threading
import time

import psycopg
import pytest

from tests.support.gunicorn import running_gunicorn
from tests.support.load import in_background, post_messages, stored_messages
from tests.support.postgres import wait_until

GRACEFUL_TIMEOUT = 10
# Below the app's statement timeout (5 s), so the blocked inserts wait rather than being cancelled.
LOCK_SECONDS = 3


@pytest.mark.slow
@pytest.mark.parametrize(
    ("sizing", "slow_requests"),
    [
        # As many slow requests as one worker has database slots (project.bulkhead), so each is in flight
        # wherever the kernel hands its connection: what is tested is SIGTERM's handling of them, not sizing.
        pytest.param({}, 3, id="production-sizing"),
        pytest.param({"GUNICORN_WORKERS": "1"}, 3, id="one-worker"),
    ],
)
def test_sigterm_lets_slow_requests_finish_and_refuses_new_ones(database_url, server_env, sizing, slow_requests):
    # The inserts must wait out the lock, not give up on it (DB_LOCK_TIMEOUT_MS is 2 s in production).
    env = server_env(
        database_url, GUNICORN_GRACEFUL_TIMEOUT=str(GRACEFUL_TIMEOUT), DB_LOCK_TIMEOUT_MS="10000", **sizing
    )
    with running_gunicorn(env=env) as server, psycopg.connect(database_url) as locker:
        # Inserts wait on this lock, so the posts below are slow without a slow endpoint in the product.
        locker.execute("LOCK TABLE messaging_message IN SHARE MODE")
        in_flight = in_background(lambda: post_messages(server.port, clients=slow_requests, per_client=1))
        assert wait_until(lambda: blocked_inserts(database_url) == slow_requests, timeout=5)

        terminated_at = time.monotonic()
        server.signal(signal.SIGTERM)
        time.sleep(0.3)
        # The workers stop accepting: a request on a new connection waits in the kernel's backlog, unread,
        # until they exit and it is reset. Behind the ALB the target is deregistered before SIGTERM anyway.
        late = in_background(lambda: post_messages(server.port, clients=1, per_client=1))
        threading.Timer(LOCK_SECONDS, locker.rollback).start()
        exit_code = server.process.wait(timeout=GRACEFUL_TIMEOUT + 5)
        shutdown_seconds = time.monotonic() - terminated_at
        run, late_run = in_flight(), late()

    with psycopg.connect(database_url) as db:
        stored = stored_messages(db, run)
        stored_late = stored_messages(db, late_run)

    print(f"\ngraceful shutdown: {shutdown_seconds:.1f} s with {slow_requests} slow requests in flight")
    assert [outcome.status for outcome in run.outcomes] == [201] * slow_requests
    assert [outcome.status for outcome in late_run.outcomes] == [None], "a request after SIGTERM was served"
    assert stored_late == {}
    assert len(stored) == slow_requests
    assert exit_code == 0
    assert LOCK_SECONDS <= shutdown_seconds < GRACEFUL_TIMEOUT


def blocked_inserts(database_url: str) -> int:
    with psycopg.connect(database_url) as db:
        return db.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock'"
            # A message's insert, alone or after the post limit's count in the same statement (ADR 0020).
            """ AND query LIKE '%INSERT INTO "messaging_message"%'"""
        ).fetchone()[0]
