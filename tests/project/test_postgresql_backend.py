"""The project's PostgreSQL backend: its health check sends nothing to the server, yet finds every
connection a ``SELECT 1`` would have found broken."""

import psycopg
import pytest
from django.db import connection

from project.postgresql.base import DatabaseWrapper
from project.settings.database import POSTGRESQL_ENGINE

pytestmark = pytest.mark.django_db

# pg_terminate_backend waits up to this long for the server process to exit, so that its goodbye is on
# the client's socket by the time the call returns.
NOTICE_SECONDS = 5


def terminate(wrapper: DatabaseWrapper) -> int:
    """End the wrapper's connection from the server's side, as a restart or failover would; its pid."""
    pid = wrapper.connection.info.backend_pid
    with server(wrapper) as admin:
        assert admin.execute("SELECT pg_terminate_backend(%s, %s)", [pid, NOTICE_SECONDS * 1000]).fetchone()[0]
    return pid


@pytest.fixture
def own_connection():
    """A connection of the backend's own, outside the test's transaction, that a test may break."""
    if connection.settings_dict["ENGINE"] != POSTGRESQL_ENGINE:
        pytest.skip("the project's PostgreSQL backend needs PostgreSQL: set DATABASE_URL to a postgres:// URL")
    # Under the default alias, as every connection of the app is: django.contrib.postgres looks the alias up
    # in django.db.connections when a connection is made (to register its types); the wrapper stays its own.
    wrapper = DatabaseWrapper(dict(connection.settings_dict), alias=connection.alias)
    wrapper.ensure_connection()
    yield wrapper
    wrapper.close()


def server(wrapper: DatabaseWrapper) -> psycopg.Connection:
    """A second, plain connection to the same database, to look at and act on the first from outside."""
    return psycopg.connect(**wrapper.get_connection_params(), autocommit=True)


def last_statement(admin: psycopg.Connection, pid: int) -> str:
    return admin.execute("SELECT query FROM pg_stat_activity WHERE pid = %s", [pid]).fetchone()[0]


def test_settings_select_the_project_backend():
    assert connection.settings_dict["ENGINE"] in (POSTGRESQL_ENGINE, "django.db.backends.sqlite3")


def test_a_healthy_connection_is_usable_without_a_round_trip(own_connection):
    with own_connection.cursor() as cursor:
        cursor.execute("SELECT 'the last statement'")
    pid = own_connection.connection.info.backend_pid

    assert own_connection.is_usable()
    with server(own_connection) as admin:
        assert last_statement(admin, pid) == "SELECT 'the last statement'"


def test_a_connection_the_server_ended_is_unusable(own_connection):
    terminate(own_connection)

    assert not own_connection.is_usable()


def test_django_replaces_the_ended_connection_before_the_next_query(own_connection):
    pid = terminate(own_connection)

    # What Django does at the start of each request with CONN_HEALTH_CHECKS: check once before first use.
    own_connection.health_check_enabled = True
    own_connection.health_check_done = False
    with own_connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        new_pid = cursor.fetchone()[0]

    assert new_pid != pid


def test_a_connection_in_a_failed_transaction_is_unusable(own_connection):
    raw = own_connection.connection
    raw.execute("BEGIN")
    with pytest.raises(psycopg.errors.DivisionByZero):
        raw.execute("SELECT 1 / 0")

    assert not own_connection.is_usable()
    raw.rollback()
    assert own_connection.is_usable()


def test_a_closed_connection_is_unusable(own_connection):
    own_connection.connection.close()

    assert not own_connection.is_usable()
