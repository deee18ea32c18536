"""The message table."""

from django.db import models
from django.utils import timezone

from messaging.limits import SENDER_MAX_LENGTH


class Message(models.Model):
    """A text message; its ``id`` is the keyset the API pages and polls on (newest has the highest id)."""

    sender = models.CharField(max_length=SENDER_MAX_LENGTH)
    content = models.TextField()
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-id"]
        indexes = [
            # Serves "?sender=" pages in keyset order without scanning other senders' rows.
            models.Index(fields=["sender", "-id"], name="message_sender_newest"),
        ]

    def __str__(self) -> str:
        return f"{self.sender}: {self.content[:40]}"
