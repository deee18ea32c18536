"""The web runtime's own constants: what gunicorn, the container health check and the settings serve on.

The image needs only ``project/`` and ``messaging/``; ``deploy.config`` imports these names so the task
definition, the load balancer and the container agree on them without the image carrying ``deploy/``.
"""

import os

# The task's port: the proxy (nginx) listens on it for the ALB and passes complete requests to gunicorn,
# which listens on APP_PORT on the task's loopback only (docs/adr/0013-buffering-proxy.md).
CONTAINER_PORT = 8080
APP_PORT = 8000
HEALTH_PATH = "/health"
# ECS sends SIGTERM, then SIGKILL after this many seconds; gunicorn's graceful timeout stays below it.
STOP_TIMEOUT_SECONDS = 30
GRACEFUL_TIMEOUT_SECONDS = STOP_TIMEOUT_SECONDS - 5
# Run inside the container by both the Dockerfile HEALTHCHECK and the ECS task definition: the image
# has Python but no wget or curl, and this needs no shell.
HEALTH_CHECK_COMMAND = ("python", "-m", "project.healthcheck")

# Request threads per gunicorn worker (ADR 0001). Read by gunicorn.conf.py and by the bulkhead, which
# keeps one of them free of database work for /health, so both read the same variable.
DEFAULT_WORKER_THREADS = 4


# The largest request body the app accepts (413 beyond it); the proxy refuses larger ones with the same
# limit, read from the same MAX_REQUEST_BODY_BYTES the task definition sets on both sides.
DEFAULT_MAX_REQUEST_BODY_BYTES = 64 * 1024


def worker_threads() -> int:
    return int(os.environ.get("GUNICORN_THREADS", DEFAULT_WORKER_THREADS))
