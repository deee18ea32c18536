"""PostgreSQL's rendering of a timestamp equals the serializer's own (DRF's) rendering."""

from datetime import UTC, datetime, timedelta, timezone

import pytest
from django.db import connection

from messaging.api.serializers import _iso_datetime
from messaging.models import Message
from messaging.selectors import CREATED_AT_TEXT, message_list

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


def test_database_text_equals_python_text():
    Message.objects.bulk_create(Message(sender="s", content="c", created_at=moment) for moment in MOMENTS)

    rows = list(message_list().order_by("id"))

    expected = [_iso_datetime(moment) for moment in MOMENTS]
    if connection.vendor == "postgresql":
        assert [row[CREATED_AT_TEXT] for row in rows] == expected
    else:
        assert [_iso_datetime(row["created_at"]) for row in rows] == expected
