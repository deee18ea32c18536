"""A bulkhead between database work and ``/health``, and a deadline on every query.

A database stall (a table lock, a long ``ALTER``, a failover) holds every request that touches it. If
those could take all of a worker's threads, ``/health`` would queue behind them, the ALB and the
container check would fail, and ECS would replace healthy tasks one after another. So requests past
``/health`` take one of ``worker_threads() - 1`` slots per worker: one thread is always left for the
health check. A request waits for a slot only while slots are changing hands: once none has moved for
``BULKHEAD_WAIT_SECONDS`` the database is stuck, and a request without a slot is a JSON 503 with
``Retry-After`` at once. Its thread is free again in microseconds, so ``/health``, queued behind such
requests in gthread's pool, is answered in time, and no queue grows while the database is away.

Inside a slot every query runs under a deadline: a database that stops answering without closing the
connection (a network partition, a host that froze) would otherwise hold the request until the kernel
gives up, minutes later. Past the server's own ``statement_timeout`` plus a margin, the connection's
socket is shut down; psycopg raises ``OperationalError``, the API answers 503 ``database_unavailable``
and Django discards the connection. ADR 0007.
"""

from __future__ import annotations

import threading
import time

from django.conf import settings
from django.db import connection
from django.http import HttpRequest, HttpResponse

from messaging.api.error_shape import error_body
from messaging.api.errors import ErrorResponse
from project import query_deadlines
from project.runtime import worker_threads

BUSY_RETRY_AFTER_SECONDS = 1
# Past the server's statement timeout: when the server is alive it ends a slow query itself, with a
# clearer error; this only ever fires for a database that has gone silent.
QUERY_DEADLINE_MARGIN_SECONDS = 1.0


def database_slots(threads: int) -> int:
    return max(threads - 1, 1)


class DatabaseBulkheadMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        self.slots = threading.BoundedSemaphore(database_slots(worker_threads()))
        self.wait_seconds = settings.BULKHEAD_WAIT_SECONDS
        # When a slot last changed hands (taken or given back). Written without a lock: a float assignment
        # is atomic, and a reader a moment out of date waits a moment more or less.
        self.last_moved = time.monotonic()
        self.query_deadline_seconds = settings.DB_STATEMENT_TIMEOUT_MS / 1000 + QUERY_DEADLINE_MARGIN_SECONDS

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not self._take_slot():
            response = ErrorResponse(
                error_body("server_error", "server_busy", "The server is busy; try again shortly."), status=503
            )
            response["Retry-After"] = str(BUSY_RETRY_AFTER_SECONDS)
            return response
        try:
            with connection.execute_wrapper(self._within_deadline):
                return self.get_response(request)
        finally:
            self.last_moved = time.monotonic()
            self.slots.release()

    def _take_slot(self) -> bool:
        if self.slots.acquire(blocking=False):
            self.last_moved = time.monotonic()
            return True
        # Wait no longer than wait_seconds after a slot last moved: on a busy database slots change hands
        # every few milliseconds, on a stuck one never. (Timed from the last taking too, so the first
        # burst after an idle spell waits as usual.)
        wait = self.last_moved + self.wait_seconds - time.monotonic()
        if wait > 0 and self.slots.acquire(timeout=wait):
            self.last_moved = time.monotonic()
            return True
        return False

    def _within_deadline(self, execute, sql, params, many, context):
        fd = _socket_of(context["connection"])
        if fd is None:
            return execute(sql, params, many, context)
        deadline = query_deadlines.clock.call_after(
            self.query_deadline_seconds, lambda: query_deadlines.shut_down_descriptor(fd)
        )
        try:
            return execute(sql, params, many, context)
        finally:
            deadline.cancel()


def _socket_of(wrapper) -> int | None:
    """The descriptor of a PostgreSQL connection's socket; None for SQLite, which has none."""
    pgconn = getattr(wrapper.connection, "pgconn", None)
    return None if pgconn is None else pgconn.socket
