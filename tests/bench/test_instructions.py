"""The instruction counter, run for real: gunicorn under callgrind against PostgreSQL."""

import pytest

from bench import database, instructions
from tests.support.databases import migrated_database, postgres_url_from_env


@pytest.mark.slow
def test_counts_instructions_per_request_for_each_endpoint():
    server_url = postgres_url_from_env()
    if server_url is None:
        pytest.skip("the counter runs the app against PostgreSQL: set DATABASE_URL to a postgres:// URL")
    instructions.ensure_valgrind()
    with migrated_database(server_url, prefix="instructions") as url:
        database.seed(url, rows=100, anchor=False)
        counts = instructions.count(url, requests=20, warm_up=20)

    assert list(counts) == [name for name, _, _ in instructions.ENDPOINTS]
    # A request through gunicorn, Django and DRF takes about a million instructions or more; a count of
    # nothing, or of the process's whole start-up (billions), would fall far outside this range.
    assert all(300_000 < count < 30_000_000 for count in counts.values()), counts
    assert counts["GET /health"] < counts["GET /messages (page of 50)"]
