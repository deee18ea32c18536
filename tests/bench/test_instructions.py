"""The instruction counter, run for real: gunicorn under callgrind against PostgreSQL."""

import pytest

from bench import database, instructions
from tests.support.databases import migrated_database, postgres_url_from_env

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def seeded_url():
    server_url = postgres_url_from_env()
    if server_url is None:
        pytest.skip("the counter runs the app against PostgreSQL: set DATABASE_URL to a postgres:// URL")
    instructions.ensure_valgrind()
    with migrated_database(server_url, prefix="instructions") as url:
        database.seed(url, rows=100, anchor=False)
        yield url


@pytest.fixture(scope="module")
def counts(seeded_url):
    """One counting run (a worker under callgrind starts in about half a minute), shared by the tests."""
    return instructions.count(seeded_url, requests=20, warm_up=20)


@pytest.fixture(scope="module")
def app_counts(seeded_url):
    """The same requests through the WSGI application alone, under callgrind."""
    return instructions.count_app(seeded_url, requests=20, warm_up=20)


def test_counts_instructions_per_request_for_each_endpoint(counts):
    assert list(counts) == [name for name, _, _ in instructions.ENDPOINTS]
    # A request through gunicorn, Django and DRF takes about a million instructions or more; a count of
    # nothing, or of the process's whole start-up (billions), would fall far outside this range.
    assert all(300_000 < counted.instructions < 30_000_000 for counted in counts.values()), counts
    assert counts["GET /health"].instructions < counts["GET /messages (page of 50)"].instructions


def test_database_cpu_is_counted_for_the_endpoints_that_query_and_only_for_those(counts):
    # A query costs the server tens of microseconds at least; /health sends none (a few µs of the
    # server's own housekeeping at most may land in its window).
    assert counts["GET /messages (page of 50)"].database_cpu_us > 20, counts
    assert counts["GET /messages (deep cursor page)"].database_cpu_us > 20, counts
    assert counts["POST /messages"].database_cpu_us > 20, counts
    assert counts["GET /health"].database_cpu_us < 10, counts


def test_the_apps_share_is_counted_for_each_endpoint_and_is_below_the_workers(counts, app_counts):
    assert list(app_counts) == list(counts)
    # Django, the middleware stack and (for /messages) DRF and the query run in-process too: hundreds of
    # thousands of instructions at least. The worker adds gunicorn's parsing, writing and thread
    # hand-over to every request, so its count is always the larger.
    assert all(200_000 < app_counts[name] < counts[name].instructions for name in counts), (app_counts, counts)
    assert app_counts["GET /health"] < app_counts["GET /messages (page of 50)"] < app_counts["POST /messages"]
