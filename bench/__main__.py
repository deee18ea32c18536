"""Run the benchmark: ``python -m bench [--seconds N] [--smoke]``; writes bench/results/RESULTS.md and chart.png."""

import argparse
import platform
import threading
import time
from collections.abc import Callable, Sequence
from contextlib import contextmanager
from functools import partial
from operator import attrgetter
from pathlib import Path

from bench import database, load, report, servers
from bench.load import LoadResult
from bench.report import Comparison, PageLatency, Results

ANCHORS = servers.ROOT.parent / "shared" / "anchors"
DEFAULT_ANCHOR = ANCHORS / "go-seed"
DEFAULT_STOCK = ANCHORS / "drf-stock"
# How runs are ranked for their median unless a measurement says otherwise.
throughput = attrgetter("rps")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=10, help="length of each load run")
    parser.add_argument("--repeats", type=int, default=3, help="runs of each measurement; the median is kept")
    parser.add_argument("--smoke", action="store_true", help="one-second runs and no million-row table")
    parser.add_argument("--anchor", type=Path, default=DEFAULT_ANCHOR, help="the Go anchor's directory")
    parser.add_argument("--stock", type=Path, default=DEFAULT_STOCK, help="the stock DRF peer's directory")
    parser.add_argument("--postgres", default="postgres://postgres@127.0.0.1:5432", help="server URL, no database")
    parser.add_argument("--database", default="bench", help="database to (re)create on that server for the run")
    parser.add_argument("--out", type=Path, default=servers.ROOT / "bench" / "results", help="where results go")
    options = parser.parse_args()
    seconds = 1 if options.smoke else options.seconds
    large_rows = 20_000 if options.smoke else 1_000_000
    repeats = 1 if options.smoke else options.repeats

    load.ensure_tools()
    options.out.mkdir(parents=True, exist_ok=True)
    log = options.out / "servers.log"
    log.unlink(missing_ok=True)
    url = database.recreate(options.postgres, options.database)
    started = []
    try:
        app = servers.start_app(url, log, port=servers.free_port())
        started.append(app)
        stock = servers.start_stock(options.stock, url, log, port=servers.free_port())
        started.append(stock)
        anchor = servers.start_anchor(options.anchor, url, log, port=servers.free_port())
        started.append(anchor)
        results = measure(app, stock, anchor, url, seconds=seconds, large_rows=large_rows, repeats=repeats)
    finally:
        for server in started:
            server.stop()
    results.machine = f"{platform.machine()}, {servers.psutil.cpu_count()} cores, Python {platform.python_version()}"
    (options.out / "RESULTS.md").write_text(report.render_markdown(results))
    report.render_chart(results, options.out / "chart.png")
    print(report.render_markdown(results))


def measure(
    app: servers.Server,
    stock: servers.Server,
    anchor: servers.Server,
    url: str,
    *,
    seconds: float,
    large_rows: int,
    repeats: int,
) -> Results:
    database.seed(url, rows=1_000, anchor=True)
    contenders = (app, stock, anchor)
    for target in contenders:  # warm each: connections opened, code paths loaded
        load.peak(target.base_url + "/messages", seconds=1)
    time.sleep(1)
    results = Results(
        repeats=repeats,
        app_startup_s=app.startup_seconds,
        stock_startup_s=stock.startup_seconds,
        anchor_startup_s=anchor.startup_seconds,
        idle_rss_mb=app.rss_mb(),
    )

    endpoints = [
        ("GET /messages (page of 50)", "/messages", False),
        ("POST /messages", "/messages", True),
        ("GET /health", "/health", False),
    ]
    for name, path, post in endpoints:
        with peak_memory(app) as sampled:
            app_peak, stock_peak, anchor_peak = interleaved(
                partial(load.peak, seconds=seconds, post=post), path, contenders, repeats=repeats
            )
        results.loaded_rss_mb = max(results.loaded_rss_mb, sampled())
        comparison = Comparison(endpoint=name, app=app_peak, stock=stock_peak, anchor=anchor_peak)
        if path == "/messages":
            # The targets' rate: a load the stock peer carries at half its peak, given to every server.
            comparison.rate = stock_peak.rps / 2
            comparison.app_rated, comparison.stock_rated, comparison.anchor_rated = interleaved(
                partial(load.at_rate, rps=comparison.rate, seconds=seconds, post=post),
                path,
                contenders,
                repeats=repeats,
                by=attrgetter("p99_ms"),
            )
        results.comparisons.append(comparison)

    for rows in (1_000, large_rows):
        database.seed(url, rows=rows, anchor=True)
        deep_path = database.deep_page_path(rows)
        page_seconds = max(seconds / 2, 1)
        first, deep, anchor_first = [], [], []
        for _ in range(repeats):
            first.append(load.peak(app.base_url + "/messages", seconds=page_seconds, connections=1))
            deep.append(load.peak(app.base_url + deep_path, seconds=page_seconds, connections=1))
            anchor_first.append(load.peak(anchor.base_url + "/messages", seconds=page_seconds, connections=1))
        results.pages.append(
            PageLatency(rows=rows, first=median(first), deep=median(deep), anchor_first=median(anchor_first))
        )
    return results


def interleaved(
    run: Callable[[str], LoadResult],
    path: str,
    contenders: Sequence[servers.Server],
    *,
    repeats: int,
    by: Callable[[LoadResult], float] = throughput,
) -> list[LoadResult]:
    """``run(url)`` on ``path`` of each server in turn, ``repeats`` times each; the median run of each, in
    the servers' order, ``by`` throughput unless told otherwise. Taking turns keeps a slow spell of a
    shared machine from landing on one server only."""
    runs: list[list[LoadResult]] = [[] for _ in contenders]
    for _ in range(repeats):
        for server, server_runs in zip(contenders, runs, strict=True):
            server_runs.append(run(server.base_url + path))
    return [median(server_runs, by) for server_runs in runs]


def median(runs: list[LoadResult], by: Callable[[LoadResult], float] = throughput) -> LoadResult:
    """The median run ``by`` the given figure (of an even number of runs, the upper middle one)."""
    return sorted(runs, key=by)[len(runs) // 2]


@contextmanager
def peak_memory(server: servers.Server, interval: float = 0.25):
    """Sample the server's process-tree RSS while the block runs; yields a function returning the peak."""
    samples: list[float] = []
    stop = threading.Event()

    def sample() -> None:
        while not stop.is_set():
            samples.append(server.rss_mb())
            stop.wait(interval)

    thread = threading.Thread(target=sample, daemon=True)
    thread.start()
    try:
        yield lambda: max(samples, default=0.0)
    finally:
        stop.set()
        thread.join()


if __name__ == "__main__":
    main()
