"""What each guarantee of the product costs a post: ``python -m bench.post_costs [--rounds N] [--smoke]``.

The product is started as a task serves it and again with one guarantee taken away at a time (the
service-wide post limit, the request log, the proxy in front of gunicorn), and with all three taken
away, beside the stock DRF peer. Every server gets a flat-out ``POST /messages`` run in turn, round after
round, so a slow spell of a shared machine lands on all of them alike; each is reported by its median
round, as a multiple of the stock peer's, with the CPU its own processes and the benchmark database's
PostgreSQL backends spent per post.
Prints a Markdown table (docs/performance.md).
"""

import argparse
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

import psutil
import psycopg

from bench import database, load, servers
from bench.__main__ import DEFAULT_STOCK

STOCK = "the stock DRF peer"
LIMIT_OFF = {"MESSAGES_POST_RATE": ""}
# The request log is written at INFO (project.request_log); WARNING leaves it unwritten.
LOG_OFF = {"LOG_LEVEL": "WARNING"}


@dataclass(frozen=True)
class Variant:
    name: str
    env: dict[str, str] = field(default_factory=dict)
    proxied: bool = True


VARIANTS = (
    Variant("the product as a task serves it"),
    Variant("post limit off", LIMIT_OFF),
    Variant("request log off", LOG_OFF),
    Variant("proxy out: gunicorn alone", proxied=False),
    Variant("all three off", LIMIT_OFF | LOG_OFF, proxied=False),
)


@dataclass
class Round:
    rps: float
    server_ms: float
    # None when PostgreSQL's processes are not on this host (nothing of them to read).
    database_ms: float | None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=7, help="runs of every server, taken in turn")
    parser.add_argument("--seconds", type=int, default=5, help="length of each run (wrk takes whole seconds)")
    parser.add_argument("--smoke", action="store_true", help="one one-second round")
    parser.add_argument("--stock", type=Path, default=DEFAULT_STOCK, help="the stock DRF peer's directory")
    parser.add_argument("--postgres", default="postgres://postgres@127.0.0.1:5432", help="server URL, no database")
    parser.add_argument("--database", default="bench_post_costs", help="database to (re)create for the run")
    parser.add_argument(
        "--log", type=Path, default=servers.ROOT / "bench" / "results" / "post_costs.log", help="the servers' output"
    )
    options = parser.parse_args()
    rounds, seconds = (1, 1) if options.smoke else (options.rounds, options.seconds)

    load.ensure_tools()
    log = options.log
    log.parent.mkdir(parents=True, exist_ok=True)
    log.unlink(missing_ok=True)
    url = database.recreate(options.postgres, options.database)
    database.seed(url, rows=1_000, anchor=False)
    started: dict[str, servers.Server] = {}
    try:
        for variant in VARIANTS:
            started[variant.name] = servers.start_app(
                url, log, variant.env, port=servers.free_port(), proxied=variant.proxied
            )
        started[STOCK] = servers.start_stock(options.stock, url, log, port=servers.free_port())
        measured = measure(started, url, rounds=rounds, seconds=seconds, progress=print)
    finally:
        for server in started.values():
            server.stop()
    print(render(measured, rounds=rounds, seconds=seconds))


def measure(
    started: dict[str, servers.Server],
    database_url: str,
    *,
    rounds: int,
    seconds: int,
    progress: Callable[[str], None],
) -> dict[str, list[Round]]:
    for server in started.values():  # warm each: connections opened, code paths loaded
        load.peak(server.base_url + "/messages", seconds=1, post=True)
    measured: dict[str, list[Round]] = {name: [] for name in started}
    for number in range(1, rounds + 1):
        for name, server in started.items():
            backends_before = _backends(database_url)
            own_before, postgres_before = _cpu_seconds(_processes_of(server)), _cpu_seconds(backends_before)
            result = load.peak(server.base_url + "/messages", seconds=seconds, post=True)
            if result.errors:
                raise RuntimeError(f"{name} answered {result.errors} posts with an error; see the servers' log")
            posts = result.rps * seconds
            measured[name].append(
                Round(
                    rps=result.rps,
                    server_ms=_spent(_processes_of(server), own_before) / posts * 1000,
                    database_ms=(
                        _spent(_backends(database_url, also=backends_before), postgres_before) / posts * 1000
                        if postgres_before
                        else None
                    ),
                )
            )
            progress(f"round {number}/{rounds}: {name}: {result.rps:,.0f} posts/s")
    return measured


def render(measured: dict[str, list[Round]], *, rounds: int, seconds: int) -> str:
    stock = _median_round(measured[STOCK]).rps
    lines = [
        f"`POST /messages` flat out (wrk, 32 connections), {rounds} round(s) of {seconds:g} s, servers in turn; "
        "the median round of each, and the CPU per post of its own processes (gunicorn, and nginx when in "
        "front) and of the benchmark database's PostgreSQL backends.",
        "",
        "| server | posts/s (median) | x stock | rounds' range | its CPU per post | PostgreSQL CPU per post |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for name, runs in measured.items():
        median = _median_round(runs)
        low, high = min(r.rps for r in runs), max(r.rps for r in runs)
        database = "n/a" if median.database_ms is None else f"{median.database_ms:.2f} ms"
        lines.append(
            f"| {name} | {median.rps:,.0f} | {median.rps / stock:.2f}x | {low:,.0f}-{high:,.0f} "
            f"| {median.server_ms:.2f} ms | {database} |"
        )
    return "\n".join(lines)


def _median_round(runs: list[Round]) -> Round:
    """The round whose posts/s is the median (the upper of the two middle ones for an even count): one
    real round, whose CPU figures belong to it, chosen the same way for every server."""
    return sorted(runs, key=lambda r: r.rps)[len(runs) // 2]


def _processes_of(server: servers.Server) -> list[psutil.Process]:
    """The server's process tree, and the tree behind it (gunicorn behind the proxy)."""
    trees = []
    while server is not None:
        root = psutil.Process(server.process.pid)
        trees += [root, *root.children(recursive=True)]
        server = server.upstream
    return trees


def _backends(database_url: str, also: Iterable[psutil.Process] = ()) -> list[psutil.Process]:
    """The PostgreSQL backends connected to the benchmark's database now (plus ``also``), when they run on
    this host: the servers' connections, not other databases', autovacuum's or the checkpointer's work."""
    with psycopg.connect(database_url, autocommit=True) as connection:
        pids = {
            pid
            for (pid,) in connection.execute(
                "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )
        }
    processes = {process.pid: process for process in also}
    for pid in pids - processes.keys():
        try:
            processes[pid] = psutil.Process(pid)
        except (psutil.NoSuchProcess, psutil.AccessDenied):
            continue
    return list(processes.values())


def _cpu_seconds(processes: Iterable[psutil.Process]) -> dict[int, float]:
    spent = {}
    for process in processes:
        try:
            times = process.cpu_times()
        except (psutil.NoSuchProcess, psutil.AccessDenied):
            continue
        spent[process.pid] = times.user + times.system
    return spent


def _spent(processes: list[psutil.Process], before: dict[int, float]) -> float:
    """CPU seconds ``processes`` spent since ``before`` was read: one started since (a database connection
    opened during the run) began from nothing; one that ended since took its count with it."""
    after = _cpu_seconds(processes)
    return sum(seconds - before.get(pid, 0.0) for pid, seconds in after.items())


if __name__ == "__main__":
    main()
