"""Messages as the API shows them: the row type, and the SQL that reads a row in that shape from the table."""

from typing import TypedDict

from django.db.backends.base.base import BaseDatabaseWrapper

from messaging.models import Message
from messaging.timestamps import timestamp_text_sql


class MessageRow(TypedDict):
    """A message as the API renders it; ``created_at`` is already DRF's ``DateTimeField`` text."""

    id: int
    sender: str
    content: str
    created_at: str


def quoted_table(connection: BaseDatabaseWrapper) -> str:
    return connection.ops.quote_name(Message._meta.db_table)


def quoted_columns(connection: BaseDatabaseWrapper) -> dict[str, str]:
    """Each ``MessageRow`` key's column, quoted for ``connection``, as the model's meta names it."""
    meta = Message._meta
    return {name: connection.ops.quote_name(meta.get_field(name).column) for name in MessageRow.__annotations__}


def row_sql(connection: BaseDatabaseWrapper) -> str:
    """The select list (or ``RETURNING`` list) of a ``MessageRow``: its columns in the row's key order."""
    columns = quoted_columns(connection)
    columns["created_at"] = timestamp_text_sql(connection.vendor, columns["created_at"])
    return ", ".join(columns.values())


def as_row(values: tuple) -> MessageRow:
    """The row of the values a ``row_sql`` select list read."""
    id_, sender, content, created_at = values
    return {"id": id_, "sender": sender, "content": content, "created_at": created_at}
