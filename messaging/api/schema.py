"""OpenAPI details the generator cannot infer: the slash aliases and the errors raised outside serializers."""

from drf_spectacular.utils import OpenApiResponse
from drf_standardized_errors.openapi_utils import get_serializer_field_error_codes
from drf_standardized_errors.openapi_validation_errors import extend_validation_errors
from rest_framework import serializers

from messaging.api.serializers import MessageFilterSerializer
from messaging.limits import MAX_PAGE_SIZE


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
# Refused by the task's proxy before the API sees the request (deploy/proxy/nginx.conf), on every route.
SERVER_REFUSALS = {
    "414": "The request line (the URI) is over the server's length limit.",
    "431": "The request's headers are over the server's count or size limit.",
}


def document_server_refusals(result, generator, request, public):
    """Add the answers the proxy gives itself to every operation, in the API's error shape."""
    error_schema = {"$ref": "#/components/schemas/ErrorResponse"}
    for operations in result["paths"].values():
        for operation in operations.values():
            for status, description in SERVER_REFUSALS.items():
                operation["responses"].setdefault(
                    status, {"content": {"application/json": {"schema": error_schema}}, "description": description}
                )
    return result


def document_list_query_errors(view):
    """Declare the 400s of ``GET /messages``'s query parameters, one ``attr`` each, with their error codes.

    drf-standardized-errors derives validation errors from the body serializer only; the list's filters
    and page size are validated elsewhere, so their codes are declared here, derived from the same fields.
    """
    fields = {
        **MessageFilterSerializer().fields,
        "page_size": serializers.IntegerField(min_value=1, max_value=MAX_PAGE_SIZE),
    }
    for name, field in fields.items():
        codes = sorted(get_serializer_field_error_codes(field, name))
        view = extend_validation_errors(codes, field_name=name, methods=["get"])(view)
    return extend_validation_errors(["invalid"], field_name="cursor", methods=["get"])(view)
