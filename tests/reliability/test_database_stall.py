"""A database that stops answering while clients keep calling: a table lock held for 40 s, then a network path
that goes silent (no reset, no FIN). Requests get JSON 503s within their deadlines, ``/health`` answers
within a second on a fresh connection throughout, no worker is replaced, and service is back as soon as
the database is."""

import threading
import time
from collections import Counter

import psycopg
import pytest

from tests.support.gunicorn import running_gunicorn
from tests.support.load import in_background
from tests.support.postgres import wait_until
from tests.support.probes import HealthProber
from tests.support.relay import TcpRelay
from tests.support.server_log import lines_of
from tests.support.tcp_states import connections_per_worker
from tests.support.traffic import api_traffic, first_acknowledgement

CLIENTS = 8
WORKERS = 2
HEALTH_WITHIN = 1.0
WARM_UP_SECONDS = 2
# The two answers the API gives for a database it cannot use (project.bulkhead, messaging.api.exceptions).
UNAVAILABLE_CODES = {"server_busy", "database_unavailable"}

LOCK_SECONDS = 40
LOCK_RECOVERY_WITHIN = 1.0

STALL_SECONDS = 15
# The query deadline (statement_timeout 5 s + 1 s, project.bulkhead) and a margin.
STALLED_ANSWER_WITHIN = 7.0
# A request that meets the stall while opening a connection waits out connect_timeout (3 s) first.
STALL_RECOVERY_WITHIN = 5.0


def steady_workers(server) -> list[int]:
    assert wait_until(lambda: len(server.worker_pids()) == WORKERS, timeout=10)
    return sorted(server.worker_pids())


def assert_only_unavailable_answers(answers) -> None:
    """Every answer is a JSON 503 saying why, with Retry-After: never a 500, never a dropped connection."""
    assert answers, "no request was answered during the fault"
    assert Counter(answer.status for answer in answers) == Counter({503: len(answers)})
    assert {answer.error_code for answer in answers} <= UNAVAILABLE_CODES
    assert all(answer.retry_after for answer in answers)


@pytest.mark.slow
def test_table_lock_is_answered_with_503s_while_health_stays_up(database_url, server_env):
    with running_gunicorn(env=server_env(database_url)) as server:
        workers = steady_workers(server)
        stop = threading.Event()
        with HealthProber(server.port, interval=1.0) as prober:
            load = in_background(lambda: api_traffic(server.port, clients=CLIENTS, until=stop))
            time.sleep(WARM_UP_SECONDS)
            split = connections_per_worker(server_port=server.port, pids=workers)
            with psycopg.connect(database_url) as locker:
                locker.execute("LOCK TABLE messaging_message IN ACCESS EXCLUSIVE MODE")
                locked_at = time.monotonic()
                time.sleep(LOCK_SECONDS)
                locker.rollback()
                released_at = time.monotonic()
            recovery = first_acknowledgement(server.port, within=10)
            time.sleep(1)
            stop.set()
            traffic = load()
        workers_after = sorted(server.worker_pids())
        gunicorn_log = lines_of(server.output(), "gunicorn.error")

    during = traffic.between(locked_at, released_at)
    print(f"\ntable lock {LOCK_SECONDS} s, {CLIENTS} clients (per worker: {split}): health {prober.summary()}")
    print(
        f"during the lock: {len(during)} answers {dict(Counter(a.error_code for a in during))}, "
        f"slowest {max((a.seconds for a in during), default=0):.2f} s; recovery {recovery} s"
    )
    print(f"statuses over the whole run: {dict(traffic.statuses())}; workers {workers} -> {workers_after}")

    assert prober.failures(within=HEALTH_WITHIN) == [], prober.describe_failures(within=HEALTH_WITHIN, origin=locked_at)
    assert_only_unavailable_answers(during)
    assert set(traffic.statuses()) <= {200, 201, 503}
    assert recovery is not None
    assert recovery < LOCK_RECOVERY_WITHIN
    assert workers_after == workers, gunicorn_log


@pytest.mark.slow
def test_silent_database_is_answered_within_the_query_deadline(database_url, server_env):
    with (
        TcpRelay.for_url(database_url) as relay,
        running_gunicorn(env=server_env(relay.url_for(database_url))) as server,
    ):
        workers = steady_workers(server)
        stop = threading.Event()
        with HealthProber(server.port, interval=1.0) as prober:
            load = in_background(lambda: api_traffic(server.port, clients=CLIENTS, until=stop))
            time.sleep(WARM_UP_SECONDS)
            split = connections_per_worker(server_port=server.port, pids=workers)
            relay.stall()
            stalled_at = time.monotonic()
            time.sleep(STALL_SECONDS)
            relay.resume()
            resumed_at = time.monotonic()
            recovery = first_acknowledgement(server.port, within=15)
            time.sleep(1)
            stop.set()
            traffic = load()
        workers_after = sorted(server.worker_pids())
        gunicorn_log = lines_of(server.output(), "gunicorn.error")

    during = traffic.between(stalled_at, resumed_at)
    slowest = sorted(traffic.answers, key=lambda answer: answer.seconds)[-3:]
    print(f"\nsilent database {STALL_SECONDS} s, {CLIENTS} clients (per worker: {split}): health {prober.summary()}")
    print(
        f"during the stall: {len(during)} answers {dict(Counter(a.error_code for a in during))}; "
        f"slowest answers of the run {[(round(a.seconds, 2), a.status, a.error_code) for a in slowest]}; "
        f"recovery {recovery} s"
    )
    print(f"statuses over the whole run: {dict(traffic.statuses())}; connections through the relay {relay.accepted}")
    print(f"workers {workers} -> {workers_after}")

    assert prober.failures(within=HEALTH_WITHIN) == [], prober.describe_failures(
        within=HEALTH_WITHIN, origin=stalled_at
    )
    assert_only_unavailable_answers(during)
    # The query deadline, not only the bulkhead's refusals, ended the stalled requests.
    assert "database_unavailable" in {answer.error_code for answer in during}
    assert slowest[-1].seconds < STALLED_ANSWER_WITHIN
    assert set(traffic.statuses()) <= {200, 201, 503}
    assert recovery is not None
    assert recovery < STALL_RECOVERY_WITHIN
    assert workers_after == workers, gunicorn_log
