"""Client deadlines in-process, over a real socket pair standing in for gunicorn's connection: a body is
read whole or refused with a 408 in time, an answer not taken in time cuts the connection, a connection
that will not be reused closes after its answer, and a slow client takes one of a worker's few slots."""

import socket
import threading
import time

import pytest
from django.core.handlers.wsgi import WSGIRequest
from django.http import HttpResponse

from project import client_deadlines
from project.client_deadlines import ClientDeadlineMiddleware

BODY = b'{"sender":"ann","content":"hello"}'
# Closing an answer sends request_finished, on which Django also looks at its database connections.
pytestmark = pytest.mark.django_db


@pytest.fixture
def short_deadlines(monkeypatch):
    monkeypatch.setattr(client_deadlines, "SLOW_CLIENT_GRACE_SECONDS", 0.1)
    monkeypatch.setattr(client_deadlines, "BODY_DEADLINE_SECONDS", 0.6)
    monkeypatch.setattr(client_deadlines, "SEND_DEADLINE_SECONDS", 0.6)


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


def serve(view, request: WSGIRequest):
    """The middleware's answer, closed as gunicorn closes it once written."""
    response = ClientDeadlineMiddleware(view)(request)
    response.close()
    return response


def request_on(server: socket.socket, method: str, path: str, length: int, **headers: str) -> WSGIRequest:
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
        "SERVER_PROTOCOL": "HTTP/1.1",
        **headers,
    }
    return WSGIRequest(environ)


def view_reading_body(request):
    return HttpResponse(request.body)


def test_a_body_sent_in_time_reaches_the_view(connections, short_deadlines):
    server, client = connections()
    client.sendall(BODY)

    response = serve(view_reading_body, request_on(server, "POST", "/messages", len(BODY)))

    assert response.status_code == 200
    assert response.content == BODY


def test_a_body_trickling_past_the_deadline_is_a_408_and_the_connection_is_closed(connections, short_deadlines):
    server, client = connections()
    client.sendall(BODY[:5])
    started = time.monotonic()

    response = serve(view_reading_body, request_on(server, "POST", "/messages", len(BODY)))

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
        holder = threading.Thread(target=lambda r=request: answers.append(serve(view_reading_body, r).status_code))
        holder.start()
        holders.append(holder)
    time.sleep(0.3)  # past the grace period: every slot is taken

    server, client = connections()
    client.sendall(BODY[:5])
    started = time.monotonic()
    refused = serve(view_reading_body, request_on(server, "POST", "/messages", len(BODY)))
    refused_after = time.monotonic() - started
    for holder in holders:
        holder.join(timeout=5)

    assert refused.status_code == 408
    assert refused_after < 0.5, "refused once its grace period ended, not at the full deadline"
    assert answers == [408] * slots
    # Every slot is given back: a prompt client is served, a new slow one gets the full allowance again.
    server, client = connections()
    client.sendall(BODY)
    assert serve(view_reading_body, request_on(server, "POST", "/messages", len(BODY))).status_code == 200
    assert client_deadlines._slow_clients.free == slots


def test_a_client_that_hangs_up_mid_body_is_answered_without_the_view(connections, short_deadlines):
    server, client = connections()
    client.sendall(BODY[:5])
    client.shutdown(socket.SHUT_WR)

    response = serve(view_reading_body, request_on(server, "POST", "/messages", len(BODY)))

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
    response = serve(view, request_on(server, method, path, length))

    assert response.content == b"answered"
    assert seen == [path]
    assert time.monotonic() - started < 0.5
    assert server.recv(1) == b""


def test_an_answer_not_taken_within_its_deadline_cuts_the_connection(connections, short_deadlines):
    server, client = connections()
    client.sendall(BODY)
    # Not closed yet: as long as gunicorn is still blocked writing it to a client that does not read.
    response = ClientDeadlineMiddleware(view_reading_body)(request_on(server, "POST", "/messages", len(BODY)))
    client.settimeout(5)
    started = time.monotonic()

    assert client.recv(1) == b""
    assert 0.4 <= time.monotonic() - started < 2
    assert client_deadlines._slow_clients.free == client_deadlines.SLOW_CLIENTS_PER_WORKER - 1
    # The cut write fails, gunicorn closes the answer, and the slot is given back.
    response.close()
    assert client_deadlines._slow_clients.free == client_deadlines.SLOW_CLIENTS_PER_WORKER


def test_an_answer_taken_in_time_leaves_the_connection_open(connections, short_deadlines):
    server, client = connections()
    client.sendall(BODY)
    serve(view_reading_body, request_on(server, "POST", "/messages", len(BODY)))
    time.sleep(0.8)  # past the answer's deadline, had it still been sending

    client.sendall(b"next request")
    assert server.recv(64) == b"next request"


@pytest.mark.parametrize(("protocol", "connection"), [("HTTP/1.1", "close"), ("HTTP/1.0", ""), ("HTTP/1.0", "close")])
def test_a_connection_that_will_not_be_reused_is_closed_after_its_answer(connections, protocol, connection):
    """gunicorn would otherwise wait on its main thread for a silent client's goodbye before closing."""
    server, _client = connections()
    request = request_on(server, "GET", "/messages", 0, SERVER_PROTOCOL=protocol, HTTP_CONNECTION=connection)

    assert serve(lambda request: HttpResponse("answered"), request).content == b"answered"
    assert server.recv(1) == b""


def test_outside_gunicorn_requests_pass_through(rf):
    request = rf.post("/messages", data=BODY, content_type="application/json")

    assert serve(view_reading_body, request).content == BODY
