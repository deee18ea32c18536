"""A message is stored with one INSERT and returned exactly as the ORM and DRF would show it; counted against
a client's allowance, the count and the insert are one statement on PostgreSQL."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework import serializers

from messaging.models import ClientPostWindow, Message
from messaging.post_windows import Allowance
from messaging.services import WRITTEN, PostLimitError, message_create

pytestmark = pytest.mark.django_db


class ModelMessageSerializer(serializers.ModelSerializer):
    class Meta:
        model = Message
        fields = ["id", "sender", "content", "created_at"]


def test_the_insert_writes_every_column_but_the_id():
    """A field added to the model must be written (or given a database default) on purpose."""
    meta = Message._meta
    assert set(WRITTEN) == {field.name for field in meta.concrete_fields if not field.primary_key}


def test_the_returned_row_is_the_stored_message_as_drf_renders_it():
    before = timezone.now()

    row = message_create(sender="alice", content="héllo \u2028 ☃")

    stored = Message.objects.get(id=row["id"])
    assert row == ModelMessageSerializer(stored).data
    assert (stored.sender, stored.content) == ("alice", "héllo \u2028 ☃")
    assert before <= stored.created_at <= timezone.now() + timedelta(seconds=1)


def test_each_message_gets_a_new_id():
    first, second = message_create(sender="a", content="1"), message_create(sender="a", content="2")

    assert second["id"] > first["id"]


def test_a_posted_message_reads_back_byte_for_byte(api):
    posted = api.post("/messages", {"sender": "alice", "content": "hi \u2029"}, format="json")

    assert posted.status_code == 201
    assert posted.content == api.get(posted["Location"]).content


def test_a_counted_message_is_returned_as_an_uncounted_one_is():
    allowance = Allowance(client="192.0.2.7", posts=3, period=60)

    row = message_create(sender="alice", content="héllo ☃", allowance=allowance)

    assert row == ModelMessageSerializer(Message.objects.get(id=row["id"])).data


def test_posts_past_the_allowance_are_counted_and_store_nothing():
    allowance = Allowance(client="192.0.2.7", posts=2, period=60)
    stored = [message_create(sender="a", content=str(n), allowance=allowance)["id"] for n in range(2)]

    with pytest.raises(PostLimitError) as refused:
        message_create(sender="a", content="over", allowance=allowance)
    with pytest.raises(PostLimitError):
        message_create(sender="a", content="over again", allowance=allowance)

    assert sorted(Message.objects.values_list("id", flat=True)) == stored
    assert ClientPostWindow.objects.get(client="192.0.2.7").posts == 4
    assert 0 < refused.value.window_left <= 60


def test_on_postgresql_the_count_and_the_insert_are_one_statement():
    if connection.vendor != "postgresql":
        pytest.skip("the one-statement form is PostgreSQL's: set DATABASE_URL to a postgres:// URL")
    allowance = Allowance(client="192.0.2.8", posts=3, period=60)
    message_create(sender="a", content="first", allowance=allowance)  # this process may clear ended windows first

    with CaptureQueriesContext(connection) as queries:
        message_create(sender="a", content="second", allowance=allowance)

    assert len(queries) == 1
    sql = queries[0]["sql"]
    assert ClientPostWindow._meta.db_table in sql
    assert Message._meta.db_table in sql
