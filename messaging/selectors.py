"""Reads: keyset pages of messages, as rows already in the API's shape (docs/adr/0006-keyset-read-model.md)."""

from functools import cache

from django.db import connection

from messaging.rows import MessageRow, as_row, quoted_columns, quoted_table, row_sql


def message_page(
    *,
    limit: int,
    sender: str | None = None,
    after: int | None = None,
    before: int | None = None,
    oldest_first: bool = False,
    offset: int = 0,
) -> list[MessageRow]:
    """Up to ``limit`` messages with ``after < id < before`` (either bound optional), from ``sender`` if given,
    newest first (oldest first if ``oldest_first``), skipping the first ``offset``.

    Every page is one range scan of the primary key, or of the (sender, -id) index, however deep it is.
    """
    sql = _page_sql(
        connection.vendor,
        by_sender=sender is not None,
        has_after=after is not None,
        has_before=before is not None,
        oldest_first=oldest_first,
    )
    params = [value for value in (sender, after, before) if value is not None]
    with connection.cursor() as cursor:
        cursor.execute(f"{sql}{_limit_sql(limit, offset)}", params)
        return list(map(as_row, cursor.fetchall()))


@cache
def _page_sql(vendor: str, *, by_sender: bool, has_after: bool, has_before: bool, oldest_first: bool) -> str:
    """One of the few fixed statements ``message_page`` runs (``vendor`` keys the cache), with a parameter
    for every value: a database that prepares statements plans each once per connection and page size."""
    columns = quoted_columns(connection)
    conditions = []
    if by_sender:
        conditions.append(f"{columns['sender']} = %s")
    if has_after:
        conditions.append(f"{columns['id']} > %s")
    if has_before:
        conditions.append(f"{columns['id']} < %s")
    where = f" WHERE {' AND '.join(conditions)}" if conditions else ""
    order = f"{columns['id']} {'ASC' if oldest_first else 'DESC'}"
    # Only quoted names from the model and fixed keywords go into the text; every value is a parameter.
    return f"SELECT {row_sql(connection)} FROM {quoted_table(connection)}{where} ORDER BY {order}"  # noqa: S608


def _limit_sql(limit: int, offset: int) -> str:
    """The page's bounds, written as integers: PostgreSQL plans a ``LIMIT`` it can see for those few rows,
    while a parameter's generic plan is costed for a tenth of the table, so it would plan every page anew.
    """
    return f" LIMIT {limit:d} OFFSET {offset:d}" if offset else f" LIMIT {limit:d}"
