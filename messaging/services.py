"""Writes: the one place a message is created."""

from functools import cache

from django.db import connection

from messaging.models import Message
from messaging.rows import MessageRow, as_row, quoted_columns, quoted_table, row_sql

# The columns a new message is given; its id comes from the database.
WRITTEN = ("sender", "content", "created_at")


def message_create(*, sender: str, content: str) -> MessageRow:
    """Store a new message, stamped now; return it as the API shows it.

    One ``INSERT ... RETURNING``: the database assigns the id and renders the timestamp in the same
    round trip (docs/adr/0006-keyset-read-model.md). The timestamp is the model field's default,
    prepared for the database by the field, as ``save()`` would.
    """
    created_at = Message._meta.get_field("created_at")
    values = [sender, content, created_at.get_db_prep_save(created_at.get_default(), connection)]
    with connection.cursor() as cursor:
        cursor.execute(_insert_sql(connection.vendor), values)
        return as_row(cursor.fetchone())


@cache
def _insert_sql(vendor: str) -> str:
    """The one INSERT of a message on ``vendor``'s databases (the key of the cache), names from the model."""
    columns = quoted_columns(connection)
    names = ", ".join(columns[name] for name in WRITTEN)
    placeholders = ", ".join("%s" for _ in WRITTEN)
    table = quoted_table(connection)
    # Only quoted names from the model go into the text; every value is a parameter.
    return f"INSERT INTO {table} ({names}) VALUES ({placeholders}) RETURNING {row_sql(connection)}"  # noqa: S608
