"""Checks of the new tasks through the test listener: liveness, readiness on the new release, a database read.

Read-only on purpose: after a release the test listener forwards to production, so anything written here
would be production data every client lists (ADR 0009).
"""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from deploy.bluegreen.errors import GreenValidationError
from deploy.bluegreen.events import Event, Level, Progress

REQUEST_TIMEOUT_SECONDS = 5


@dataclass(frozen=True, kw_only=True)
class GreenChecks:
    base_url: str
    health_path: str
    readiness_path: str
    release: str | None  # None: the revision names no release, so any reported one is accepted
    timeout_seconds: float
    retry_interval_seconds: float = 2.0


def green_validate(checks: GreenChecks, *, progress: Progress, sleep: Callable[[float], None] = time.sleep) -> None:
    """Run every check in order, each retried until the shared deadline; raise ``GreenValidationError``.

    Retried because green may still be registering behind the test listener or warming its database
    connections when CodeDeploy reports it ready.
    """
    deadline = time.monotonic() + checks.timeout_seconds
    for name, check in [
        (f"GET {checks.health_path}", _health),
        (f"GET {checks.readiness_path}", _readiness),
        ("GET /messages", _read),
    ]:
        while True:
            try:
                detail = check(checks)
            except _CheckFailedError as failure:
                if time.monotonic() + checks.retry_interval_seconds >= deadline:
                    raise GreenValidationError(f"green failed {name} on {checks.base_url}: {failure}") from None
                sleep(checks.retry_interval_seconds)
                continue
            progress(Event(Level.SUCCESS, f"  {name}: {detail}"))
            break


class _CheckFailedError(Exception):
    pass


def _health(checks: GreenChecks) -> str:
    status, _ = _request("GET", checks.base_url + checks.health_path)
    _expect(status, 200)
    return "200"


def _readiness(checks: GreenChecks) -> str:
    status, body = _request("GET", checks.base_url + checks.readiness_path)
    if status != 200:
        raise _CheckFailedError(
            f"status {status}, problems {body.get('problems') if isinstance(body, dict) else body!r}"
        )
    reported = body.get("release") if isinstance(body, dict) else None
    if checks.release is not None and reported != checks.release:
        raise _CheckFailedError(f"reports release {reported!r}, expected {checks.release!r}")
    return f"ready, release {reported}"


def _read(checks: GreenChecks) -> str:
    status, page = _request("GET", checks.base_url + "/messages")
    _expect(status, 200)
    if not isinstance(page, dict | list):
        raise _CheckFailedError(f"GET /messages answered {page!r}, not JSON")
    return "200, messages read from the database"


def _expect(status: int, expected: int) -> None:
    if status != expected:
        raise _CheckFailedError(f"status {status}, expected {expected}")


def _request(method: str, url: str) -> tuple[int, Any]:
    if not url.startswith(("http://", "https://")):
        raise _CheckFailedError(f"not an HTTP URL: {url}")
    request = urllib.request.Request(  # noqa: S310 - the scheme is checked above
        url, method=method, headers={"Accept": "application/json"}
    )
    try:
        with urllib.request.urlopen(request, timeout=REQUEST_TIMEOUT_SECONDS) as response:  # noqa: S310
            return response.status, _json(response.read())
    except urllib.error.HTTPError as error:
        return error.code, _json(error.read())
    except (urllib.error.URLError, OSError) as error:
        raise _CheckFailedError(f"no answer ({getattr(error, 'reason', error)})") from None


def _json(body: bytes) -> Any:
    try:
        return json.loads(body)
    except ValueError:
        return body[:200].decode(errors="replace")
