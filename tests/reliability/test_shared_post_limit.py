"""The post limit holds across the service: two servers of two workers each, on one database, count one
client's posts together, whichever process takes each of them."""

import http.client
import json
from concurrent.futures import ThreadPoolExecutor

import psycopg
import pytest

from tests.support.gunicorn import GunicornServer, running_gunicorn
from tests.support.tcp_states import connections_per_worker

RATE = 60
# New connections land on a worker by the kernel's hash: this many tries leave a worker without one
# with odds far below one in a billion.
CONNECTION_TRIES = 64


@pytest.fixture(scope="module")
def servers(database_url, server_env):
    """Two gunicorn masters as two tasks would run them (the production sizing of 2 workers each)."""
    env = server_env(database_url, MESSAGES_POST_RATE=f"{RATE}/min")
    with running_gunicorn(env=env) as first, running_gunicorn(env=env) as second:
        yield first, second


def one_connection_per_worker(server: GunicornServer) -> list[http.client.HTTPConnection]:
    """A kept-alive connection held by each of ``server``'s workers, found by asking /proc who holds it."""
    workers = server.steady_workers()
    held: dict[int, http.client.HTTPConnection] = {}
    for _ in range(CONNECTION_TRIES):
        connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
        connection.request("GET", "/health")
        connection.getresponse().read()
        split = connections_per_worker(
            server_port=server.port, pids=workers, client_ports={connection.sock.getsockname()[1]}
        )
        assert split is not None, "/proc does not show the server's sockets to this user"
        worker = next(pid for pid, count in split.items() if count)
        if worker in held:
            connection.close()
        else:
            held[worker] = connection
        if len(held) == len(workers):
            return list(held.values())
    raise AssertionError(f"no connection reached every worker of {server.url} in {CONNECTION_TRIES} tries")


def post(connection: http.client.HTTPConnection, client_ip: str) -> int:
    # The client's address as the content: what each client had stored can be counted.
    body = json.dumps({"sender": "limited", "content": client_ip})
    headers = {"Content-Type": "application/json", "X-Forwarded-For": client_ip}
    connection.request("POST", "/messages", body=body, headers=headers)
    response = connection.getresponse()
    response.read()
    return response.status


def test_the_61st_post_in_a_minute_is_refused_whichever_server_and_worker_takes_it(servers):
    # First server's first worker, second server's first worker, first server's second worker, ...
    connections = [c for pair in zip(*map(one_connection_per_worker, servers), strict=True) for c in pair]
    assert len(connections) == 4

    statuses = [post(connections[n % len(connections)], "203.0.113.61") for n in range(RATE + 1)]
    other_client = post(connections[RATE % len(connections)], "203.0.113.62")

    assert statuses == [201] * RATE + [429]
    assert other_client == 201


def test_simultaneous_posts_of_one_client_on_both_servers_admit_and_store_exactly_the_rate(servers, database_url):
    # 96 posts at once, 8 connections alternating between the servers: a read-then-write counter would
    # admit more than the rate as the processes overwrite each other's counts.
    def client(number: int) -> list[int]:
        server = servers[number % 2]
        connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
        try:
            return [post(connection, "203.0.113.96") for _ in range(12)]
        finally:
            connection.close()

    with ThreadPoolExecutor(8) as pool:
        statuses = [status for run in pool.map(client, range(8)) for status in run]
    with psycopg.connect(database_url) as database:
        (stored,) = database.execute(
            "SELECT count(*) FROM messaging_message WHERE content = %s", ["203.0.113.96"]
        ).fetchone()

    assert sorted(statuses) == [201] * RATE + [429] * (96 - RATE)
    assert stored == RATE
