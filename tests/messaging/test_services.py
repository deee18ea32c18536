"""A message is stored with one INSERT and returned exactly as the ORM and DRF would show it."""

from datetime import timedelta

import pytest
from django.utils import timezone
from rest_framework import serializers

from messaging.models import Message
from messaging.services import WRITTEN, message_create

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
