"""Load generation with Debian's wrk (peak throughput) and hey (latency at a fixed rate)."""

import json
import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

WRK_SCRIPT = Path(__file__).with_name("wrk.lua")
THREADS = 2
CONNECTIONS = 32


@dataclass(frozen=True)
class LoadResult:
    rps: float
    p50_ms: float
    p99_ms: float
    errors: int


def ensure_tools() -> None:
    missing = [tool for tool in ("wrk", "hey") if shutil.which(tool) is None]
    if missing:
        subprocess.run(["apt-get", "install", "-y", "-qq", *missing], check=True, capture_output=True)


def peak(url: str, *, seconds: float, post: bool = False, connections: int = CONNECTIONS) -> LoadResult:
    """Closed-loop load from ``connections`` connections: with 32, the most the server can do; with 1,
    one request at a time, the latency of the request itself without queueing."""
    threads = min(THREADS, connections)
    command = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{seconds:g}s", "-s", str(WRK_SCRIPT), url]
    if post:
        command += ["--", "post"]
    output = subprocess.run(command, check=True, capture_output=True, text=True).stdout
    summary = json.loads(output.strip().splitlines()[-1])
    return LoadResult(
        rps=summary["requests"] / (summary["duration_us"] / 1e6),
        p50_ms=summary["p50_us"] / 1000,
        p99_ms=summary["p99_us"] / 1000,
        errors=summary["errors"],
    )


def at_rate(url: str, *, rps: float, seconds: float, post: bool = False) -> LoadResult:
    """Open-loop load at a fixed request rate spread over 32 connections: latency when not saturated."""
    per_connection = max(rps / CONNECTIONS, 0.1)
    command = ["hey", "-z", f"{seconds}s", "-c", str(CONNECTIONS), "-q", f"{per_connection:.2f}"]
    if post:
        command += [
            "-m",
            "POST",
            "-T",
            "application/json",
            "-d",
            '{"sender":"bench","content":"Hello at a fixed rate"}',
        ]
    output = subprocess.run([*command, url], check=True, capture_output=True, text=True).stdout
    return parse_hey(output)


def parse_hey(output: str) -> LoadResult:
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))
    percentiles = {int(p): float(s) * 1000 for p, s in re.findall(r"(\d+)% in ([\d.]+) secs", output)}
    codes = {int(code): int(count) for code, count in re.findall(r"\[(\d{3})\]\s+(\d+) responses", output)}
    errors = sum(count for code, count in codes.items() if code >= 400)
    _, _, failures = output.partition("Error distribution:")
    errors += sum(int(count) for count in re.findall(r"\[(\d+)\]", failures))
    return LoadResult(rps=rps, p50_ms=percentiles[50], p99_ms=percentiles[99], errors=errors)
