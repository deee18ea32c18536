"""JSON parsing that refuses oversized, compressed or non-standard bodies with a 4xx instead of a 500."""

import orjson
from django.conf import settings
from rest_framework import exceptions
from rest_framework.parsers import JSONParser

from messaging.api.exceptions import RequestEntityTooLarge


class BoundedJSONParser(JSONParser):
    """Parse at most ``MAX_REQUEST_BODY_BYTES`` of strict JSON (RFC 8259) with orjson.

    orjson rejects what Python's ``json`` lets through and PostgreSQL could not store or would crash on:
    ``NaN``/``Infinity``, invalid UTF-8, lone surrogates in ``\\u`` escapes, and nesting deeper than
    1024 levels (which makes ``json`` raise ``RecursionError``, not ``ValueError``). A ``JSONParser`` only so
    that the OpenAPI schema documents its 400 parse error; the parsing is all its own.
    """

    media_type = "application/json"

    def parse(self, stream, media_type=None, parser_context=None):
        request = parser_context["request"]
        encoding = request.META.get("HTTP_CONTENT_ENCODING", "identity").strip().lower()
        if encoding not in ("", "identity"):
            raise exceptions.UnsupportedMediaType(
                media_type, detail=f'Content-Encoding "{encoding}" is not supported; send uncompressed JSON.'
            )
        limit = settings.MAX_REQUEST_BODY_BYTES
        if _declared_length(request.META) > limit:
            raise RequestEntityTooLarge(f"Request body is larger than {limit} bytes.")
        # Django bounds the stream at Content-Length, checked just above; a body without one never gets
        # here (project.middleware.LengthRequiredMiddleware answers 411), so this read is bounded too.
        try:
            return orjson.loads(stream.read())
        except orjson.JSONDecodeError as exc:
            raise exceptions.ParseError(f"JSON parse error: {exc}") from None


def _declared_length(meta) -> int:
    try:
        return int(meta.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return 0
