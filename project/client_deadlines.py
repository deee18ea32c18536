"""Deadlines on the client's side of a request: a body not sent in time is a 408, a slow reader is cut off.

The ALB streams request bodies to the task as clients send them, so a client sending one byte a second
would hold a request thread for as long as it likes, and a handful of them would stop a task. Under
gunicorn (``gunicorn.socket`` in the WSGI environ) this middleware:

- reads a body the app will read up front, before any database work, within ``BODY_DEADLINE_SECONDS``; a
  body still coming after ``SLOW_BODY_GRACE_SECONDS`` takes one of ``SLOW_CLIENTS_PER_WORKER`` slots, and
  without a free slot, or past the deadline, the request is a 408 and the connection closes;
- closes the connection after the answer when the body is one the app never reads (a ``GET`` with a body,
  one over ``MAX_REQUEST_BODY_BYTES``, a chunked one), instead of gunicorn draining it for up to 5 s;
- bounds the sending of the answer: Python's socket timeout is a total for ``sendall``, so a client that
  stops reading a page holds its thread ``SEND_TIMEOUT_SECONDS`` at most.

Outside gunicorn (the test client, ``runserver``) requests pass through unchanged. ADR 0007.
"""

from __future__ import annotations

import socket
import time

from django.conf import settings
from django.http import HttpRequest, HttpResponse

from messaging.api.error_shape import error_body
from messaging.api.errors import ErrorResponse
from project import deadlines
from project.middleware import HEALTH_PATHS

BODY_DEADLINE_SECONDS = 5.0
# Long enough for any client on a working network to send a message of the largest allowed size.
SLOW_BODY_GRACE_SECONDS = 0.2
# Half a worker's threads at most are ever left waiting for slow bodies.
SLOW_CLIENTS_PER_WORKER = 2
SEND_TIMEOUT_SECONDS = 10.0

BODY_METHODS = frozenset({"POST", "PUT", "PATCH"})


class _SlowClients:
    """The slots of this worker's slow bodies; taken and given back on the deadline thread and callers."""

    def __init__(self, slots: int) -> None:
        self.free = slots

    def take(self) -> bool:
        # Called on the deadline thread, under the clock's lock, as is give_back: no lock of its own.
        if self.free == 0:
            return False
        self.free -= 1
        return True

    def give_back(self) -> None:
        self.free += 1


_slow_clients = _SlowClients(SLOW_CLIENTS_PER_WORKER)


class _BodyRead:
    """The deadlines of one body being read: the grace period, then the slow client's full allowance."""

    def __init__(self, sock: socket.socket) -> None:
        self.sock = sock
        self.started = time.monotonic()
        self.expired = False
        self.slow = False
        self.deadline = deadlines.clock.call_at(self.started + SLOW_BODY_GRACE_SECONDS, self._grace_over)

    def _grace_over(self) -> None:
        if _slow_clients.take():
            self.slow = True
            self.deadline = deadlines.clock.call_at(self.started + BODY_DEADLINE_SECONDS, self._expire)
        else:
            self._expire()

    def _expire(self) -> None:
        self.expired = True
        deadlines.shut_down(self.sock, socket.SHUT_RD)

    def finish(self) -> None:
        with deadlines.clock.lock:
            self.deadline.cancel()
            if self.slow:
                self.slow = False
                _slow_clients.give_back()


def _declared_length(request: HttpRequest) -> int:
    try:
        return int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return 0


class ClientDeadlineMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        sock = request.META.get("gunicorn.socket")
        if sock is None:
            return self.get_response(request)
        sock.settimeout(SEND_TIMEOUT_SECONDS)
        length = _declared_length(request)
        chunked = "HTTP_TRANSFER_ENCODING" in request.META
        if length > 0 or chunked:
            if chunked or not self._reads_body(request, length):
                deadlines.shut_down(sock, socket.SHUT_RD)
            elif refusal := self._read_body(request, sock, length):
                return refusal
        return self.get_response(request)

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
        read = _BodyRead(sock)
        try:
            body = request.body
        except OSError:
            # The client went away, or the deadline shut the socket mid-read.
            body = b""
        finally:
            read.finish()
        if len(body) == length:
            return None
        deadlines.shut_down(sock, socket.SHUT_RD)
        if read.expired:
            return ErrorResponse(
                error_body("client_error", "request_timeout", "The request body was not sent in time."), status=408
            )
        return ErrorResponse(error_body("client_error", "incomplete_body", "The request body ended early."), status=400)
