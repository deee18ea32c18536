"""``kill -9`` of a gunicorn worker under load: the server keeps serving, the master replaces the worker,
only requests on that worker's connections fail, and nothing acknowledged is lost."""

import os
import signal
import time

import psycopg
import pytest

from tests.support.gunicorn import running_gunicorn
from tests.support.load import in_background, lost_acknowledgements, post_messages, stored_messages
from tests.support.postgres import wait_until

CLIENTS = 20
PER_CLIENT = 150


@pytest.mark.slow
def test_killed_worker_loses_only_its_in_flight_requests(database_url, server_env):
    # No recycling after N requests: the kill is the only way a worker leaves during this test.
    env = server_env(database_url, GUNICORN_WORKERS="2", GUNICORN_MAX_REQUESTS="0")
    with running_gunicorn(env=env) as server:
        assert wait_until(lambda: len(server.worker_pids()) == 2, timeout=10)
        load = in_background(lambda: post_messages(server.port, clients=CLIENTS, per_client=PER_CLIENT))
        time.sleep(1.5)

        victim = server.worker_pids()[0]
        killed_at = time.monotonic()
        os.kill(victim, signal.SIGKILL)
        replaced = wait_until(lambda: victim not in server.worker_pids() and len(server.worker_pids()) == 2, timeout=10)
        run = load()
        still_serving = server.post("/messages", json={"sender": "after", "content": "crash"}).status_code

    with psycopg.connect(database_url) as db:
        stored = stored_messages(db, run)

    lost = len(run.outcomes) - len(run.acknowledged)
    print(f"\nworker crash: {lost} of {len(run.outcomes)} requests lost; statuses {dict(run.statuses())}")
    assert replaced, "the master did not replace the killed worker"
    assert still_serving == 201
    assert any(outcome.status == 201 and outcome.started > killed_at for outcome in run.outcomes)
    # Failures are dropped connections (no answer), never an error answer, and at most one per client:
    # the request each client had on a connection that the dead worker held.
    assert set(run.statuses()) <= {201, None}
    assert lost <= CLIENTS
    assert lost_acknowledgements(stored, run) == []
