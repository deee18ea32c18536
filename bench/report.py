"""Benchmark results as a Markdown table and a chart; pure functions of a ``Results`` object."""

from dataclasses import dataclass, field
from pathlib import Path

from bench.load import LoadResult

# The product's targets beside the stock DRF peer, for the endpoints measured at a rate (GET and POST
# /messages): at least this multiple of the peer's peak throughput, and at half the peer's peak rate a
# p99 no worse than the peer's.
THROUGHPUT_TARGET = 1.5


@dataclass
class Comparison:
    endpoint: str
    app: LoadResult
    anchor: LoadResult
    stock: LoadResult
    # At a fixed rate (half the stock peer's peak), for the endpoints with targets.
    rate: float | None = None
    app_rated: LoadResult | None = None
    anchor_rated: LoadResult | None = None
    stock_rated: LoadResult | None = None

    @property
    def ratio(self) -> float:
        """The product's peak throughput as a share of Go's."""
        return self.app.rps / self.anchor.rps

    @property
    def vs_stock(self) -> float:
        """The product's peak throughput as a multiple of the stock peer's."""
        return self.app.rps / self.stock.rps


@dataclass(frozen=True)
class Target:
    name: str
    figure: str
    met: bool


@dataclass
class PageLatency:
    rows: int
    first: LoadResult
    deep: LoadResult
    anchor_first: LoadResult

    @property
    def deep_to_first(self) -> float:
        return self.deep.p50_ms / self.first.p50_ms


@dataclass
class Results:
    app_startup_s: float
    anchor_startup_s: float
    idle_rss_mb: float
    stock_startup_s: float = 0.0
    loaded_rss_mb: float = 0.0
    comparisons: list[Comparison] = field(default_factory=list)
    pages: list[PageLatency] = field(default_factory=list)
    machine: str = ""
    repeats: int = 1


def targets(results: Results) -> list[Target]:
    """Each target of each endpoint measured at a rate, with the figure that meets it or not."""
    found = []
    for c in results.comparisons:
        if not (c.app_rated and c.stock_rated):
            continue
        found.append(
            Target(
                f"{c.endpoint}: peak throughput at least {THROUGHPUT_TARGET:g}x the stock peer's",
                f"{c.vs_stock:.2f}x",
                c.vs_stock >= THROUGHPUT_TARGET,
            )
        )
        found.append(
            Target(
                f"{c.endpoint}: p99 at half the stock peer's peak no worse than the peer's",
                f"{c.app_rated.p99_ms:.1f} vs {c.stock_rated.p99_ms:.1f} ms",
                c.app_rated.p99_ms <= c.stock_rated.p99_ms,
            )
        )
    return found


def render_markdown(results: Results) -> str:
    lines = [
        "# Benchmark: the product beside the stock DRF peer and the seed's Go stack",
        "",
        f"Same machine, same PostgreSQL, same data, one run ({results.machine}). The product as a task serves",
        "it; the stock peer is the same API written by the book (DRF generics, gunicorn 2 x 4, no post limit);",
        "Go is the seed's stack. Peak load: wrk, 2 threads, 32 connections. At a rate: wrk, 32 connections,",
        "requests sent at random moments (a Poisson process, bench/paced.lua) at half the stock peer's peak",
        "rate; the rate each server served is shown.",
        (
            f"Each figure is the median of {results.repeats} runs, the servers taken in turn (the at-rate "
            "rows: the run with the median p99)."
            if results.repeats > 1
            else "Each figure is from a single run."
        ),
        "",
        "| endpoint | product req/s | stock req/s | Go req/s | x stock | share of Go "
        "| product p50 / p99 ms | stock p50 / p99 ms | Go p50 / p99 ms | errors |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for c in results.comparisons:
        lines.append(
            f"| {c.endpoint} | {c.app.rps:,.0f} | {c.stock.rps:,.0f} | {c.anchor.rps:,.0f} | {c.vs_stock:.2f}x | "
            f"{c.ratio:.0%} | {_latency(c.app)} | {_latency(c.stock)} | {_latency(c.anchor)} | "
            f"{c.app.errors} / {c.stock.errors} / {c.anchor.errors} |"
        )
    lines += [
        "",
        "| at half the stock peer's peak | rate asked | product req/s | product p50 / p99 ms | stock req/s "
        "| stock p50 / p99 ms | Go req/s | Go p50 / p99 ms | errors |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for c in results.comparisons:
        if c.app_rated and c.stock_rated and c.anchor_rated:
            lines.append(
                f"| {c.endpoint} | {c.rate:,.0f} | {c.app_rated.rps:,.0f} | {_latency(c.app_rated)} | "
                f"{c.stock_rated.rps:,.0f} | {_latency(c.stock_rated)} | {c.anchor_rated.rps:,.0f} | "
                f"{_latency(c.anchor_rated)} | {c.app_rated.errors} / {c.stock_rated.errors} / "
                f"{c.anchor_rated.errors} |"
            )
    lines += ["", "| target | figure | |", "|---|---:|---|"]
    lines += [f"| {t.name} | {t.figure} | {'met' if t.met else 'not met'} |" for t in targets(results)]
    lines += [
        "",
        "| rows (one request at a time) | first page p50 / p99 ms | deep page p50 / p99 ms | deep ÷ first (p50) "
        "| Go first page p50 / p99 ms |",
        "|---:|---:|---:|---:|---:|",
    ]
    for p in results.pages:
        lines.append(
            f"| {p.rows:,} | {p.first.p50_ms:.1f} / {p.first.p99_ms:.1f} | {p.deep.p50_ms:.1f} / {p.deep.p99_ms:.1f} | "
            f"{p.deep_to_first:.2f}x | {p.anchor_first.p50_ms:.1f} / {p.anchor_first.p99_ms:.1f} |"
        )
    lines += [
        "",
        "| process | figure |",
        "|---|---:|",
        f"| gunicorn process tree RSS, idle | {results.idle_rss_mb:.0f} MiB |",
        f"| gunicorn process tree RSS, under load (peak) | {results.loaded_rss_mb:.0f} MiB |",
        f"| product: start to first 200 on /health | {results.app_startup_s:.2f} s |",
        f"| stock peer: start to first 200 on /health | {results.stock_startup_s:.2f} s |",
        f"| Go: start to first 200 on /health | {results.anchor_startup_s:.2f} s |",
        "",
    ]
    return "\n".join(lines)


def _latency(result: LoadResult) -> str:
    return f"{result.p50_ms:.1f} / {result.p99_ms:.1f}"


def render_chart(results: Results, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    names = [c.endpoint.replace(" (page of 50)", "") for c in results.comparisons]
    positions = range(len(names))
    figure, (throughput, latency) = plt.subplots(1, 2, figsize=(12, 4.5))
    width = 0.27
    servers = [
        ("product (Django)", [c.app.rps for c in results.comparisons]),
        ("stock DRF peer", [c.stock.rps for c in results.comparisons]),
        ("Go anchor", [c.anchor.rps for c in results.comparisons]),
    ]
    for offset, (label, values) in zip((-width, 0, width), servers, strict=True):
        throughput.bar([x + offset for x in positions], values, width, label=label)
    for x, c in zip(positions, results.comparisons, strict=True):
        throughput.annotate(f"{c.vs_stock:.2f}x", (x - width, c.app.rps), ha="center", va="bottom", fontsize=9)
    throughput.set_xticks(list(positions), names)
    throughput.set_ylabel("requests per second (peak)")
    throughput.set_title("Throughput, same machine and database (product x stock)")
    throughput.legend()

    labels = [f"{p.rows:,} rows" for p in results.pages]
    page_positions = range(len(labels))
    bar = 0.38
    latency.bar([x - bar / 2 for x in page_positions], [p.first.p50_ms for p in results.pages], bar, label="first page")
    latency.bar([x + bar / 2 for x in page_positions], [p.deep.p50_ms for p in results.pages], bar, label="deep page")
    latency.set_xticks(list(page_positions), labels)
    latency.set_ylabel("p50 latency, one request at a time (ms)")
    latency.set_title("GET /messages: first vs deep cursor page")
    # Headroom above the bars, so the legend never covers one.
    latency.margins(y=0.25)
    latency.legend(loc="upper center", ncols=2)
    figure.tight_layout()
    figure.savefig(path, dpi=110)
    plt.close(figure)
