"""Serializer fields stricter than DRF's defaults."""

from rest_framework import serializers
from rest_framework.fields import empty


class StrictCharField(serializers.CharField):
    """A ``CharField`` that refuses anything but a string (numbers, booleans, lists, objects) as ``invalid``.

    The type is checked before anything else: DRF's ``CharField`` calls ``str()`` on the value to test it
    for blankness, which on a list or object nested a thousand levels deep raises ``RecursionError`` (a
    500) instead of a 400. DRF's ``CharField`` already refuses NUL bytes and lone surrogates, which
    PostgreSQL text cannot hold.
    """

    default_error_messages = {"invalid": "Not a valid string."}

    def run_validation(self, data=empty):
        # A missing value and null keep DRF's own errors ("required", "null").
        if data is not empty and data is not None and not isinstance(data, str):
            self.fail("invalid")
        return super().run_validation(data)
