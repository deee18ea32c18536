"""Writes: the one place a message is created."""

import time
from functools import cache

from django.db import connection, transaction

from messaging.models import Message
from messaging.post_windows import Allowance, client_post_count, count_params, count_sql
from messaging.rows import MessageRow, as_row, quoted_columns, quoted_table, row_sql

# The columns a new message is given; its id comes from the database.
WRITTEN = ("sender", "content", "created_at")


class PostLimitError(Exception):
    """The client has used its allowance: the post was counted and nothing was stored."""

    def __init__(self, window_left: float):
        super().__init__(f"post limit reached; the window ends in {window_left:.0f} s")
        # Seconds until the client's window ends and it may post again.
        self.window_left = window_left


def message_create(*, sender: str, content: str, allowance: Allowance | None = None) -> MessageRow:
    """Store a new message, stamped now; return it as the API shows it.

    With an ``allowance``, the post is first counted against it (``messaging.post_windows``), and stored
    only within it; past it, ``PostLimitError`` is raised, the post counted and nothing stored. On PostgreSQL
    both are one statement, one round trip and one transaction (docs/adr/0020-shared-post-limit.md): the
    database assigns the id and renders the timestamp in it too (docs/adr/0006-keyset-read-model.md). The
    timestamp is the model field's default, prepared for the database by the field, as ``save()`` would.
    """
    created_at = Message._meta.get_field("created_at")
    values = [sender, content, created_at.get_db_prep_save(created_at.get_default(), connection)]
    if allowance is None:
        with connection.cursor() as cursor:
            cursor.execute(_insert_sql(connection.vendor), values)
            return as_row(cursor.fetchone())
    if connection.vendor != "postgresql":
        return _counted_in_two_statements(values, allowance)
    now = time.time()
    params = [*count_params(client=allowance.client, period=allowance.period, now=now), *values, allowance.posts]
    with connection.cursor() as cursor:
        cursor.execute(_counted_insert_sql(connection.vendor), params)
        posts, window_start, *stored = cursor.fetchone()
    if posts > allowance.posts:
        raise PostLimitError(window_start + allowance.period - now)
    return as_row(stored)


def _counted_in_two_statements(values: list, allowance: Allowance) -> MessageRow:
    """What the one statement does, for a database that cannot write from a ``WITH`` clause (SQLite, the
    local default): the count and the insert in one transaction; a refused post's count is kept."""
    with transaction.atomic():
        counted = client_post_count(client=allowance.client, period=allowance.period)
        if counted.posts <= allowance.posts:
            with connection.cursor() as cursor:
                cursor.execute(_insert_sql(connection.vendor), values)
                return as_row(cursor.fetchone())
    raise PostLimitError(counted.window_left)


@cache
def _insert_sql(vendor: str) -> str:
    """The one INSERT of a message on ``vendor``'s databases (the key of the cache), names from the model."""
    placeholders = ", ".join("%s" for _ in WRITTEN)
    # Only quoted names from the model go into the text; every value is a parameter.
    return f"{_insert_into()} VALUES ({placeholders}) RETURNING {row_sql(connection)}"


@cache
def _counted_insert_sql(vendor: str) -> str:
    """The count and the conditional insert as one PostgreSQL statement (``vendor`` keys the cache).

    Parameters: the count's (``post_windows.count_params``), the message's values, then the allowance.
    The insert reads the count its own ``WITH`` clause returned, so it stores the message only when this
    very post is within the allowance; the count is written whether or not it is.
    """
    placeholders = ", ".join("%s" for _ in WRITTEN)
    # Only quoted names from the model go into the text; every value is a parameter.
    within = "window_count.posts <= %s"
    stored = f"{_insert_into()} SELECT {placeholders} FROM window_count WHERE {within} RETURNING {row_sql(connection)}"  # noqa: S608
    counted = "window_count.posts, window_count.window_start"
    with_clause = f"WITH window_count AS ({count_sql(vendor)}), stored AS ({stored})"
    return f"{with_clause} SELECT {counted}, stored.* FROM window_count LEFT JOIN stored ON TRUE"  # noqa: S608


def _insert_into() -> str:
    columns = quoted_columns(connection)
    return f"INSERT INTO {quoted_table(connection)} ({', '.join(columns[name] for name in WRITTEN)})"
