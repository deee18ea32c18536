"""What a message looks like on the wire, and the query parameters that filter the list."""

from rest_framework import serializers

from messaging.api.fields import StrictCharField
from messaging.limits import CONTENT_MAX_LENGTH, SENDER_MAX_LENGTH
from messaging.models import Message

# The largest value PostgreSQL's bigint can hold; larger ids cannot exist and must not reach the query.
MAX_ID = 2**63 - 1


class MessageSerializer(serializers.ModelSerializer):
    sender = StrictCharField(max_length=SENDER_MAX_LENGTH)
    content = StrictCharField(max_length=CONTENT_MAX_LENGTH)

    class Meta:
        model = Message
        fields = ["id", "sender", "content", "created_at"]
        read_only_fields = ["id", "created_at"]


class MessageFilterSerializer(serializers.Serializer):
    sender = StrictCharField(max_length=SENDER_MAX_LENGTH, required=False, help_text="Only messages from this sender.")
    after = serializers.IntegerField(
        min_value=0,
        max_value=MAX_ID,
        required=False,
        help_text="Only messages newer than this id: poll with the highest id you have seen.",
    )
