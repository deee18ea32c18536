"""gunicorn's threaded worker with its one request thread folded into the thread that waits on sockets.

gthread waits for readable sockets on its main thread and serves each request on a pool thread, handing
every request over and back: a future, a wake-up byte through a pipe, and the GIL passed between the two
threads. With one thread per worker (gunicorn.conf.py says why) the pool thread never runs beside the
main one, so the handover is pure cost. Measured on GET /messages in one worker under load (perf stat,
8 connections): 60 system calls, 35 of them futex calls, and 13 context switches per request with
gthread, against 17.5, none and 1 here; 80,000 fewer instructions per request, 2.6 % (callgrind,
``make instructions``). Two workers served GET /messages 13 % and POST /messages 9 % faster (medians of
six interleaved runs of ``bench``'s load).

Everything else is gthread's own code: keep-alive, the connection limit, heartbeats, graceful shutdown,
``max_requests``. Only two things change:
- a request is served on the loop's thread, as soon as its socket is readable;
- a new connection is served at once if its first bytes come within ``FIRST_BYTES_WAIT_S`` (gthread's
  pool thread waits up to 5 s for them); if not, gthread defers it to the poller as it does after its
  5 s, so a silent client holds the worker for no longer than that.
As with any one-thread worker, a request runs to its end before the next starts, so the heartbeat waits
for it: a request slower than gunicorn's ``timeout`` gets the worker replaced (the database's statement
timeout ends slow queries well before that), and so does a client that stops halfway through sending
its request, which with gthread's one thread would hold the worker's requests up just as long but
without end.
"""

from collections import deque

from gunicorn.errors import ConfigError

# _DEFER: what handle() returns for a connection whose first bytes did not come; finish_request() then
# defers it to the poller.
from gunicorn.workers.gthread import _DEFER, ThreadWorker

# How long a new connection's first bytes are waited for before it is deferred to the poller. An HTTP
# client sends its request as soon as it has connected; waiting for it keeps this worker busy while a
# sibling worker takes the next connection. Deferred at once instead, a burst of connections went mostly
# to whichever worker woke first: of the benchmark's 32, one of two workers held 27 or more in 10 of 20
# runs (32 in 6), and at half the peak rate its queue set the latency (p99 75-170 ms against 20-40 ms).
# With this wait, in 12 runs, neither held fewer than 11.
FIRST_BYTES_WAIT_S = 0.05


class InlineWorker(ThreadWorker):
    """gthread with ``threads = 1``, serving requests without a thread pool."""

    @classmethod
    def check_config(cls, cfg, log):
        super().check_config(cfg, log)
        if cfg.threads != 1:
            raise ConfigError(f"{cls.__name__} serves one request at a time: threads must be 1, not {cfg.threads}")
        # An HTTP/2 or TLS connection would hold the loop's only thread for its whole life.
        if cfg.is_ssl or cfg.http2_cleartext != "off" or "h2" in cfg.http_protocols:
            raise ConfigError(f"{cls.__name__} serves plain HTTP/1.x only (the load balancer terminates TLS)")

    def init_process(self):
        self._ready = deque()
        self._serving = False
        super().init_process()

    def enqueue_req(self, conn):
        """Serve ``conn``'s request now, and any that become ready while serving it, in arrival order.

        A queue, not recursion: a connection whose next request is already buffered (pipelining) is
        queued again by ``finish_request``, and nesting one call per buffered request has no bound.
        """
        self._ready.append(conn)
        if self._serving:
            return
        self._serving = True
        try:
            while self._ready:
                ready = self._ready.popleft()
                self.finish_request(ready, _Served(self._serve(ready)))
        finally:
            self._serving = False

    def _serve(self, conn):
        """``handle(conn)``, but a new connection's first bytes are waited for ``FIRST_BYTES_WAIT_S``, not
        ``handle``'s 5 s; without them it is deferred to the poller as ``handle`` would defer it."""
        if not (conn.initialized or conn.data_ready or conn.wait_for_data(FIRST_BYTES_WAIT_S)):
            return _DEFER
        return self.handle(conn)


class _Served:
    """What ``finish_request`` reads from the future gthread would have handed it: the served result."""

    __slots__ = ("_result",)

    def __init__(self, result):
        self._result = result

    def result(self):
        return self._result

    def cancelled(self):
        return False
