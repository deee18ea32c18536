"""Reads: the messages a client may list, narrowed by its filters."""

from django.db import connection
from django.db.models import QuerySet

from messaging.models import Message
from messaging.timestamps import DrfTimestampText

# The key of a row's ready-made ``created_at`` text (see ``message_rows``).
CREATED_AT_TEXT = "created_at_text"


def message_list(*, sender: str | None = None, after: int | None = None) -> QuerySet[Message]:
    """Messages, optionally from one ``sender`` and only those newer than the id ``after``."""
    messages = Message.objects.all()
    if sender is not None:
        messages = messages.filter(sender=sender)
    if after is not None:
        messages = messages.filter(id__gt=after)
    return messages


def message_rows(messages: QuerySet[Message]) -> QuerySet[dict]:
    """``messages`` as dicts with what the API shows: no model instances, and on PostgreSQL the
    timestamp already in its API text under ``CREATED_AT_TEXT`` instead of a ``datetime``."""
    if connection.vendor == "postgresql":
        return messages.values("id", "sender", "content", **{CREATED_AT_TEXT: DrfTimestampText("created_at")})
    return messages.values("id", "sender", "content", "created_at")
