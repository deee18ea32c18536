"""A database outage in the middle of load, on a throwaway PostgreSQL cluster (the shared one is never
touched): requests fail fast with a JSON 503, liveness stays up, readiness reports the outage, and once
the database is back the same server serves again with nothing acknowledged lost."""

import threading
import time

import psycopg
import pytest
import requests

from tests.support.databases import migrated_database
from tests.support.load import in_background, lost_acknowledgements, post_messages, stored_messages
from tests.support.postgres import PostgresUnavailableError, ThrowawayCluster, server_bindir
from tests.support.proxy import running_task

CLIENTS = 8
OUTAGE_SECONDS = 5
# connect_timeout is 3 s; a request must never wait on the database much longer than that.
FAIL_FAST_SECONDS = 4
RECOVERY_BUDGET_SECONDS = 10


@pytest.fixture
def cluster():
    bindir = server_bindir()
    if bindir is None:
        pytest.skip("no PostgreSQL server binaries (initdb, pg_ctl) installed")
    cluster = ThrowawayCluster(bindir=bindir)
    try:
        cluster.init().start()
    except PostgresUnavailableError as exc:
        cluster.remove()
        pytest.skip(f"cannot start a throwaway PostgreSQL cluster: {exc}")
    yield cluster
    cluster.remove()


def first_success_after(server, deadline: float) -> float | None:
    """Post until one is acknowledged; return when that happened (monotonic), or None past ``deadline``."""
    while time.monotonic() < deadline:
        try:
            response = server.post("/messages", json={"sender": "probe", "content": "back?"}, timeout=5)
            if response.status_code == 201:
                return time.monotonic()
        except requests.RequestException:
            pass
        time.sleep(0.05)
    return None


@pytest.mark.slow
def test_outage_fails_fast_and_recovers_without_a_restart(cluster, server_env):
    with migrated_database(cluster.url, prefix="outage") as database_url:
        with running_task(env=server_env(database_url)) as server:
            stop = threading.Event()
            load = in_background(
                lambda: post_messages(server.port, clients=CLIENTS, keep_going=lambda: not stop.is_set(), pause=0.02)
            )
            time.sleep(2)

            cluster.stop(mode="immediate")
            down_at = time.monotonic()
            time.sleep(OUTAGE_SECONDS)
            live, ready = server.get("/health"), server.get("/health/ready")

            restarting_at = time.monotonic()
            cluster.start()
            up_at = time.monotonic()
            recovered_at = first_success_after(server, up_at + RECOVERY_BUDGET_SECONDS)
            ready_after = server.get("/health/ready")
            time.sleep(2)
            stop.set()
            run = load()
            never_restarted = server.app.process.poll() is None

        with psycopg.connect(database_url) as db:
            stored = stored_messages(db, run)

    during = [outcome for outcome in run.outcomes if down_at < outcome.started and outcome.finished < restarting_at]
    recovery = None if recovered_at is None else recovered_at - up_at
    slowest = max((outcome.seconds for outcome in during), default=None)
    print(f"\noutage: {len(during)} answers while the database was down, slowest {slowest} s; recovery {recovery} s")
    print(f"statuses over the whole run: {dict(run.statuses())}")

    assert (live.status_code, ready.status_code) == (200, 503)
    assert ready.json()["status"] == "not_ready"
    assert during, "no request was made during the outage"
    assert {outcome.status for outcome in during} == {503}
    assert all(b'"database_unavailable"' in outcome.body and outcome.retry_after for outcome in during)
    assert max(outcome.seconds for outcome in during) < FAIL_FAST_SECONDS
    assert set(run.statuses()) <= {201, 503}, "only acknowledgements and JSON 503s, never a 500 or a dropped connection"

    assert recovery is not None, f"nothing acknowledged within {RECOVERY_BUDGET_SECONDS} s of the database's return"
    assert ready_after.status_code == 200
    assert any(outcome.status == 201 and outcome.started > up_at for outcome in run.outcomes)
    assert never_restarted
    assert lost_acknowledgements(stored, run) == []
