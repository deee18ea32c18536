"""The benchmark's pure parts: rendering the report (no servers, no load)."""

from bench.load import LoadResult
from bench.report import Comparison, PageLatency, Results, render_chart, render_markdown


def result(rps: float, p50: float = 1.0, p99: float = 5.0) -> LoadResult:
    return LoadResult(rps=rps, p50_ms=p50, p99_ms=p99, errors=0)


def sample_results() -> Results:
    comparison = Comparison(endpoint="GET /messages (page of 50)", app=result(1200), anchor=result(4000))
    comparison.app_rated, comparison.anchor_rated = result(590, 2, 9), result(605, 1, 3)
    return Results(
        app_startup_s=0.8,
        anchor_startup_s=0.02,
        idle_rss_mb=150,
        loaded_rss_mb=170,
        comparisons=[comparison],
        pages=[PageLatency(rows=1_000_000, first=result(1000, 2.0), deep=result(990, 2.2), anchor_first=result(3000))],
        machine="test",
        repeats=3,
    )


def test_report_shows_ratios_to_the_anchor():
    markdown = render_markdown(sample_results())

    assert "| GET /messages (page of 50) | 1,200 | 4,000 | 30% |" in markdown
    assert "median of 3 runs" in markdown
    assert "| GET /messages (page of 50) | 590 | 2.0 / 9.0 | 605 | 1.0 / 3.0 | 0 / 0 |" in markdown
    assert "| 1,000,000 | 2.0 / 5.0 | 2.2 / 5.0 | 1.10x |" in markdown
    assert "| gunicorn process tree RSS, under load (peak) | 170 MiB |" in markdown


def test_chart_is_a_png(tmp_path):
    path = tmp_path / "chart.png"

    render_chart(sample_results(), path)

    assert path.read_bytes().startswith(b"\x89PNG")
