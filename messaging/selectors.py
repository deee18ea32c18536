"""Reads: the messages a client may list, narrowed by its filters."""

from functools import cache

from django.db import connection
from django.db.models import QuerySet

from messaging.compiled_sql import reuse_compiled_sql
from messaging.models import Message
from messaging.timestamps import DrfTimestampText

# The key of a row's ready-made ``created_at`` text (see ``message_list``).
CREATED_AT_TEXT = "created_at_text"


def message_list(*, sender: str | None = None, after: int | None = None) -> QuerySet[dict]:
    """Messages as the API shows them, optionally from one ``sender`` and only those newer than ``after``.

    Rows are dicts, not model instances; on PostgreSQL the timestamp is already its API text under
    ``CREATED_AT_TEXT`` instead of a ``datetime``.
    """
    rows = _rows(connection.vendor).all()
    if sender is not None:
        rows = rows.filter(sender=sender)
    if after is not None:
        rows = rows.filter(id__gt=after)
    return rows


@cache
def _rows(vendor: str) -> QuerySet[dict]:
    # Built once and cloned per request: resolving the annotation anew cost about a tenth of a list
    # request; compiling each page's SQL anew cost 8 % more (see messaging.compiled_sql). The template
    # itself is never evaluated, so its clones share no results.
    messages = Message.objects.all()
    if vendor == "postgresql":
        rows = messages.values("id", "sender", "content", **{CREATED_AT_TEXT: DrfTimestampText("created_at")})
    else:
        rows = messages.values("id", "sender", "content", "created_at")
    return reuse_compiled_sql(rows)
