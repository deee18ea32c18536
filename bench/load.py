"""Load generation with Debian's wrk: peak throughput, and latency at a moderate rate."""

import json
import math
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

WRK_SCRIPT = Path(__file__).with_name("wrk.lua")
PACED_SCRIPT = Path(__file__).with_name("paced.lua")
THREADS = 2
CONNECTIONS = 32


@dataclass(frozen=True)
class LoadResult:
    rps: float
    p50_ms: float
    p99_ms: float
    errors: int


def ensure_tools() -> None:
    if shutil.which("wrk") is None:
        subprocess.run(["apt-get", "install", "-y", "-qq", "wrk"], check=True, capture_output=True)


def peak(url: str, *, seconds: float, post: bool = False, connections: int = CONNECTIONS) -> LoadResult:
    """Closed-loop load from ``connections`` connections: with 32, the most the server can do; with 1,
    one request at a time, the latency of the request itself without queueing."""
    return _wrk(url, seconds=seconds, post=post, connections=connections, script=WRK_SCRIPT)


def at_rate(url: str, *, rps: float, seconds: float, post: bool = False) -> LoadResult:
    """``rps`` requests a second at random moments (a Poisson process, bench/paced.lua) over 32 connections:
    requests arrive independently, as from many clients, at a rate that holds whatever the response
    times are. The latency of a server that is busy, not full."""
    mean_gap_ms = 1000 * THREADS / rps
    return _wrk(url, seconds=seconds, post=post, script=PACED_SCRIPT, mean_gap_ms=mean_gap_ms)


def _wrk(
    url: str,
    *,
    seconds: float,
    post: bool,
    script: Path,
    connections: int = CONNECTIONS,
    mean_gap_ms: float | None = None,
) -> LoadResult:
    threads = min(THREADS, connections)
    # wrk takes whole seconds only ("-d2.5s" is a usage error).
    command = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{math.ceil(seconds)}s", "-s", str(script), url]
    command += ["--", "post" if post else "get"]
    if mean_gap_ms is not None:
        command.append(f"{mean_gap_ms:.3f}")
    run = subprocess.run(command, check=False, capture_output=True, text=True)
    if run.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} exited with {run.returncode}: {run.stdout}{run.stderr}")
    summary = json.loads(run.stdout.strip().splitlines()[-1])
    return LoadResult(
        rps=summary["requests"] / (summary["duration_us"] / 1e6),
        p50_ms=summary["p50_us"] / 1000,
        p99_ms=summary["p99_us"] / 1000,
        errors=summary["errors"],
    )
