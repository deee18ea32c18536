"""Writes: the one place a message is created."""

from messaging.models import Message


def message_create(*, sender: str, content: str) -> Message:
    return Message.objects.create(sender=sender, content=content)
