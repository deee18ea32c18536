"""OpenAPI details the generator cannot infer: the slash aliases and the errors raised outside serializers."""

from drf_spectacular.utils import OpenApiResponse
from rest_framework import serializers


def drop_trailing_slash_aliases(endpoints, **kwargs):
    """Document each route once, in its slash-less form; the ``/`` aliases answer identically."""
    return [endpoint for endpoint in endpoints if not endpoint[0].endswith("/")]


class ErrorSerializer(serializers.Serializer):
    code = serializers.CharField()
    detail = serializers.CharField()
    attr = serializers.CharField(allow_null=True)


class ErrorResponseSerializer(serializers.Serializer):
    type = serializers.ChoiceField(choices=["client_error", "server_error"])
    errors = ErrorSerializer(many=True)


DATABASE_UNAVAILABLE = OpenApiResponse(ErrorResponseSerializer, description="The database is briefly unavailable.")
BODY_TOO_LARGE = OpenApiResponse(ErrorResponseSerializer, description="The request body is over the size limit.")
