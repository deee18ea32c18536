"""What a message looks like on the wire, and the query parameters that filter the list."""

from datetime import UTC, datetime
from functools import cache

from rest_framework import serializers

from messaging.api.fields import StrictCharField
from messaging.limits import CONTENT_MAX_LENGTH, SENDER_MAX_LENGTH
from messaging.models import Message
from messaging.selectors import CREATED_AT_TEXT

# The largest value PostgreSQL's bigint can hold; larger ids cannot exist and must not reach the query.
MAX_ID = 2**63 - 1


# The fields ``ModelSerializer`` would derive from ``Message``, declared: it introspects the model again
# for every serializer it creates, a tenth of a ``POST /messages`` (py-spy), while declared fields are
# only copied. ``tests/messaging/api/test_serializers.py`` proves they are the fields it builds, so the
# validation and the schema are unchanged. (A docstring here would become the schema's description.)
class MessageSerializer(serializers.Serializer):
    id = serializers.BigIntegerField(label="ID", read_only=True)
    sender = StrictCharField(max_length=SENDER_MAX_LENGTH)
    content = StrictCharField(max_length=CONTENT_MAX_LENGTH)
    created_at = serializers.DateTimeField(read_only=True)

    @classmethod
    def many_init(cls, *args, **kwargs) -> serializers.ListSerializer:
        """What DRF's ``many_init`` builds for ``(instance, context=...)``, made from two prototypes.

        DRF runs both constructors for every list page, the child's and the list's, each walking the
        class hierarchy for error messages: 12 µs of a page (timeit), for two objects whose attributes
        differ from request to request only in the instance and the context. Anything else passed
        (``data``, ``allow_empty``, ...) goes through DRF. ``tests/messaging/api/test_serializers.py``
        proves both objects' attributes equal DRF's.
        """
        if len(args) > 1 or kwargs.keys() - {"instance", "context"}:
            return super().many_init(*args, **kwargs)
        instance = args[0] if args else kwargs.get("instance")
        context = kwargs.get("context", {})
        child_prototype, list_prototype = _prototypes(cls)
        child = _copy(child_prototype, args, kwargs)
        child.instance, child._context = instance, context
        listing = _copy(list_prototype, args, {"child": child, **kwargs})
        listing.child, listing.instance, listing._context = child, instance, context
        child.bind(field_name="", parent=listing)
        return listing

    def get_fields(self) -> dict[str, serializers.Field]:
        """Shallow copies of the declared fields, each with its own validator list.

        DRF deep-copies them for every serializer, running each field's constructor again: a third of
        validating a post. These fields keep nothing mutable but that list; ``bind()`` then sets the
        name and parent on the copy. ``tests/messaging/api/test_serializers.py`` proves validation and
        errors are DRF's.
        """
        fields = {}
        for name, declared in self._declared_fields.items():
            # What copy.copy() makes of a field, without its generic reduce-and-rebuild: 38 K instead of
            # 108 K instructions for the four fields (callgrind). Field.__new__ only records the
            # constructor's arguments, which the copied attributes already carry.
            field = object.__new__(type(declared))
            field.__dict__.update(declared.__dict__)
            field.validators = list(declared.validators)
            fields[name] = field
        return fields

    def to_representation(self, instance: Message | dict) -> dict:
        """The fields' own output, built directly: a page of 50 spent most of its time in per-field dispatch.

        ``instance`` is a ``Message`` or, on the list's hot path, a row from ``selectors.message_list``,
        whose timestamp may already be text. ``tests/messaging/api/test_serializers.py`` proves the
        result equals DRF's field-by-field output.
        """
        row = instance if isinstance(instance, dict) else instance.__dict__
        created_at = row.get(CREATED_AT_TEXT)
        return {
            "id": row["id"],
            "sender": row["sender"],
            "content": row["content"],
            "created_at": created_at if created_at is not None else _iso_datetime(row["created_at"]),
        }


class MessageFilterSerializer(serializers.Serializer):
    sender = StrictCharField(max_length=SENDER_MAX_LENGTH, required=False, help_text="Only messages from this sender.")
    after = serializers.IntegerField(
        min_value=0,
        max_value=MAX_ID,
        required=False,
        help_text="Only messages newer than this id: poll with the highest id you have seen.",
    )


@cache
def _prototypes(cls: type[MessageSerializer]) -> tuple[MessageSerializer, serializers.ListSerializer]:
    """A bare child and list, as DRF's constructors leave them; never bound or used themselves."""
    child = cls()
    return child, serializers.ListSerializer(child=cls())


def _copy(prototype: serializers.BaseSerializer, args: tuple, kwargs: dict) -> serializers.BaseSerializer:
    """A copy of ``prototype`` recording ``args`` and ``kwargs`` as its constructor (``Field.__new__``) would."""
    copied = object.__new__(type(prototype))
    copied.__dict__.update(prototype.__dict__)
    copied._args, copied._kwargs = args, kwargs
    return copied


def _iso_datetime(value: datetime) -> str:
    """DRF's ``DateTimeField`` output for an aware datetime: ISO 8601 in UTC with a ``Z``."""
    text = value.astimezone(UTC).isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text
