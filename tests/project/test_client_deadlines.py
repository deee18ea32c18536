"""Client deadlines in-process, over a real socket pair standing in for gunicorn's connection: a body is
read whole or refused with a 408 in time, a body the app never reads closes the connection, and a slow
client takes one of a worker's few slow-client slots."""

import socket
import threading
import time

import pytest
from django.core.handlers.wsgi import WSGIRequest
from django.http import HttpResponse

from project import client_deadlines
from project.client_deadlines import ClientDeadlineMiddleware

BODY = b'{"sender":"ann","content":"hello"}'


@pytest.fixture
def short_deadlines(monkeypatch):
    monkeypatch.setattr(client_deadlines, "SLOW_BODY_GRACE_SECONDS", 0.1)
    monkeypatch.setattr(client_deadlines, "BODY_DEADLINE_SECONDS", 0.6)


@pytest.fixture
def connections():
    """Socket pairs (server side, client side), closed after the test."""
    opened = []

    def connect():
        server, client = socket.socketpair()
        opened.append((server, client))
        return server, client

    yield connect
    for pair in opened:
        for end in pair:
            end.close()


def request_on(server: socket.socket, method: str, path: str, length: int) -> WSGIRequest:
    """A request as gunicorn hands it over: the body still to be read from the connection."""
    environ = {
        "REQUEST_METHOD": method,
        "PATH_INFO": path,
        "SERVER_NAME": "testserver",
        "SERVER_PORT": "80",
        "CONTENT_TYPE": "application/json",
        "CONTENT_LENGTH": str(length),
        "wsgi.input": server.makefile("rb"),
        "wsgi.url_scheme": "http",
        "gunicorn.socket": server,
    }
    return WSGIRequest(environ)


def view_reading_body(request):
    return HttpResponse(request.body)


def test_a_body_sent_in_time_reaches_the_view(connections, short_deadlines):
    server, client = connections()
    client.sendall(BODY)

    response = ClientDeadlineMiddleware(view_reading_body)(request_on(server, "POST", "/messages", len(BODY)))

    assert response.status_code == 200
    assert response.content == BODY


def test_a_body_trickling_past_the_deadline_is_a_408_and_the_connection_is_closed(connections, short_deadlines):
    server, client = connections()
    client.sendall(BODY[:5])
    started = time.monotonic()

    response = ClientDeadlineMiddleware(view_reading_body)(request_on(server, "POST", "/messages", len(BODY)))

    assert response.status_code == 408
    assert b'"code":"request_timeout"' in response.content
    assert 0.6 <= time.monotonic() - started < 2
    # The read side is shut: gunicorn reads no next request on this connection and closes it.
    assert server.recv(1) == b""


def test_slow_clients_beyond_the_worker_slots_are_refused_after_the_grace_period(connections, short_deadlines):
    slots = client_deadlines.SLOW_CLIENTS_PER_WORKER
    holders, answers = [], []
    for _ in range(slots):
        server, client = connections()
        client.sendall(BODY[:5])
        request = request_on(server, "POST", "/messages", len(BODY))
        holder = threading.Thread(
            target=lambda r=request: answers.append(ClientDeadlineMiddleware(view_reading_body)(r).status_code)
        )
        holder.start()
        holders.append(holder)
    time.sleep(0.3)  # past the grace period: every slot is taken

    server, client = connections()
    client.sendall(BODY[:5])
    started = time.monotonic()
    refused = ClientDeadlineMiddleware(view_reading_body)(request_on(server, "POST", "/messages", len(BODY)))
    refused_after = time.monotonic() - started
    for holder in holders:
        holder.join(timeout=5)

    assert refused.status_code == 408
    assert refused_after < 0.5, "refused once its grace period ended, not at the full deadline"
    assert answers == [408] * slots
    # Every slot is given back: a prompt client is served, a new slow one gets the full allowance again.
    server, client = connections()
    client.sendall(BODY)
    assert (
        ClientDeadlineMiddleware(view_reading_body)(request_on(server, "POST", "/messages", len(BODY))).status_code
        == 200
    )
    assert client_deadlines._slow_clients.free == slots


def test_a_client_that_hangs_up_mid_body_is_answered_without_the_view(connections, short_deadlines):
    server, client = connections()
    client.sendall(BODY[:5])
    client.shutdown(socket.SHUT_WR)

    response = ClientDeadlineMiddleware(view_reading_body)(request_on(server, "POST", "/messages", len(BODY)))

    assert response.status_code == 400
    assert b'"code":"incomplete_body"' in response.content


@pytest.mark.parametrize(
    ("method", "path", "length"),
    [("GET", "/health", 100), ("GET", "/messages", 100), ("POST", "/health", 100), ("POST", "/messages", 10**6)],
)
def test_a_body_the_app_never_reads_closes_the_connection_after_the_answer(connections, method, path, length):
    server, _client = connections()
    seen = []

    def view(request):
        seen.append(request.path)
        return HttpResponse("answered")

    started = time.monotonic()
    response = ClientDeadlineMiddleware(view)(request_on(server, method, path, length))

    assert response.content == b"answered"
    assert seen == [path]
    assert time.monotonic() - started < 0.5
    assert server.recv(1) == b""


def test_the_answer_is_sent_within_a_bounded_time(connections):
    server, client = connections()
    client.sendall(BODY)
    ClientDeadlineMiddleware(view_reading_body)(request_on(server, "POST", "/messages", len(BODY)))

    assert server.gettimeout() == client_deadlines.SEND_TIMEOUT_SECONDS


def test_outside_gunicorn_requests_pass_through(rf):
    request = rf.post("/messages", data=BODY, content_type="application/json")

    assert ClientDeadlineMiddleware(view_reading_body)(request).content == BODY
