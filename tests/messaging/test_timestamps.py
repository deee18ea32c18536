"""The database's rendering of a timestamp equals DRF's ``DateTimeField`` rendering of it."""

from datetime import UTC, datetime, timedelta, timezone

import pytest
from rest_framework import serializers

from messaging.models import Message
from messaging.selectors import message_page
from messaging.timestamps import timestamp_text_sql

pytestmark = pytest.mark.django_db

MOMENTS = [
    datetime(2026, 11, 29, 6, 51, 36, 677094, tzinfo=UTC),
    datetime(2026, 11, 29, 6, 51, 36, 0, tzinfo=UTC),
    datetime(2026, 11, 29, 6, 51, 36, 5, tzinfo=UTC),
    datetime(2026, 1, 1, 0, 0, 0, 100000, tzinfo=UTC),
    datetime(2026, 11, 29, 15, 51, 36, 999999, tzinfo=timezone(timedelta(hours=9))),
    datetime(1999, 12, 31, 23, 59, 59, 1, tzinfo=timezone(timedelta(hours=-5, minutes=-30))),
    datetime(2026, 11, 29, 6, 51, 36, 10, tzinfo=UTC),
    datetime(9999, 12, 31, 23, 59, 59, 999999, tzinfo=UTC),
    datetime(1, 1, 1, 0, 0, 0, 0, tzinfo=UTC),
]


def test_database_text_equals_drfs_text():
    Message.objects.bulk_create(Message(sender="s", content="c", created_at=moment) for moment in MOMENTS)

    rows = message_page(limit=len(MOMENTS), oldest_first=True)

    field = serializers.DateTimeField()
    assert [row["created_at"] for row in rows] == [field.to_representation(moment) for moment in MOMENTS]


def test_an_unknown_database_is_refused_by_name():
    with pytest.raises(NotImplementedError, match="oracle"):
        timestamp_text_sql("oracle", '"created_at"')
