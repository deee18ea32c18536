"""Benchmark results as a Markdown table and a chart; pure functions of a ``Results`` object."""

from dataclasses import dataclass, field
from pathlib import Path

from bench.load import LoadResult


@dataclass
class Comparison:
    endpoint: str
    app: LoadResult
    anchor: LoadResult
    app_rated: LoadResult | None = None
    anchor_rated: LoadResult | None = None

    @property
    def ratio(self) -> float:
        return self.app.rps / self.anchor.rps


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
    loaded_rss_mb: float = 0.0
    comparisons: list[Comparison] = field(default_factory=list)
    pages: list[PageLatency] = field(default_factory=list)
    machine: str = ""
    repeats: int = 1


def render_markdown(results: Results) -> str:
    lines = [
        "# Benchmark: the product beside the seed's Go stack",
        "",
        f"Same machine, same PostgreSQL, same data, one run ({results.machine}). Peak load: wrk, 2 threads,",
        "32 connections. At a rate: wrk, 32 connections, requests sent at random moments (a Poisson process,",
        "bench/paced.lua) at half the product's peak rate; the rate each server served is shown.",
        (
            f"Each figure is the median of {results.repeats} runs, the product's and Go's taken in turn (the "
            "at-rate rows: the run with the median p99)."
            if results.repeats > 1
            else "Each figure is from a single run."
        ),
        "",
        "| endpoint | product req/s | Go req/s | ratio | product p50 / p99 ms | Go p50 / p99 ms | errors |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for c in results.comparisons:
        lines.append(
            f"| {c.endpoint} | {c.app.rps:,.0f} | {c.anchor.rps:,.0f} | {c.ratio:.0%} | "
            f"{c.app.p50_ms:.1f} / {c.app.p99_ms:.1f} | {c.anchor.p50_ms:.1f} / {c.anchor.p99_ms:.1f} | "
            f"{c.app.errors} / {c.anchor.errors} |"
        )
    lines += [
        "",
        "| at half the product's peak | product req/s | product p50 / p99 ms | Go req/s | Go p50 / p99 ms | errors |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for c in results.comparisons:
        if c.app_rated and c.anchor_rated:
            lines.append(
                f"| {c.endpoint} | {c.app_rated.rps:,.0f} | {c.app_rated.p50_ms:.1f} / {c.app_rated.p99_ms:.1f} | "
                f"{c.anchor_rated.rps:,.0f} | {c.anchor_rated.p50_ms:.1f} / {c.anchor_rated.p99_ms:.1f} | "
                f"{c.app_rated.errors} / {c.anchor_rated.errors} |"
            )
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
        f"| Go: start to first 200 on /health | {results.anchor_startup_s:.2f} s |",
        "",
    ]
    return "\n".join(lines)


def render_chart(results: Results, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    names = [c.endpoint.replace(" (page of 50)", "") for c in results.comparisons]
    positions = range(len(names))
    figure, (throughput, latency) = plt.subplots(1, 2, figsize=(12, 4.5))
    width = 0.38
    throughput.bar(
        [x - width / 2 for x in positions], [c.app.rps for c in results.comparisons], width, label="product (Django)"
    )
    throughput.bar(
        [x + width / 2 for x in positions], [c.anchor.rps for c in results.comparisons], width, label="Go anchor"
    )
    for x, c in zip(positions, results.comparisons, strict=True):
        throughput.annotate(f"{c.ratio:.0%}", (x - width / 2, c.app.rps), ha="center", va="bottom", fontsize=9)
    throughput.set_xticks(list(positions), names)
    throughput.set_ylabel("requests per second (peak)")
    throughput.set_title("Throughput, same machine and database")
    throughput.legend()

    labels = [f"{p.rows:,} rows" for p in results.pages]
    page_positions = range(len(labels))
    latency.bar(
        [x - width / 2 for x in page_positions], [p.first.p50_ms for p in results.pages], width, label="first page"
    )
    latency.bar(
        [x + width / 2 for x in page_positions], [p.deep.p50_ms for p in results.pages], width, label="deep page"
    )
    latency.set_xticks(list(page_positions), labels)
    latency.set_ylabel("p50 latency, one request at a time (ms)")
    latency.set_title("GET /messages: first vs deep cursor page")
    # Headroom above the bars, so the legend never covers one.
    latency.margins(y=0.25)
    latency.legend(loc="upper center", ncols=2)
    figure.tight_layout()
    figure.savefig(path, dpi=110)
    plt.close(figure)
