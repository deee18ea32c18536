"""CPU instructions per request in a gunicorn worker, counted by callgrind: ``python -m bench.instructions``.

Wall-clock figures on a shared machine move from one run to the next; instruction counts barely do, so
a change of a few percent shows (docs/performance.md says how closely counts repeat). The product
runs as the benchmark runs it (``gunicorn.conf.py``, production settings, PostgreSQL) but with one
worker, under valgrind. Each endpoint is warmed, then the worker's count is zeroed and read back around
N requests sent one at a time on one keep-alive connection. The count covers everything the worker
executes: the app, DRF, Django, gunicorn, the database driver; not PostgreSQL's own work, which is
shown beside it as the CPU time the app's database server processes spent per request (Linux's
per-process scheduler statistics, in nanoseconds; requests one at a time, so no queueing is in it).
The same requests are then counted through the WSGI application alone, in one process with no server
(``bench.wsgi_calls``), which splits each count into the app's share and the server's.
"""

import argparse
import contextlib
import http.client
import json
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass
from pathlib import Path

import psutil
import psycopg

from bench import database, servers

ROWS = 1_000
ENDPOINTS = (
    ("GET /messages (page of 50)", "GET", "/messages"),
    ("GET /messages (deep cursor page)", "GET", database.deep_page_path(ROWS)),
    ("POST /messages", "POST", "/messages"),
    ("GET /health", "GET", "/health"),
)
POST_BODY = json.dumps({"sender": "bench", "content": "hello from the benchmark"})
WARM_UP_REQUESTS = 200
# Python under valgrind starts many times slower than without it.
STARTUP_TIMEOUT_S = 600
# One string hash seed for both counts: hashing decides how sets and dicts lay out, and so how many
# instructions a lookup takes; the same seed keeps a count repeatable and the app's share comparable
# with the worker's.
COUNTED_ENV = {"PYTHONHASHSEED": "0"}
# The whole in-process count under valgrind: start-up and every endpoint's calls (about a minute and a half).
IN_PROCESS_TIMEOUT_S = 600


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=500, help="requests counted per endpoint")
    parser.add_argument("--postgres", default="postgres://postgres@127.0.0.1:5432", help="server URL, no database")
    options = parser.parse_args()
    ensure_valgrind()
    url = database.recreate(options.postgres, "bench_instructions")
    database.seed(url, rows=ROWS, anchor=False)
    counts = count(url, requests=options.requests)
    app_counts = count_app(url, requests=options.requests)
    print(
        f"| request ({ROWS:,} rows, {options.requests} requests each) | instructions per request "
        "| of which the app | of which the server | database CPU |"
    )
    print("|---|---:|---:|---:|---:|")
    for name, counted in counts.items():
        app = app_counts[name]
        print(
            f"| {name} | {counted.instructions / 1e6:.2f} M | {app / 1e6:.2f} M "
            f"| {(counted.instructions - app) / 1e6:.2f} M | {counted.database_cpu_us:.0f} µs |"
        )


def ensure_valgrind() -> None:
    if shutil.which("callgrind_control") is None:
        subprocess.run(["apt-get", "install", "-y", "-qq", "valgrind"], check=True, capture_output=True)


@dataclass(frozen=True)
class Counted:
    """One endpoint's cost per request: the worker's instructions and the database server's CPU time."""

    instructions: float
    database_cpu_us: float


def count(database_url: str, *, requests: int, warm_up: int = WARM_UP_REQUESTS) -> dict[str, Counted]:
    """The cost per request of each of ``ENDPOINTS``, measured after ``warm_up`` requests."""
    counts = {}
    with tempfile.TemporaryDirectory() as out, _worker_under_callgrind(database_url, Path(out)) as worker:
        for name, method, path in ENDPOINTS:
            with closing(http.client.HTTPConnection("127.0.0.1", servers.APP_PORT, timeout=120)) as connection:
                _send(connection, method, path, warm_up)
                backends = _database_backends(database_url)
                database_ns = _cpu_ns(backends)
                _callgrind_control("--zero", worker)
                _send(connection, method, path, requests)
                instructions = _dump(Path(out), worker) / requests
                database_us = (_cpu_ns(backends) - database_ns) / requests / 1000
                counts[name] = Counted(instructions=instructions, database_cpu_us=database_us)
    return counts


def count_app(database_url: str, *, requests: int, warm_up: int = WARM_UP_REQUESTS) -> dict[str, float]:
    """The app's own instructions per request of each of ``ENDPOINTS``: the same requests as ``count``'s,
    called through the WSGI application in one process under callgrind, no server in front
    (``bench.wsgi_calls``). What ``count`` finds beyond this is gunicorn's: its HTTP handling, its poller
    and the hand-over of each request to a pool thread and back."""
    with tempfile.TemporaryDirectory() as out:
        command = [
            "valgrind",
            "--tool=callgrind",
            f"--callgrind-out-file={out}/callgrind.%p",
            sys.executable,
            "-m",
            "bench.wsgi_calls",
            f"--requests={requests}",
            f"--warm-up={warm_up}",
        ]
        env = servers.app_environment(database_url) | COUNTED_ENV
        finished = subprocess.run(
            command, cwd=servers.ROOT, env=env, capture_output=True, text=True, timeout=IN_PROCESS_TIMEOUT_S
        )
        if finished.returncode != 0:
            raise RuntimeError(f"bench.wsgi_calls failed under callgrind:\n{finished.stderr[-2000:]}")
        # Dump N of the one process holds the calls of endpoint N (its count was zeroed just before them).
        return {
            name: _totals(next(Path(out).glob(f"callgrind.*.{number}"))) / requests
            for number, (name, _, _) in enumerate(ENDPOINTS, start=1)
        }


def post_client(n: int) -> str:
    """The client address of post number ``n``: each post from another client, as in bench/wrk.lua, so
    none reaches the per-client post limit."""
    return f"10.1.{n // 256 % 256}.{n % 256}"


def _database_backends(database_url: str) -> list[int]:
    """The pids of the server processes serving connections to the database: the worker's are the only ones."""
    with psycopg.connect(database_url, autocommit=True) as connection:
        rows = connection.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()"
        ).fetchall()
    return [pid for (pid,) in rows]


def _cpu_ns(pids: list[int]) -> int:
    """Nanoseconds the processes have run on a CPU (/proc/PID/schedstat: finer than psutil's clock ticks)."""
    total = 0
    for pid in pids:
        with contextlib.suppress(FileNotFoundError):
            total += int(Path(f"/proc/{pid}/schedstat").read_text().split()[0])
    return total


@contextmanager
def _worker_under_callgrind(database_url: str, out: Path) -> Iterator[int]:
    """gunicorn with one worker under callgrind; yields the worker's pid."""
    valgrind = ["valgrind", "--tool=callgrind", "--trace-children=yes", f"--callgrind-out-file={out}/callgrind.%p"]
    server = servers.start_app(
        database_url,
        out / "server.log",
        {"GUNICORN_WORKERS": "1", **COUNTED_ENV},
        wrapper=valgrind,
        startup_timeout=STARTUP_TIMEOUT_S,
        # The worker's own count: nothing in front of it.
        proxied=False,
    )
    try:
        yield psutil.Process(server.process.pid).children()[0].pid
    finally:
        server.stop()


def _send(connection: http.client.HTTPConnection, method: str, path: str, requests: int) -> None:
    for n in range(requests):
        if method == "POST":
            headers = {"Content-Type": "application/json", "X-Forwarded-For": post_client(n)}
            connection.request(method, path, POST_BODY, headers)
        else:
            connection.request(method, path)
        response = connection.getresponse()
        response.read()
        if response.status >= 300:
            raise RuntimeError(f"{method} {path} answered {response.status}")


def _callgrind_control(option: str, pid: int) -> None:
    subprocess.run(["callgrind_control", option, str(pid)], check=True, capture_output=True, timeout=120)


def _dump(out: Path, pid: int) -> int:
    """Have the worker write its counts since the last zeroing; return their total."""
    before = set(out.glob(f"callgrind.{pid}.*"))
    _callgrind_control("--dump", pid)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        for path in set(out.glob(f"callgrind.{pid}.*")) - before:
            with contextlib.suppress(ValueError):
                return _totals(path)
        time.sleep(0.2)
    raise RuntimeError(f"callgrind wrote no counts for worker {pid}")


def _totals(path: Path) -> int:
    """The instructions a callgrind dump counted; ValueError while the file is still being written."""
    for line in path.read_text().splitlines():
        if line.startswith(("totals:", "summary:")):
            return int(line.split()[1])
    raise ValueError(f"no totals in {path} yet")


if __name__ == "__main__":
    main()
