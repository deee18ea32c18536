"""The service's log lines from CloudWatch Logs: read once or followed, shown readably or raw.

The app writes one JSON line per record (``project.log_format``) and one per request
(``project.request_log``: method, path, status, duration); the readable form picks those fields out.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

from deploy.operations.errors import BadInputError
from deploy.operations.gateways import LogEventsGateway
from project.request_log import LEVEL_KEY, LOGGER_KEY, MESSAGE, TIME_KEY

DEFAULT_SINCE = "10m"
# CloudWatch Logs makes an event searchable some seconds after its timestamp, and each stream delivers on
# its own: a follow asks again for this much before the newest event seen and drops the ids it has shown.
FOLLOW_LOOKBACK = timedelta(minutes=2)
_DURATION = re.compile(r"^(\d+)([smhd])$")
_UNITS = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days"}


def since_start(text: str, *, now: datetime) -> datetime:
    """``10m``, ``2h``, ``1d``, ``30s`` before ``now``, or an ISO 8601 time (UTC unless it says otherwise)."""
    if match := _DURATION.match(text.strip()):
        return now - timedelta(**{_UNITS[match.group(2)]: int(match.group(1))})
    try:
        moment = datetime.fromisoformat(text.strip())
    except ValueError:
        raise BadInputError(
            f"--since {text!r} is neither a duration (30s, 10m, 2h, 1d) nor an ISO time (2026-01-31T09:00)"
        ) from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def epoch_ms(moment: datetime) -> int:
    return int(moment.timestamp() * 1000)


def log_line(event: dict[str, Any], *, raw: bool = False) -> str:
    """One event as a line: the message as written (``raw``), or its fields laid out, prefixed by its task."""
    message = event.get("message", "").rstrip("\n")
    if raw:
        return message
    task = event.get("logStreamName", "").rsplit("/", 1)[-1][:8]
    return f"{task} {readable(message, timestamp_ms=event.get('timestamp', 0))}"


def readable(message: str, *, timestamp_ms: int) -> str:
    try:
        record = json.loads(message)
    except ValueError:
        record = None
    if not isinstance(record, dict) or TIME_KEY not in record:
        when = datetime.fromtimestamp(timestamp_ms / 1000, UTC).strftime("%Y-%m-%d %H:%M:%S,%f")[:-3]
        return f"{when} {message}"
    head = f"{record[TIME_KEY]} {record.get(LEVEL_KEY, '?'):<7}"
    if record.get("message") == MESSAGE and "path" in record:
        duration = record.get("duration_ms")
        took = f" {duration} ms" if duration is not None else ""
        return f"{head} {record.get('method', '?')} {record['path']} {record.get('status', '?')}{took}"
    text = f"{head} {record.get(LOGGER_KEY, '?')}: {record.get('message', '')}"
    if exc := record.get("exc_info"):
        text += "\n" + "\n".join(f"    {line}" for line in str(exc).splitlines())
    return text


def log_events(
    logs: LogEventsGateway, *, group: str, start: datetime, pattern: str | None = None
) -> Iterator[dict[str, Any]]:
    """Every event of the group since ``start``, across its streams and pages."""
    yield from logs.events(group=group, start_ms=epoch_ms(start), pattern=pattern)


def log_events_follow(
    logs: LogEventsGateway,
    *,
    group: str,
    start: datetime,
    pattern: str | None,
    poll_interval: float,
    emit: Callable[[dict[str, Any]], None],
    sleep: Callable[[float], None] = time.sleep,
) -> None:
    """Emit each event once, oldest page first, polling until interrupted.

    Each poll re-reads from ``FOLLOW_LOOKBACK`` before the newest event seen, so late events are not lost;
    the ids remembered are only those inside that window, so memory stays bounded however long it runs.
    """
    window_start = epoch_ms(start)
    seen: dict[str, int] = {}
    lookback = int(FOLLOW_LOOKBACK.total_seconds() * 1000)
    while True:
        newest = window_start
        for event in logs.events(group=group, start_ms=window_start, pattern=pattern):
            if event["eventId"] in seen:
                continue
            seen[event["eventId"]] = event["timestamp"]
            newest = max(newest, event["timestamp"])
            emit(event)
        window_start = max(window_start, newest - lookback)
        seen = {event_id: at for event_id, at in seen.items() if at >= window_start}
        sleep(poll_interval)
