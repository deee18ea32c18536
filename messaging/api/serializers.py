"""What a message looks like on the wire, and the query parameters that filter the list."""

from rest_framework import serializers

from messaging.api.fields import StrictCharField
from messaging.limits import CONTENT_MAX_LENGTH, SENDER_MAX_LENGTH

# The largest value PostgreSQL's bigint can hold; larger ids cannot exist and must not reach the query.
MAX_ID = 2**63 - 1


# Declared, not a ModelSerializer: the fields are the ones it would derive from ``Message`` (a test proves
# it), without introspecting the model for every post (docs/adr/0006-keyset-read-model.md). The list's rows
# come in this shape from ``messaging.selectors``. (A docstring here would become the schema's description.)
class MessageSerializer(serializers.Serializer):
    id = serializers.BigIntegerField(label="ID", read_only=True)
    sender = StrictCharField(max_length=SENDER_MAX_LENGTH)
    content = StrictCharField(max_length=CONTENT_MAX_LENGTH)
    created_at = serializers.DateTimeField(read_only=True)


class MessageFilterSerializer(serializers.Serializer):
    sender = StrictCharField(max_length=SENDER_MAX_LENGTH, required=False, help_text="Only messages from this sender.")
    after = serializers.IntegerField(
        min_value=0,
        max_value=MAX_ID,
        required=False,
        help_text="Only messages newer than this id: poll with the highest id you have seen.",
    )
