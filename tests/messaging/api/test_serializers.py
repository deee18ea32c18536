"""The message serializer's direct representation equals DRF's own field-by-field output."""

from datetime import UTC, datetime, timedelta, timezone

import pytest
from rest_framework import serializers

from messaging.api.fields import StrictCharField
from messaging.api.renderers import ORJSONRenderer
from messaging.api.serializers import MessageSerializer
from messaging.limits import CONTENT_MAX_LENGTH, SENDER_MAX_LENGTH
from messaging.models import Message


class FieldByFieldSerializer(serializers.ModelSerializer):
    """DRF's generic path, the reference the fast path must match."""

    class Meta:
        model = Message
        fields = ["id", "sender", "content", "created_at"]


class ModelDerivedSerializer(serializers.ModelSerializer):
    """The message serializer as a ``ModelSerializer``: its declared fields must be what this builds."""

    sender = StrictCharField(max_length=SENDER_MAX_LENGTH)
    content = StrictCharField(max_length=CONTENT_MAX_LENGTH)

    class Meta:
        model = Message
        fields = ["id", "sender", "content", "created_at"]
        read_only_fields = ["id", "created_at"]


def test_declared_fields_are_the_ones_a_model_serializer_builds():
    """Same field classes with the same arguments: the same validation, errors and schema."""
    declared = MessageSerializer().fields
    derived = ModelDerivedSerializer().fields

    assert list(declared) == list(derived)
    for name, field in declared.items():
        assert type(field) is type(derived[name]), name
        assert field._kwargs == derived[name]._kwargs, name


class DeepCopyingSerializer(MessageSerializer):
    """The message serializer with DRF's own field copying, the reference for validation."""

    get_fields = serializers.Serializer.get_fields


@pytest.mark.parametrize(
    "data",
    [
        {"sender": "alice", "content": "hello"},
        {"sender": "a" * SENDER_MAX_LENGTH, "content": "c" * CONTENT_MAX_LENGTH},
        {"sender": "a" * (SENDER_MAX_LENGTH + 1), "content": "c" * (CONTENT_MAX_LENGTH + 1)},
        {"sender": "", "content": " "},
        {"sender": None, "content": 5},
        {"sender": "nul\x00", "content": "surrogate \ud800"},
        {"content": "no sender", "id": 9, "created_at": "2026-01-01T00:00:00Z"},
        {},
    ],
    ids=["valid", "longest", "too-long", "blank", "wrong-types", "nul-surrogate", "missing-read-only", "empty"],
)
def test_validation_is_drfs(data):
    ours, reference = MessageSerializer(data=data), DeepCopyingSerializer(data=data)

    assert ours.is_valid() == reference.is_valid()
    assert ours.errors == reference.errors
    assert ours.validated_data == reference.validated_data


def test_each_serializer_binds_fields_of_its_own():
    first, second = MessageSerializer(), MessageSerializer()

    for name, field in first.fields.items():
        other = second.fields[name]
        assert field is not other
        assert field is not MessageSerializer._declared_fields[name]
        assert (field.parent, other.parent) == (first, second)
        assert field.validators == other.validators
        assert field.validators is not other.validators


@pytest.mark.parametrize(
    "created_at",
    [
        datetime(2026, 11, 29, 6, 51, 36, 677094, tzinfo=UTC),
        datetime(2026, 11, 29, 6, 51, 36, 0, tzinfo=UTC),
        datetime(2026, 11, 29, 15, 51, 36, 5, tzinfo=timezone(timedelta(hours=9))),
    ],
    ids=["microseconds", "whole-second", "other-zone"],
)
def test_direct_representation_matches_drf(created_at):
    message = Message(id=7, sender="alice", content="héllo\u2028", created_at=created_at)
    row = {"id": 7, "sender": "alice", "content": "héllo\u2028", "created_at": created_at}

    expected = FieldByFieldSerializer(message).data

    assert MessageSerializer(message).data == expected
    assert MessageSerializer(row).data == expected


def test_orjson_renderer_matches_drf_json_renderer():
    from rest_framework.renderers import JSONRenderer

    data = {"results": [{"id": 1, "content": 'line\u2028sep \u2029 ☃ "quoted"', "ok": True, "none": None}]}

    assert ORJSONRenderer().render(data) == JSONRenderer().render(data)


def _built_by_drf(*args, **kwargs):
    """What DRF's own ``many_init`` makes of the arguments, the reference for the prototype copies."""
    return serializers.BaseSerializer.many_init.__func__(MessageSerializer, *args, **kwargs)


def _state(serializer) -> dict:
    """A serializer's attributes, without the ones that differ by nature (identity, creation order)."""
    state = {name: value for name, value in vars(serializer).items() if name not in ("child", "parent", "_kwargs")}
    state.pop("_creation_counter")
    state["_kwargs"] = {name: value for name, value in serializer._kwargs.items() if name != "child"}
    return state


@pytest.mark.parametrize(
    ("args", "kwargs"),
    [
        (([{"id": 1, "sender": "a", "content": "b", "created_at": datetime(2026, 1, 1, tzinfo=UTC)}],), {}),
        (([],), {"context": {"request": None, "view": "the view"}}),
        ((), {"instance": [], "context": {}}),
    ],
    ids=["page", "with-context", "instance-keyword"],
)
def test_list_serializer_is_what_drf_builds(args, kwargs):
    ours, reference = MessageSerializer(*args, many=True, **kwargs), _built_by_drf(*args, **kwargs)

    assert type(ours) is type(reference) is serializers.ListSerializer
    assert type(ours.child) is type(reference.child) is MessageSerializer
    assert _state(ours) == _state(reference)
    assert _state(ours.child) == _state(reference.child)
    assert ours.child.parent is ours
    assert ours._kwargs["child"] is ours.child
    assert ours.data == reference.data


def test_each_list_gets_a_child_of_its_own():
    first, second = MessageSerializer([], many=True), MessageSerializer([], many=True, context={"n": 2})

    assert first.child is not second.child
    assert (first.child.parent, second.child.parent) == (first, second)
    assert (first.child.context, second.child.context) == ({}, {"n": 2})


def test_other_list_arguments_go_through_drf():
    listing = MessageSerializer(data=[{"sender": "alice", "content": "hi"}], many=True, allow_empty=False)

    assert listing.is_valid(), listing.errors
    assert listing.allow_empty is False
    assert listing.validated_data == [{"sender": "alice", "content": "hi"}]
