"""Deadlines on the client's side of a request: a body not sent in time is a 408, a slow reader is cut off.

The ALB streams request bodies to the task as clients send them, and a client may stop reading its
answer, so without limits a handful of slow clients would hold every request thread of a task. Under
gunicorn (``gunicorn.socket`` in the WSGI environ) this middleware:

- reads a body the app will read up front, before any database work; sending a body or receiving an
  answer that is still going on after ``SLOW_CLIENT_GRACE_SECONDS`` takes one of the worker's
  ``SLOW_CLIENTS_PER_WORKER`` slots, and without a free slot the connection is cut at once. With one,
  a body must be in within ``BODY_DEADLINE_SECONDS`` (else a 408) and an answer out within
  ``SEND_DEADLINE_SECONDS``;
- shuts the read side of a connection that will not be reused (a body the app never reads, such as a
  ``GET`` with a body, one over ``MAX_REQUEST_BODY_BYTES`` or a chunked one; a ``Connection: close``),
  so gunicorn closes it after the answer without draining it or waiting for the client's goodbye.

Cutting a connection means shutting its socket from the deadline thread (``project.deadlines``): the
thread blocked on it returns at once. Outside gunicorn (the test client, ``runserver``) requests pass
through unchanged. ADR 0001.
"""

from __future__ import annotations

import socket
import threading
import time

from django.conf import settings
from django.core.signals import request_finished
from django.http import HttpRequest, HttpResponse

from messaging.api.error_shape import error_body
from messaging.api.errors import ErrorResponse
from project import deadlines
from project.middleware import HEALTH_PATHS

# Any client on a working network sends the largest allowed body, or takes in a page, well within this.
SLOW_CLIENT_GRACE_SECONDS = 0.2
# Half a worker's threads at most are ever left waiting on slow clients.
SLOW_CLIENTS_PER_WORKER = 2
BODY_DEADLINE_SECONDS = 5.0
SEND_DEADLINE_SECONDS = 10.0

BODY_METHODS = frozenset({"POST", "PUT", "PATCH"})


class _SlowClients:
    """The worker's slow-client slots. Taken and given back only under the deadline clock's lock."""

    def __init__(self, slots: int) -> None:
        self.free = slots

    def take(self) -> bool:
        if self.free == 0:
            return False
        self.free -= 1
        return True

    def give_back(self) -> None:
        self.free += 1


_slow_clients = _SlowClients(SLOW_CLIENTS_PER_WORKER)


class _ClientWait:
    """One wait on a client (its body, or its reading of the answer) under the slow-client rules."""

    def __init__(self, sock: socket.socket, *, deadline_seconds: float, how: int) -> None:
        self.sock = sock
        self.how = how
        self.started = time.monotonic()
        self.deadline_seconds = deadline_seconds
        self.expired = False
        self.slow = False
        self.deadline = deadlines.clock.call_at(self.started + SLOW_CLIENT_GRACE_SECONDS, self._grace_over)

    def _grace_over(self) -> None:
        if _slow_clients.take():
            self.slow = True
            self.deadline = deadlines.clock.call_at(self.started + self.deadline_seconds, self._expire)
        else:
            self._expire()

    def _expire(self) -> None:
        self.expired = True
        deadlines.shut_down(self.sock, self.how)

    def finish(self) -> None:
        with deadlines.clock.lock:
            self.deadline.cancel()
            if self.slow:
                self.slow = False
                _slow_clients.give_back()


# The wait on the answer being sent, per request thread: gunicorn writes the answer after the middleware
# has returned, then closes the response, which sends request_finished on the same thread.
_sending = threading.local()


def _answer_sent(**kwargs) -> None:
    wait = getattr(_sending, "wait", None)
    if wait is not None:
        _sending.wait = None
        wait.finish()


request_finished.connect(_answer_sent, dispatch_uid="project.client_deadlines")


def _declared_length(request: HttpRequest) -> int:
    try:
        return int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return 0


def _connection_closes(request: HttpRequest) -> bool:
    connection = request.META.get("HTTP_CONNECTION", "").lower()
    if request.META.get("SERVER_PROTOCOL") == "HTTP/1.0":
        return "keep-alive" not in connection
    return "close" in connection


class ClientDeadlineMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        sock = request.META.get("gunicorn.socket")
        if sock is None:
            return self.get_response(request)
        length = _declared_length(request)
        chunked = "HTTP_TRANSFER_ENCODING" in request.META
        declares_body = length > 0 or chunked
        reads_body = length > 0 and not chunked and self._reads_body(request, length)
        response = self._read_body(request, sock, length) if reads_body else None
        if response is None:
            if (declares_body and not reads_body) or _connection_closes(request):
                deadlines.shut_down(sock, socket.SHUT_RD)
            response = self.get_response(request)
        _answer_sent()  # a wait left over on this thread, if its answer was never closed
        _sending.wait = _ClientWait(sock, deadline_seconds=SEND_DEADLINE_SECONDS, how=socket.SHUT_RDWR)
        return response

    @staticmethod
    def _reads_body(request: HttpRequest, length: int) -> bool:
        return (
            request.method in BODY_METHODS
            and length <= settings.MAX_REQUEST_BODY_BYTES
            and request.path_info not in HEALTH_PATHS
        )

    @staticmethod
    def _read_body(request: HttpRequest, sock: socket.socket, length: int) -> HttpResponse | None:
        """Read the body into ``request.body``; the refusal to answer instead when it did not all come."""
        wait = _ClientWait(sock, deadline_seconds=BODY_DEADLINE_SECONDS, how=socket.SHUT_RD)
        try:
            body = request.body
        except OSError:
            # The client went away, or its wait expired and shut the socket mid-read.
            body = b""
        finally:
            wait.finish()
        if len(body) == length:
            return None
        deadlines.shut_down(sock, socket.SHUT_RD)
        if wait.expired:
            return ErrorResponse(
                error_body("client_error", "request_timeout", "The request body was not sent in time."), status=408
            )
        return ErrorResponse(error_body("client_error", "incomplete_body", "The request body ended early."), status=400)
