"""Reads: the messages a client may list, narrowed by its filters."""

from django.db.models import QuerySet

from messaging.models import Message


def message_list(*, sender: str | None = None, after: int | None = None) -> QuerySet[Message]:
    """Messages, optionally from one ``sender`` and only those newer than the id ``after``."""
    messages = Message.objects.all()
    if sender is not None:
        messages = messages.filter(sender=sender)
    if after is not None:
        messages = messages.filter(id__gt=after)
    return messages
