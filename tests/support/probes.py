"""A health prober: ``GET /health`` on a fresh connection at a steady pace, as the ALB and ECS check a task.

Each probe opens its own connection, so a probe measures what a new client meets (the accept, a free
thread), not a kept-alive connection pinned to one worker.

    with HealthProber(server.port, interval=1.0) as prober:
        ...fault...
    assert prober.failures(within=1.0) == []
"""

from __future__ import annotations

import http.client
import math
import threading
import time
from dataclasses import dataclass

from project.runtime import HEALTH_PATH


@dataclass(frozen=True)
class Probe:
    started: float
    seconds: float
    status: int | None  # None: no answer (refused, reset or timed out)
    error: str = ""


def percentile(values: list[float], fraction: float) -> float:
    """The nearest-rank percentile (``fraction`` 0.99 for p99) of a non-empty list."""
    ranked = sorted(values)
    return ranked[max(math.ceil(fraction * len(ranked)) - 1, 0)]


class HealthProber:
    """Probe ``path`` every ``interval`` seconds on a background thread while the context is open."""

    def __init__(self, port: int, *, interval: float = 1.0, timeout: float = 5.0, path: str = HEALTH_PATH) -> None:
        self.port = port
        self.interval = interval
        self.timeout = timeout
        self.path = path
        self.probes: list[Probe] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="health-prober", daemon=True)

    def __enter__(self) -> HealthProber:
        self._thread.start()
        return self

    def __exit__(self, *exc_info) -> None:
        self._stop.set()
        self._thread.join(self.timeout + self.interval + 1)

    def latencies(self) -> list[float]:
        return [probe.seconds for probe in self.probes]

    def failures(self, *, within: float) -> list[Probe]:
        """Probes that did not answer 200 within ``within`` seconds."""
        return [probe for probe in self.probes if probe.status != 200 or probe.seconds >= within]

    def describe_failures(self, *, within: float, origin: float) -> str:
        """The failures, one a line, timed from ``origin`` (the fault's start), for an assertion message."""
        return "\n".join(
            f"probe at {probe.started - origin:+.2f} s: {probe.status or probe.error} after {probe.seconds:.2f} s"
            for probe in self.failures(within=within)
        )

    def summary(self) -> str:
        latencies = self.latencies()
        if not latencies:
            return "no probes"
        statuses = sorted({probe.status for probe in self.probes}, key=str)
        return (
            f"{len(latencies)} probes, max {max(latencies) * 1000:.0f} ms, "
            f"p99 {percentile(latencies, 0.99) * 1000:.0f} ms, statuses {statuses}"
        )

    def _run(self) -> None:
        # Paced from a fixed start, so a slow probe delays the next one but the rate does not drift.
        start = time.monotonic()
        beat = 0
        while not self._stop.is_set():
            self.probes.append(self._probe())
            beat += 1
            self._stop.wait(max(start + beat * self.interval - time.monotonic(), 0))

    def _probe(self) -> Probe:
        started = time.monotonic()
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=self.timeout)
        try:
            connection.request("GET", self.path)
            response = connection.getresponse()
            response.read()
            status = response.status
        except (OSError, http.client.HTTPException) as exc:
            return Probe(started, time.monotonic() - started, None, type(exc).__name__)
        finally:
            connection.close()
        return Probe(started, time.monotonic() - started, status)
