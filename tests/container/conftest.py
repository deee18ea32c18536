"""A migrated PostgreSQL database for the server processes these tests start."""

import pytest

from tests.support.databases import migrated_database, postgres_url_from_env


@pytest.fixture(scope="package")
def server_database_url():
    server_url = postgres_url_from_env()
    if server_url is None:
        pytest.skip("the container contract runs against PostgreSQL: set DATABASE_URL to a postgres:// URL")
    with migrated_database(server_url, prefix="container") as url:
        yield url
