"""The message table, and the post counts the API's rate limit keeps per client."""

from django.contrib.postgres.indexes import GinIndex, OpClass
from django.db import models
from django.db.models.functions import Upper
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
            # PostgreSQL only (migration 0002), for the admin's search: a sender prefix (LIKE 'x%') needs
            # the pattern operator class under any collation but "C", and words in the content
            # (UPPER(content) LIKE UPPER('%x%'), Django's icontains) a trigram index on the same expression.
            models.Index(fields=["sender"], name="message_sender_prefix", opclasses=["varchar_pattern_ops"]),
            GinIndex(OpClass(Upper("content"), name="gin_trgm_ops"), name="message_content_trigrams"),
        ]

    def __str__(self) -> str:
        return f"{self.sender}: {self.content[:40]}"


class ClientPostWindow(models.Model):
    """How many posts one client address made in its current window: the post limit's shared counter.

    One row per client, shared by every worker of every task, counted by one atomic upsert per post
    (``messaging.post_windows``). Windows of clients gone quiet are deleted as they end.
    """

    client = models.TextField(primary_key=True)
    # Unix time of the window's first post; the window lasts the rate's period from there.
    window_start = models.FloatField(db_index=True)
    posts = models.PositiveIntegerField()

    def __str__(self) -> str:
        return f"{self.client}: {self.posts} posts"
