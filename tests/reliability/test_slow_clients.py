"""Clients that hold connections, on purpose or not: bodies sent a byte a second, bodies announced and never
sent, answers never read. Each is cut off by its own deadline (project.client_deadlines) while everyone
else is served, ``/health`` answers within a second, and no worker is replaced."""

import json
import threading
import time

import psycopg
import pytest

from project.client_deadlines import BODY_DEADLINE_SECONDS, SEND_DEADLINE_SECONDS
from tests.support.gunicorn import running_gunicorn
from tests.support.load import in_background
from tests.support.probes import HealthProber, percentile
from tests.support.server_log import lines_of
from tests.support.slow_peers import pipeline_without_reading, reset, slow_requests_at_once
from tests.support.tcp_states import connections_per_worker, wait_closed_by_server
from tests.support.traffic import Traffic, api_traffic

NORMAL_CLIENTS = 4
HEALTH_WITHIN = 1.0
# Each ordinary request takes milliseconds: one that takes seconds waited on a slow client. The maximum has
# room for a loaded 2-core machine; the 99th percentile says the wait was not the rule either.
NORMAL_P99_WITHIN = 1.0
NORMAL_WITHIN = 2.0
# Hundreds are answered in a few seconds on an idle server; this only says a client was never starved.
MIN_ANSWERS_PER_CLIENT = 20

SLOW_BODY = json.dumps({"sender": "slow", "content": "one byte a second"}).encode()
SLOW_ANSWER_WITHIN = BODY_DEADLINE_SECONDS + 0.5
TRAFFIC_SECONDS = 8

UNREAD_BODY_CONNECTIONS = 8
UNREAD_BODY_BYSTANDERS = 2
UNREAD_CLOSED_WITHIN = 1.0

LONG_MESSAGES = 200
LONG_CONTENT = 4000
# A sender of their own, so the messages the ordinary clients post meanwhile never shrink the page.
LONG_SENDER = "long-pages"
PAGE_PATH = f"/messages?sender={LONG_SENDER}&page_size={LONG_MESSAGES}"
PAGE_REQUEST = f"GET {PAGE_PATH} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".encode()
PIPELINED_PAGES = 30
# The send deadline, plus the time to render the first pages and fill the buffers before a send blocks.
READER_CLOSED_WITHIN = SEND_DEADLINE_SECONDS + 2
# How long the test watches for a close that is late, to report by how much.
READER_GIVE_UP_AFTER = READER_CLOSED_WITHIN + 8


def seconds(values) -> list[float | None]:
    return [None if value is None else round(value, 3) for value in values]


def describe(traffic: Traffic) -> str:
    latencies = [answer.seconds for answer in traffic.answers if answer.status is not None]
    return (
        f"{dict(traffic.statuses())} by client {dict(traffic.per_client())}, "
        f"p99 {percentile(latencies, 0.99) * 1000:.0f} ms, max {max(latencies) * 1000:.0f} ms"
    )


def assert_served(traffic: Traffic, clients: int) -> None:
    """Every ordinary request answered as usual, promptly, and every client answered many times."""
    latencies = [answer.seconds for answer in traffic.answers]
    assert set(traffic.statuses()) <= {200, 201}
    assert len(traffic.per_client()) == clients
    assert min(traffic.per_client().values()) >= MIN_ANSWERS_PER_CLIENT
    assert percentile(latencies, 0.99) < NORMAL_P99_WITHIN
    assert max(latencies) < NORMAL_WITHIN


@pytest.mark.slow
@pytest.mark.parametrize("slow_clients", [4, 8])
def test_bodies_sent_a_byte_a_second_get_a_408_while_others_are_served(database_url, server_env, slow_clients):
    with running_gunicorn(env=server_env(database_url)) as server:
        workers = server.steady_workers()
        stop = threading.Event()
        with HealthProber(server.port, interval=0.5) as prober:
            started = time.monotonic()
            load = in_background(lambda: api_traffic(server.port, clients=NORMAL_CLIENTS, until=stop))
            time.sleep(1)
            slow = slow_requests_at_once(
                slow_clients, server.port, "POST", "/messages", declared_length=len(SLOW_BODY), body=SLOW_BODY
            )
            time.sleep(max(started + TRAFFIC_SECONDS - time.monotonic(), 0))
            stop.set()
            traffic = load()
        workers_after = sorted(server.worker_pids())
        gunicorn_log = lines_of(server.output(), "gunicorn.error")

    print(f"\n{slow_clients} bodies at 1 byte/s: answers {[(e.status, e.error_code) for e in slow]}")
    print(f"  answered after {seconds(e.answered_after for e in slow)} s")
    print(f"  closed after {seconds(e.closed_after for e in slow)} s")
    print(f"  body bytes sent before the answer {[e.body_bytes_sent for e in slow]} of {len(SLOW_BODY)}")
    print(f"  {NORMAL_CLIENTS} ordinary clients: {describe(traffic)}")
    print(f"  health {prober.summary()}; workers {workers} -> {workers_after}")

    assert [(exchange.status, exchange.error_code) for exchange in slow] == [(408, "request_timeout")] * slow_clients
    assert all(exchange.closed_after is not None for exchange in slow), "a slow client's connection stayed open"
    assert max(exchange.closed_after for exchange in slow) < SLOW_ANSWER_WITHIN
    assert_served(traffic, NORMAL_CLIENTS)
    assert prober.failures(within=HEALTH_WITHIN) == [], prober.describe_failures(within=HEALTH_WITHIN, origin=started)
    assert workers_after == workers, gunicorn_log


def test_bodies_never_read_are_answered_and_their_connections_closed_at_once(server):
    workers = server.steady_workers()
    stop = threading.Event()
    load = in_background(lambda: api_traffic(server.port, clients=UNREAD_BODY_BYSTANDERS, until=stop))
    time.sleep(0.5)
    unread = slow_requests_at_once(UNREAD_BODY_CONNECTIONS, server.port, "GET", "/health", declared_length=100)
    time.sleep(0.5)
    stop.set()
    traffic = load()
    workers_after = sorted(server.worker_pids())

    print(f"\n{UNREAD_BODY_CONNECTIONS} GET /health announcing 100 body bytes never sent:")
    print(f"  statuses {[e.status for e in unread]}, closed after {seconds(e.closed_after for e in unread)} s")
    print(f"  {UNREAD_BODY_BYSTANDERS} ordinary clients meanwhile: {describe(traffic)}")

    assert [exchange.status for exchange in unread] == [200] * UNREAD_BODY_CONNECTIONS
    assert all(exchange.closed_after is not None for exchange in unread), "a connection stayed open"
    assert max(exchange.closed_after for exchange in unread) < UNREAD_CLOSED_WITHIN
    assert_served(traffic, UNREAD_BODY_BYSTANDERS)
    assert workers_after == workers


def seed_long_messages(database_url: str) -> None:
    """The newest page of ``LONG_MESSAGES`` messages: about 0.8 MB of JSON, far more than socket buffers hold."""
    with psycopg.connect(database_url) as db:
        db.execute(
            "INSERT INTO messaging_message (sender, content, created_at)"
            " SELECT %s, repeat('m', %s), now() FROM generate_series(1, %s)",
            [LONG_SENDER, LONG_CONTENT, LONG_MESSAGES],
        )


@pytest.mark.slow
@pytest.mark.parametrize("slow_readers", [4, 8])
def test_answers_never_read_are_cut_off_at_the_send_deadline(database_url, server_env, slow_readers):
    with running_gunicorn(env=server_env(database_url)) as server:
        workers = server.steady_workers()
        seed_long_messages(database_url)
        page = server.get(PAGE_PATH)
        stop = threading.Event()
        with HealthProber(server.port, interval=0.5) as prober:
            started = time.monotonic()
            load = in_background(lambda: api_traffic(server.port, clients=NORMAL_CLIENTS, until=stop))
            time.sleep(1)
            readers = [
                pipeline_without_reading(server.port, PAGE_REQUEST, count=PIPELINED_PAGES) for _ in range(slow_readers)
            ]
            sent_at = time.monotonic()
            # After the workers have accepted them: until then a connection is in no process.
            time.sleep(0.2)
            split = connections_per_worker(
                server_port=server.port, pids=workers, client_ports={reader.getsockname()[1] for reader in readers}
            )
            closed_after = wait_closed_by_server(
                readers, server_port=server.port, within=READER_GIVE_UP_AFTER, since=sent_at
            )
            time.sleep(1)
            stop.set()
            traffic = load()
            for reader in readers:
                reset(reader)
        workers_after = sorted(server.worker_pids())
        gunicorn_log = lines_of(server.output(), "gunicorn.error")

    print(f"\n{slow_readers} connections, {PIPELINED_PAGES} pipelined pages of {len(page.content)} bytes, never read")
    print(f"  connections per worker: {split}")
    print(f"  closed by the server after {seconds(sorted(closed_after.values()))} s")
    print(f"  {NORMAL_CLIENTS} ordinary clients: {describe(traffic)}")
    print(f"  health {prober.summary()}; workers {workers} -> {workers_after}")

    assert page.status_code == 200
    assert len(closed_after) == slow_readers, f"{slow_readers - len(closed_after)} open after {READER_GIVE_UP_AFTER} s"
    assert max(closed_after.values()) < READER_CLOSED_WITHIN
    assert_served(traffic, NORMAL_CLIENTS)
    assert prober.failures(within=HEALTH_WITHIN) == [], prober.describe_failures(within=HEALTH_WITHIN, origin=started)
    assert workers_after == workers, gunicorn_log
