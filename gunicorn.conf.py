"""gunicorn settings for the container: one place for the bind address, workers, timeouts and logs.

Sized for the seed's Fargate task (0.25 vCPU, 512 MB); every knob a load test might turn is read from
the environment (``GUNICORN_*``), with the defaults below for production.
"""

import gc
import os

from gunicorn.glogging import Logger

from deploy.config import CONTAINER_PORT, GRACEFUL_TIMEOUT_SECONDS
from project import server_errors
from project.log_format import JSON_FORMATTER

# Requests gunicorn refuses itself (an over-long URI, oversized headers) are answered in the API's JSON
# error shape, not gunicorn's HTML page.
server_errors.install()


def _env_int(name: str, default: int) -> int:
    return int(os.environ.get(name, default))


wsgi_app = "project.wsgi:application"
# PORT lets tests and local runs use another port; the health check command reads the same variable.
bind = [f"0.0.0.0:{_env_int('PORT', CONTAINER_PORT)}"]

# A quarter of a vCPU gives no parallelism to a second process: two workers are for availability (one
# keeps serving while the other recycles or crashes). One thread each: a worker's threads share one GIL,
# and every short system call (a socket send, the database's reply) hands it over, so a second thread
# mostly added futex calls (strace under load: 17 per GET and 36 per POST with two threads, 4 and 5 with
# one); the kernel took a fifth of the worker's CPU (perf), most of it switching threads. In four
# interleaved runs on a 2-core machine (6 to 8 rounds each, the same code), 2 x 1 served GET /messages
# 3-10 % and POST /messages 3-16 % more than 2 x 2; 2 x 4 was no better, 3 x 1 about as fast with a
# 70 MB larger tree. 2 x 1 holds two database connections per task. Two request slots are enough for
# the ALB's health checks: a slow query is cut at the 5 s statement timeout, and a target turns
# unhealthy only after three failed checks 30 s apart.
# Also measured before: 2 sync workers and 2 gevent workers within the noise of 2 x 2; sync workers drop
# keep-alive, so the ALB would reconnect for every request; gevent needs the connection pool (without it
# every client connection holds a database connection), and with the pool it served less than 2 x 2.
workers = _env_int("GUNICORN_WORKERS", 2)
threads = _env_int("GUNICORN_THREADS", 1)
# With one thread, gthread's handover of every request to its pool thread and back is pure cost
# (project.gunicorn_worker says what it measured); more threads need the pool.
worker_class = "project.gunicorn_worker.InlineWorker" if threads == 1 else "gthread"
# Load Django once in the master so a broken release fails at start, and workers share its pages.
preload_app = True


def when_ready(server):
    """Hand what the preloaded app built to the collector's permanent generation, before workers fork.

    Django, DRF and the app leave about 80,000 long-lived objects that every full collection in every
    worker would walk again: measured in-process, a full collection then stalled requests for up to
    99 ms, and 12 ms with them frozen. The collector also stops writing to those objects, so the pages
    holding them stay shared between the workers instead of being copied into each.
    """
    gc.collect()
    gc.freeze()


# A worker that stops answering the master's heartbeat for this long is killed and replaced. Slow SQL is
# cut earlier by the database's own statement timeout (DB_STATEMENT_TIMEOUT_MS).
timeout = _env_int("GUNICORN_TIMEOUT", 30)
# On SIGTERM, in-flight requests get this long to finish: below ECS's stop timeout, so they end before
# the SIGKILL that follows it.
graceful_timeout = _env_int("GUNICORN_GRACEFUL_TIMEOUT", GRACEFUL_TIMEOUT_SECONDS)
# Longer than the ALB's 60 s idle timeout, so the load balancer, not gunicorn, closes idle connections
# and never sends a request on one gunicorn is closing (which it would answer with a 502).
keepalive = _env_int("GUNICORN_KEEPALIVE", 65)

# Recycle each worker after about this many requests so a slow leak cannot grow without bound; the
# jitter keeps both workers from restarting at the same moment. Rarely, because a recycle costs latency
# long after it: the worker's keep-alive connections close, their clients (the ALB) reconnect to the
# worker still running, as the replacement is not up yet, and stay there. At half the peak rate of
# GET /messages, runs with a recycle left 25-30 of 32 connections on one worker and a p99 of 18-27 ms,
# against 7-16 ms with the connections split evenly (bench/'s load). At 20,000 requests that happened in
# 2 of 6 such runs, and a POST p99 of the benchmark reached 57 ms. Memory gives no reason to recycle
# sooner: a worker's RSS grew by 0.7 MiB over 140,000 requests (66.0 to 66.7 MiB). At a quarter vCPU a
# worker serves about 150 req/s, so this recycles it about once an hour at full load.
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
    fields, which the ``gunicorn.access`` level then drops: a tenth of a ``/health`` request's time
    (py-spy), about 4 % of a ``/messages`` one.
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
