"""Waiting for the service to answer ready through the load balancer, the way its clients reach it."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

import requests

from deploy.bluegreen.events import Event, Level, Progress
from deploy.provision.errors import ReadinessError
from deploy.provision.process import HEARTBEAT_SECONDS, elapsed_text

REQUEST_TIMEOUT_SECONDS = 10


@dataclass(frozen=True, kw_only=True)
class Ready:
    release: str | None
    elapsed_seconds: float


def ready_wait(
    url: str,
    *,
    timeout_seconds: float,
    poll_interval: float,
    progress: Progress,
    sleep: Callable[[float], None] = time.sleep,
    clock: Callable[[], float] = time.monotonic,
) -> Ready:
    """Poll ``url`` until it answers 200; say each new answer (a fresh ALB name takes minutes to resolve, new
    tasks to pass their checks), and the same one again every ``HEARTBEAT_SECONDS``, with the time waited."""
    started = clock()
    last, said_at = None, started
    while True:
        answer, release = readiness_ask(url)
        now = clock()
        waited = now - started
        if answer == "200":
            return Ready(release=release, elapsed_seconds=waited)
        if answer != last or now - said_at >= HEARTBEAT_SECONDS:
            progress(Event(Level.INFO, f"  {url}: {answer} ({elapsed_text(waited)} so far)"))
            last, said_at = answer, now
        if waited >= timeout_seconds:
            raise ReadinessError(
                f"{url} did not answer ready within {timeout_seconds:g} s (last: {answer}); see why with the "
                "service's events and stopped tasks (aws ecs describe-services, describe-tasks), then run "
                "provision again"
            )
        sleep(poll_interval)


def readiness_ask(url: str) -> tuple[str, str | None]:
    """``("200", release)``, or what stands in the way: a status with the problems listed, or the error."""
    try:
        response = requests.get(url, timeout=REQUEST_TIMEOUT_SECONDS)
    except requests.RequestException as error:
        return f"no answer ({type(error).__name__})", None
    try:
        body = response.json()
    except ValueError:
        body = {}
    body = body if isinstance(body, dict) else {}
    if response.status_code == 200:
        return "200", body.get("release")
    problems = body.get("problems")
    return f"{response.status_code}" + (f" {problems}" if problems else ""), None


def needs_migrations(answer: str) -> bool:
    """Whether a not-ready answer calls for the migration step: unapplied migrations, or a database the
    tasks cannot reach (messaging.health says which in ``problems``).

    The service connects as the app's own role, which the migration step creates (ADR 0019): until the first
    migration its login is refused, which the tasks report as the database unreachable. The step is
    idempotent, and against a database that is truly down it fails at once with the task's own story."""
    lowered = answer.lower()
    return "migration" in lowered or "database unreachable" in lowered
