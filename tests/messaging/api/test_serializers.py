"""The message serializer is the one DRF's ``ModelSerializer`` derives from ``Message``, stricter on types."""

from datetime import UTC, datetime, timedelta, timezone

import pytest
from rest_framework import serializers
from rest_framework.renderers import JSONRenderer

from messaging.api.fields import StrictCharField
from messaging.api.renderers import ORJSONRenderer
from messaging.api.serializers import MessageSerializer
from messaging.limits import CONTENT_MAX_LENGTH, SENDER_MAX_LENGTH
from messaging.models import Message


class ModelDerivedSerializer(serializers.ModelSerializer):
    """The message serializer as a ``ModelSerializer``: its declared fields must be what this builds."""

    sender = StrictCharField(max_length=SENDER_MAX_LENGTH)
    content = StrictCharField(max_length=CONTENT_MAX_LENGTH)

    class Meta:
        model = Message
        fields = ["id", "sender", "content", "created_at"]
        read_only_fields = ["id", "created_at"]


def test_declared_fields_are_the_ones_a_model_serializer_builds():
    """Same field classes with the same arguments (DRF's ``repr`` of a field shows both): same validation,
    errors and schema."""
    declared = MessageSerializer().fields
    derived = ModelDerivedSerializer().fields

    assert list(declared) == list(derived)
    for name, field in declared.items():
        assert repr(field) == repr(derived[name]), name


@pytest.mark.parametrize(
    "data",
    [
        {"sender": "alice", "content": "hello"},
        {"sender": "a" * SENDER_MAX_LENGTH, "content": "c" * CONTENT_MAX_LENGTH},
        {"sender": "a" * (SENDER_MAX_LENGTH + 1), "content": "c" * (CONTENT_MAX_LENGTH + 1)},
        {"sender": "", "content": " "},
        {"sender": None, "content": 5},
        {"sender": ["a"], "content": {"text": "x"}},
        {"sender": "nul\x00", "content": "surrogate \ud800"},
        {"content": "no sender", "id": 9, "created_at": "2026-01-01T00:00:00Z"},
        {},
    ],
    ids=[
        "valid",
        "longest",
        "too-long",
        "blank",
        "wrong-types",
        "list-and-object",
        "nul-surrogate",
        "missing-read-only",
        "empty",
    ],
)
def test_validation_is_the_model_serializers(data):
    ours, reference = MessageSerializer(data=data), ModelDerivedSerializer(data=data)

    assert ours.is_valid() == reference.is_valid()
    assert ours.errors == reference.errors
    assert ours.validated_data == reference.validated_data


@pytest.mark.parametrize(
    "created_at",
    [
        datetime(2026, 11, 29, 6, 51, 36, 677094, tzinfo=UTC),
        datetime(2026, 11, 29, 6, 51, 36, 0, tzinfo=UTC),
        datetime(2026, 11, 29, 15, 51, 36, 5, tzinfo=timezone(timedelta(hours=9))),
    ],
    ids=["microseconds", "whole-second", "other-zone"],
)
def test_a_message_is_represented_as_the_model_serializer_does(created_at):
    message = Message(id=7, sender="alice", content="héllo\u2028", created_at=created_at)

    assert MessageSerializer(message).data == ModelDerivedSerializer(message).data


def test_orjson_renderer_matches_drf_json_renderer():
    data = {"results": [{"id": 1, "content": 'line\u2028sep \u2029 ☃ "quoted"', "ok": True, "none": None}]}

    assert ORJSONRenderer().render(data) == JSONRenderer().render(data)
