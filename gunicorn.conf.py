"""gunicorn settings for the container: one place for the bind address, workers, timeouts and logs.

Sized for the seed's Fargate task (0.25 vCPU, 512 MB); every knob a load test might turn is read from
the environment (``GUNICORN_*``), with the defaults below for production.
"""

import gc
import os

from gunicorn.glogging import Logger

from project.log_format import JSON_FORMATTER
from project.runtime import APP_PORT, GRACEFUL_TIMEOUT_SECONDS, worker_threads


def _env_int(name: str, default: int) -> int:
    return int(os.environ.get(name, default))


wsgi_app = "project.wsgi:application"
# Loopback only: the task's proxy (nginx) receives the ALB's traffic, buffers whole requests and answers,
# and passes complete requests here, so a slow client never holds a worker thread
# (docs/adr/0013-buffering-proxy.md). PORT lets tests and local runs use another port; the health check
# command reads the same variable.
bind = [f"127.0.0.1:{_env_int('PORT', APP_PORT)}"]

# Two workers for availability (one serves while the other recycles or crashes; a quarter vCPU gives no
# parallelism to a third), four threads each so a request stuck on the database never
# holds a whole worker: the bulkhead (project.bulkhead) keeps one thread per worker free of database work
# for /health. Stock gthread: its main thread heartbeats the master whatever the request threads do.
# Sizing and the faults it was measured against: docs/adr/0001-serving-model-and-sizing.md.
workers = _env_int("GUNICORN_WORKERS", 2)
threads = worker_threads()
worker_class = "gthread"
# Each worker listens on a socket of its own (SO_REUSEPORT) and the kernel spreads new connections (the
# proxy's, here) across them; a TCP socket rather than a unix one for that reason. On one shared socket,
# whichever worker woke first accepted a whole burst: the benchmark's 32 connections all went to one
# worker in about half the runs, halving what two cores served (ADR 0001).
reuse_port = True
# Load Django once in the master so a broken release fails at start, and workers share its pages.
preload_app = True


def when_ready(server):
    """Hand what the preloaded app built to the collector's permanent generation, before workers fork.

    Django, DRF and the app leave tens of thousands of long-lived objects that every full collection in
    every worker would otherwise walk again, stalling requests (figures:
    docs/adr/0001-serving-model-and-sizing.md). The collector also stops writing to those objects, so
    the pages holding them stay shared between the workers instead of being copied into each.
    """
    gc.collect()
    gc.freeze()


# A worker that stops answering the master's heartbeat for this long is killed and replaced. Requests are
# cut far earlier: SQL by the statement and lock timeouts and the query deadline; clients never reach
# gunicorn before their request is complete (the proxy's deadlines, docs/adr/0013-buffering-proxy.md).
timeout = _env_int("GUNICORN_TIMEOUT", 30)
# On SIGTERM, in-flight requests get this long to finish: below ECS's stop timeout, so they end before
# the SIGKILL that follows it.
graceful_timeout = _env_int("GUNICORN_GRACEFUL_TIMEOUT", GRACEFUL_TIMEOUT_SECONDS)
# Longer than the proxy's 60 s upstream keep-alive timeout, so the proxy, not gunicorn, closes idle
# connections and never sends a request on one gunicorn is closing.
keepalive = _env_int("GUNICORN_KEEPALIVE", 65)
# The proxy's header buffers are smaller than gunicorn's line and field limits, so the proxy refuses an
# over-long request line or header itself, in the API's error shape; the header count is bounded by the
# same buffers, so gunicorn's own count limit is lifted to its maximum rather than refusing what the
# proxy passed with an HTML page.
limit_request_fields = 32768

# Recycle each worker after about this many requests so a slow leak cannot grow without bound; the
# jitter keeps both workers from restarting at the same moment. Rarely, because a recycle moves the load
# balancer's keep-alive connections onto the other worker for long after it (docs/adr/0002-worker-recycling.md).
max_requests = _env_int("GUNICORN_MAX_REQUESTS", 500_000)
max_requests_jitter = _env_int("GUNICORN_MAX_REQUESTS_JITTER", 50_000)

# The heartbeat file is touched constantly: keep it in memory, not on the container's overlay disk.
worker_tmp_dir = "/dev/shm"  # noqa: S108
# The runtime control socket would need a writable home; ECS stops and scales the task instead.
control_socket_disable = True

# The app writes one JSON line per request itself (project.middleware.RequestLogMiddleware, with the
# ALB trace id and duration), so gunicorn's access log stays off: every request is logged exactly once.
accesslog = None


class ServerLogger(Logger):
    """gunicorn's logger for its own lines only: it never builds an access line.

    Any logging config (``logconfig_dict`` below) makes gunicorn format every request's access-log
    fields, which the ``gunicorn.access`` level would then drop: work for nothing on every request
    (figures: docs/adr/0005-request-log.md).
    """

    def access(self, resp, req, environ, request_time):
        return


logger_class = ServerLogger
loglevel = os.environ.get("LOG_LEVEL", "info").lower()
# gunicorn's own lines (boot, worker exits, timeouts) as JSON on stdout, shaped like the app's
# (project.settings.base LOGGING), so CloudWatch gets one format from the whole process tree.
logconfig_dict = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "json": JSON_FORMATTER,
    },
    "handlers": {"stdout": {"class": "logging.StreamHandler", "stream": "ext://sys.stdout", "formatter": "json"}},
    "root": {"level": loglevel.upper(), "handlers": ["stdout"]},
    "loggers": {
        "gunicorn.error": {"level": loglevel.upper(), "handlers": [], "propagate": True},
        "gunicorn.access": {"level": "WARNING", "handlers": [], "propagate": False},
    },
}
