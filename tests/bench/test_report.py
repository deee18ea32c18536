"""The benchmark's pure parts: reading hey's output and rendering the report (no servers, no load)."""

from bench.load import LoadResult, parse_hey
from bench.report import Comparison, PageLatency, Results, render_chart, render_markdown

HEY_OUTPUT = """
Summary:
  Total:	10.0031 secs
  Requests/sec:	498.6512

Latency distribution:
  10% in 0.0011 secs
  50% in 0.0020 secs
  99% in 0.0123 secs

Status code distribution:
  [201]	4980 responses
  [503]	3 responses

Error distribution:
  [2]	Post "http://127.0.0.1:8091/messages": dial tcp: connection refused
"""


def result(rps: float, p50: float = 1.0, p99: float = 5.0) -> LoadResult:
    return LoadResult(rps=rps, p50_ms=p50, p99_ms=p99, errors=0)


def sample_results() -> Results:
    comparison = Comparison(endpoint="GET /messages (page of 50)", app=result(1200), anchor=result(4000))
    comparison.rated_rps, comparison.app_rated, comparison.anchor_rated = 600, result(600, 2, 9), result(600, 1, 3)
    return Results(
        app_startup_s=0.8,
        anchor_startup_s=0.02,
        idle_rss_mb=150,
        loaded_rss_mb=170,
        comparisons=[comparison],
        pages=[PageLatency(rows=1_000_000, first=result(1000, 2.0), deep=result(990, 2.2), anchor_first=result(3000))],
        machine="test",
    )


def test_hey_output_gives_rate_percentiles_and_every_failure():
    parsed = parse_hey(HEY_OUTPUT)

    assert parsed == LoadResult(rps=498.6512, p50_ms=2.0, p99_ms=12.3, errors=5)


def test_report_shows_ratios_to_the_anchor():
    markdown = render_markdown(sample_results())

    assert "| GET /messages (page of 50) | 1,200 | 4,000 | 30% |" in markdown
    assert "| 1,000,000 | 2.0 / 5.0 | 2.2 / 5.0 | 1.10x |" in markdown
    assert "| gunicorn process tree RSS, under load (peak) | 170 MiB |" in markdown


def test_chart_is_a_png(tmp_path):
    path = tmp_path / "chart.png"

    render_chart(sample_results(), path)

    assert path.read_bytes().startswith(b"\x89PNG")
