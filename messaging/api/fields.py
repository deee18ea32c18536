"""Serializer fields stricter than DRF's defaults."""

from rest_framework import serializers


class StrictCharField(serializers.CharField):
    """A ``CharField`` that refuses numbers and booleans instead of quietly turning them into text.

    DRF's ``CharField`` already refuses NUL bytes and lone surrogates, which PostgreSQL text cannot hold.
    """

    default_error_messages = {"invalid": "Not a valid string."}

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("invalid")
        return super().to_internal_value(data)
