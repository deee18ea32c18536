"""Clients that hold connections, on purpose or not, against a task as ECS runs it (the proxy in front of
gunicorn): bodies and headers sent a byte a second, connections opened and left idle, bodies announced and
never sent, answers never read. The proxy holds them all, gunicorn only ever sees complete requests, and
meanwhile ``/health`` answers within a second at every check, ordinary clients are served, and no worker is
replaced. Each probe lasts a few seconds: what is measured is that nothing queues while it runs."""

import json
import socket
import threading
import time

import psycopg
import pytest

from tests.support.load import in_background
from tests.support.probes import HealthProber, percentile
from tests.support.proxy import CONFIG as TASK_CONFIG
from tests.support.proxy import running_task
from tests.support.server_log import lines_of
from tests.support.slow_peers import (
    parse_answer,
    pipeline_without_reading,
    reset,
    slow_request,
    slow_requests_at_once,
)
from tests.support.swarm import Swarm
from tests.support.tcp_states import wait_closed_by_server
from tests.support.traffic import Traffic, api_traffic

PROXY = TASK_CONFIG.proxy
NORMAL_CLIENTS = 4
HEALTH_WITHIN = 1.0
# Checked four times a second: at least a dozen checks per probe.
PROBE_INTERVAL = 0.25
# Each ordinary request takes milliseconds: one that takes seconds waited behind the fault. The maximum has
# room for a loaded 2-core machine; the 99th percentile says the wait was not the rule either.
NORMAL_P99_WITHIN = 1.0
NORMAL_WITHIN = 2.0
# Hundreds are answered in a few seconds on an idle server; this only says a client was never starved:
# each ordinary client is answered at least 2.5 times a second of the probe (20 in an 8 s probe).
MIN_ANSWERS_PER_CLIENT_PER_SECOND = 2.5

BODY = json.dumps({"sender": "slow", "content": "one byte a second"}).encode()
BODY_HEAD = (
    "POST /messages HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
    f"Content-Length: {len(BODY)}\r\n\r\n"
).encode()
# Each attacker drips the first bytes of its body a byte a second, then pauses past the body deadline
# (between two reads): the proxy cuts it and it reconnects at once, for as long as the probe.
DRIPPED_BYTES = 2
BODY_CUT_AFTER = DRIPPED_BYTES - 1 + PROXY.body_timeout_seconds
# Room for a loaded machine between the deadline and the close.
BODY_CUT_WITHIN = BODY_CUT_AFTER + 1.5
BODY_PROBE_SECONDS = BODY_CUT_AFTER + 2
# A real client on a slow link: its whole body takes this long, far past any in-app deadline of before.
REAL_SLOW_BODY_SECONDS = 1.0

# Bodies near the body limit, sent but for their last byte and held there: what each may make the proxy
# hold in memory is bounded by the proxy's configuration (ProxyConfig.connection_memory_bytes), the rest
# of each body waits in a file. Valid messages padded with whitespace, so each is then stored whole.
LARGE_BODY_CLIENTS = 64
LARGE_BODY = json.dumps({"sender": "large-body", "content": "padded"}).encode().ljust(60 * 1024)
LARGE_BODY_HEAD = (
    "POST /messages HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
    f"Content-Length: {len(LARGE_BODY)}\r\nConnection: close\r\n\r\n"
).encode()
# Long enough for the proxy to have read every body but the last byte.
LARGE_BODY_HELD_SECONDS = 2.0

HEADERS = b"GET /messages HTTP/1.1\r\nHost: 127.0.0.1\r\nUser-Agent: one-byte-a-second\r\n\r\n"
# Long enough to see the header deadline cut every connection once.
HEADER_PROBE_SECONDS = PROXY.header_timeout_seconds + 2
HEADER_CUT_WITHIN = PROXY.header_timeout_seconds + 1

IDLE_PROBE_SECONDS = 3

UNREAD_BODY_CONNECTIONS = 8
UNREAD_CLOSED_WITHIN = PROXY.body_timeout_seconds + 1

LONG_MESSAGES = 200
LONG_CONTENT = 4000
# A sender of their own, so the messages the ordinary clients post meanwhile never shrink the page.
LONG_SENDER = "long-pages"
PAGE_PATH = f"/messages?sender={LONG_SENDER}&page_size={LONG_MESSAGES}"
PAGE_REQUEST = f"GET {PAGE_PATH} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".encode()
PIPELINED_PAGES = 30
# The send deadline runs from the last write that made progress: after the time to render the first
# pages and fill the socket buffers (about 2 s for 8 connections on a loaded 2-core machine).
READER_CLOSED_WITHIN = PROXY.send_timeout_seconds + 3
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


def assert_served(traffic: Traffic, clients: int, *, seconds: float) -> None:
    """Every ordinary request answered as usual, promptly, and every client answered many times."""
    latencies = [answer.seconds for answer in traffic.answers]
    assert set(traffic.statuses()) <= {200, 201}
    assert len(traffic.per_client()) == clients
    assert min(traffic.per_client().values()) >= int(MIN_ANSWERS_PER_CLIENT_PER_SECOND * seconds)
    assert percentile(latencies, 0.99) < NORMAL_P99_WITHIN
    assert max(latencies) < NORMAL_WITHIN


class Probe:
    """A fault held on ``server`` while ``/health`` is checked and ordinary clients keep calling."""

    def __init__(self, server, name: str) -> None:
        self.server = server
        self.name = name

    def __enter__(self):
        self.workers = self.server.steady_workers()
        self.stop = threading.Event()
        self.prober = HealthProber(self.server.port, interval=PROBE_INTERVAL).__enter__()
        self.started = time.monotonic()
        self.load = in_background(lambda: api_traffic(self.server.port, clients=NORMAL_CLIENTS, until=self.stop))
        return self

    def __exit__(self, *exc_info) -> None:
        self.stop.set()
        self.seconds = time.monotonic() - self.started
        self.traffic = self.load()
        self.prober.__exit__(*exc_info)
        self.workers_after = sorted(self.server.worker_pids())
        latencies = self.prober.latencies()
        print(f"\n{self.name}: health {len(latencies)} checks, worst {max(latencies) * 1000:.0f} ms")
        print(f"  {NORMAL_CLIENTS} ordinary clients over {self.seconds:.1f} s: {describe(self.traffic)}")

    def assert_survived(self) -> None:
        assert self.prober.failures(within=HEALTH_WITHIN) == [], self.prober.describe_failures(
            within=HEALTH_WITHIN, origin=self.started
        )
        assert len(self.prober.probes) >= 8
        assert_served(self.traffic, NORMAL_CLIENTS, seconds=self.seconds)
        assert self.workers_after == self.workers, lines_of(self.server.output(), "gunicorn.error")


@pytest.mark.slow
@pytest.mark.parametrize("clients", [128, 64])
def test_bodies_dripped_by_clients_that_reconnect_leave_health_and_real_clients_served(server, clients):
    real_client = lambda: slow_request(  # noqa: E731
        server.port,
        "POST",
        "/messages",
        declared_length=len(BODY),
        body=BODY,
        byte_interval=REAL_SLOW_BODY_SECONDS / len(BODY),
    )
    with (
        Probe(server, f"{clients} bodies at 1 byte/s, paused past the body deadline, reconnecting") as probe,
        Swarm(server.port, clients, head=BODY_HEAD, drip=BODY[:DRIPPED_BYTES], reconnect=True) as swarm,
    ):
        real = in_background(real_client)
        swarm.run(seconds=BODY_PROBE_SECONDS)
        real_exchange = real()
    print(f"  {swarm.opened} connections opened, {swarm.cut} cut after {seconds(sorted(set(swarm.cut_after)))[:3]}..")
    print(f"  a real slow client: {real_exchange.status}")

    probe.assert_survived()
    assert real_exchange.status == 201
    assert swarm.cut >= clients, "the attackers were not cut and did not reconnect"
    assert min(swarm.cut_after) > BODY_CUT_AFTER - 0.5
    assert max(swarm.cut_after) < BODY_CUT_WITHIN


@pytest.mark.slow
def test_a_body_paused_past_the_deadline_is_cut_there_without_an_answer(server):
    """nginx ends a request whose body timed out by closing the connection, with nothing written: it
    logs a 408 but never sends one (``ngx_http_finalize_request`` terminates the request on
    ``NGX_HTTP_REQUEST_TIME_OUT``); through the load balancer, the client gets the ALB's 502."""
    exchange = slow_request(
        server.port, "POST", "/messages", declared_length=len(BODY), body=BODY[:DRIPPED_BYTES], byte_interval=1.0
    )
    print(f"\nanswered {exchange.status} {exchange.body!r}, closed after {exchange.closed_after} s")

    assert (exchange.status, exchange.body) == (None, b"")
    assert exchange.closed_after is not None, "the connection stayed open"
    assert BODY_CUT_AFTER - 0.5 < exchange.closed_after < BODY_CUT_WITHIN


@pytest.mark.slow
def test_large_bodies_held_unfinished_stay_within_the_proxys_memory_budget(database_url, server_env):
    # A task of its own: memory freed by earlier probes stays resident and would hide what these take.
    with (
        running_task(env=server_env(database_url)) as server,
        Probe(server, f"{LARGE_BODY_CLIENTS} bodies of {len(LARGE_BODY)} bytes held before their last byte") as probe,
    ):
        before = server.proxy_memory_bytes()
        clients = [socket.create_connection(("127.0.0.1", server.port), timeout=5) for _ in range(LARGE_BODY_CLIENTS)]
        for client in clients:
            client.sendall(LARGE_BODY_HEAD + LARGE_BODY[:-1])
        time.sleep(LARGE_BODY_HELD_SECONDS)
        held = server.proxy_memory_bytes()
        for client in clients:
            client.sendall(LARGE_BODY[-1:])
        statuses = [parse_answer(read_to_close(client))[0] for client in clients]
    per_connection = (held - before) / LARGE_BODY_CLIENTS
    print(f"  nginx {before / 2**20:.1f} MiB -> {held / 2**20:.1f} MiB: {per_connection / 1024:.1f} KiB per body held")

    probe.assert_survived()
    assert statuses == [201] * LARGE_BODY_CLIENTS
    assert per_connection < PROXY.connection_memory_bytes
    assert held < PROXY.memory_budget_mib * 2**20


def read_to_close(sock: socket.socket) -> bytes:
    received = bytearray()
    with sock:
        while chunk := sock.recv(65536):
            received += chunk
    return bytes(received)


@pytest.mark.slow
@pytest.mark.parametrize("connections", [8, 32])
def test_headers_dripped_a_byte_a_second_are_cut_at_the_header_deadline(server, connections):
    with (
        Probe(server, f"{connections} connections sending headers at 1 byte/s") as probe,
        Swarm(server.port, connections, drip=HEADERS, reconnect=True) as swarm,
    ):
        swarm.run(seconds=HEADER_PROBE_SECONDS)
    print(f"  cut after {seconds(sorted(swarm.cut_after))} s")

    probe.assert_survived()
    assert swarm.cut >= connections
    assert max(swarm.cut_after) < HEADER_CUT_WITHIN


@pytest.mark.slow
@pytest.mark.parametrize("connections", [32, 200, 2000])
def test_idle_connections_leave_health_answering(server, connections):
    with Probe(server, f"{connections} idle connections") as probe:
        before = server.proxy_memory_bytes()
        with Swarm(server.port, connections) as swarm:
            swarm.run(seconds=IDLE_PROBE_SECONDS)
            held = swarm.open_now
            memory = server.proxy_memory_bytes()
    print(f"  {held} of {connections} held open by the proxy; nginx {before / 2**20:.1f} -> {memory / 2**20:.1f} MiB")

    probe.assert_survived()
    assert held == connections
    assert memory < PROXY.memory_budget_mib * 2**20


@pytest.mark.slow
def test_bodies_announced_and_never_sent_hold_only_the_proxy_until_the_body_deadline(server):
    with Probe(server, f"{UNREAD_BODY_CONNECTIONS} POSTs announcing 100 body bytes never sent") as probe:
        unread = slow_requests_at_once(UNREAD_BODY_CONNECTIONS, server.port, "POST", "/messages", declared_length=100)
    print(f"  statuses {[e.status for e in unread]}, closed after {seconds(e.closed_after for e in unread)} s")

    probe.assert_survived()
    # Cut at the body deadline with nothing answered, as a body paused past it.
    assert [(e.status, e.body) for e in unread] == [(None, b"")] * UNREAD_BODY_CONNECTIONS
    assert all(exchange.closed_after is not None for exchange in unread), "a connection stayed open"
    assert max(exchange.closed_after for exchange in unread) < UNREAD_CLOSED_WITHIN


def seed_long_messages(database_url: str) -> None:
    """The newest page of ``LONG_MESSAGES`` messages: about 0.8 MB of JSON, far more than socket buffers hold."""
    with psycopg.connect(database_url) as db:
        db.execute(
            "INSERT INTO messaging_message (sender, content, created_at)"
            " SELECT %s, repeat('m', %s), now() FROM generate_series(1, %s)",
            [LONG_SENDER, LONG_CONTENT, LONG_MESSAGES],
        )


@pytest.mark.slow
def test_answers_never_read_are_cut_off_at_the_send_deadline(database_url, server_env):
    slow_readers = 8
    with running_task(env=server_env(database_url)) as server:
        seed_long_messages(database_url)
        page = server.get(PAGE_PATH)
        with Probe(server, f"{slow_readers} x {PIPELINED_PAGES} pipelined pages never read") as probe:
            before = server.proxy_memory_bytes()
            readers = [
                pipeline_without_reading(server.port, PAGE_REQUEST, count=PIPELINED_PAGES) for _ in range(slow_readers)
            ]
            sent_at = time.monotonic()
            time.sleep(PROXY.send_timeout_seconds / 2)
            held = server.proxy_memory_bytes()
            closed_after = wait_closed_by_server(
                readers, server_port=server.port, within=READER_GIVE_UP_AFTER, since=sent_at
            )
            for reader in readers:
                reset(reader)
    print(f"  page of {len(page.content)} bytes; closed by the proxy after {seconds(sorted(closed_after.values()))} s")
    per_reader = (held - before) / slow_readers
    print(f"  nginx {before / 2**20:.1f} -> {held / 2**20:.1f} MiB: {per_reader / 1024:.1f} KiB per reader held")

    assert page.status_code == 200
    probe.assert_survived()
    assert len(closed_after) == slow_readers, f"{slow_readers - len(closed_after)} open after {READER_GIVE_UP_AFTER} s"
    assert max(closed_after.values()) < READER_CLOSED_WITHIN
    # Each answer is held in a file but for a few KiB: before, each held a megabyte of buffers.
    assert per_reader < PROXY.connection_memory_bytes
