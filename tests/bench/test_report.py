"""The benchmark's pure parts: rendering the report (no servers, no load)."""

from bench.load import LoadResult
from bench.report import Comparison, PageLatency, Results, render_chart, render_markdown, targets


def result(rps: float, p50: float = 1.0, p99: float = 5.0) -> LoadResult:
    return LoadResult(rps=rps, p50_ms=p50, p99_ms=p99, errors=0)


def sample_results() -> Results:
    comparison = Comparison(
        endpoint="GET /messages (page of 50)", app=result(1200), stock=result(700), anchor=result(4000)
    )
    comparison.rate = 350
    comparison.app_rated, comparison.stock_rated, comparison.anchor_rated = (
        result(349, 2, 9),
        result(348, 3, 12),
        result(350, 1, 3),
    )
    posts = Comparison(endpoint="POST /messages", app=result(800), stock=result(600), anchor=result(3000))
    posts.rate = 300
    posts.app_rated, posts.stock_rated, posts.anchor_rated = result(300, 4, 20), result(299, 3, 15), result(300)
    health = Comparison(endpoint="GET /health", app=result(2000), stock=result(1500), anchor=result(9000))
    return Results(
        app_startup_s=0.8,
        anchor_startup_s=0.02,
        idle_rss_mb=150,
        loaded_rss_mb=170,
        stock_startup_s=0.7,
        comparisons=[comparison, posts, health],
        pages=[PageLatency(rows=1_000_000, first=result(1000, 2.0), deep=result(990, 2.2), anchor_first=result(3000))],
        machine="test",
        repeats=3,
    )


def test_report_shows_each_figure_as_a_multiple_of_the_stock_peer_and_a_share_of_go():
    markdown = render_markdown(sample_results())

    assert "| GET /messages (page of 50) | 1,200 | 700 | 4,000 | 1.71x | 30% |" in markdown
    assert "| GET /health | 2,000 | 1,500 | 9,000 | 1.33x | 22% |" in markdown
    assert "median of 3 runs" in markdown
    assert (
        "| GET /messages (page of 50) | 350 | 349 | 2.0 / 9.0 | 348 | 3.0 / 12.0 | 350 | 1.0 / 3.0 | 0 / 0 / 0 |"
        in markdown
    )
    assert "| 1,000,000 | 2.0 / 5.0 | 2.2 / 5.0 | 1.10x |" in markdown
    assert "| gunicorn process tree RSS, under load (peak) | 170 MiB |" in markdown


def test_targets_are_judged_for_the_endpoints_measured_at_a_rate():
    judged = {target.name: (target.figure, target.met) for target in targets(sample_results())}

    assert judged == {
        "GET /messages (page of 50): peak throughput at least 1.5x the stock peer's": ("1.71x", True),
        "GET /messages (page of 50): p99 at half the stock peer's peak no worse than the peer's": (
            "9.0 vs 12.0 ms",
            True,
        ),
        "POST /messages: peak throughput at least 1.5x the stock peer's": ("1.33x", False),
        "POST /messages: p99 at half the stock peer's peak no worse than the peer's": ("20.0 vs 15.0 ms", False),
    }


def test_report_prints_each_target_as_met_or_not_met():
    markdown = render_markdown(sample_results())

    assert "| POST /messages: peak throughput at least 1.5x the stock peer's | 1.33x | not met |" in markdown
    assert "| GET /messages (page of 50): peak throughput at least 1.5x the stock peer's | 1.71x | met |" in markdown


def test_chart_is_a_png(tmp_path):
    path = tmp_path / "chart.png"

    render_chart(sample_results(), path)

    assert path.read_bytes().startswith(b"\x89PNG")
