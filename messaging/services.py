"""Writes: the one place a message is created."""

from messaging.compiled_insert import insert
from messaging.models import Message


def message_create(*, sender: str, content: str) -> Message:
    message = Message(sender=sender, content=content)
    insert(message)
    return message
