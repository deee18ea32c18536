"""On PostgreSQL the app's repeated queries run as statements prepared once per connection."""

import pytest
from django.db import connection

from messaging.post_windows import Allowance
from messaging.selectors import message_page
from messaging.services import message_create
from project.settings.database import POSTGRESQL_ENGINE, PREPARE_THRESHOLD

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _postgresql_only():
    if connection.settings_dict["ENGINE"] != POSTGRESQL_ENGINE:
        pytest.skip("prepared statements are PostgreSQL's: set DATABASE_URL to a postgres:// URL")


def prepared_statements() -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        return [statement for (statement,) in cursor.fetchall()]


# psycopg prepares a query on the execution after its PREPARE_THRESHOLD-th.
EXECUTIONS_TO_PREPARE = PREPARE_THRESHOLD + 1


def test_a_list_page_is_prepared_once_repeated():
    for _ in range(EXECUTIONS_TO_PREPARE):
        message_page(limit=51)

    assert any(
        'FROM "messaging_message"' in statement and "LIMIT 51" in statement for statement in prepared_statements()
    )


def test_an_insert_is_prepared_once_repeated_and_each_keeps_its_own_values():
    messages = [message_create(sender=f"user{n}", content=f"message {n}") for n in range(EXECUTIONS_TO_PREPARE + 1)]

    assert any(statement.startswith('INSERT INTO "messaging_message"') for statement in prepared_statements())
    stored = {row["id"]: (row["sender"], row["content"]) for row in message_page(limit=len(messages))}
    expected = [(f"user{n}", f"message {n}") for n in range(len(messages))]
    assert [stored[message["id"]] for message in messages] == expected


def test_a_counted_insert_is_prepared_once_repeated():
    allowance = Allowance(client="192.0.2.30", posts=100, period=60)
    for n in range(EXECUTIONS_TO_PREPARE + 1):
        message_create(sender="counted", content=f"message {n}", allowance=allowance)

    assert any(
        statement.startswith("WITH window_count AS") and 'INSERT INTO "messaging_message"' in statement
        for statement in prepared_statements()
    )
