"""HTTP endpoints of the messages API; business logic lives in services and selectors."""

from django.urls import reverse
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view, inline_serializer
from drf_standardized_errors.openapi_serializers import ErrorResponse429Serializer
from rest_framework import exceptions, generics, serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from messaging.api.pagination import MessageCursorPagination
from messaging.api.schema import BODY_TOO_LARGE, DATABASE_UNAVAILABLE, document_list_query_errors
from messaging.api.serializers import MessageFilterSerializer, MessageSerializer
from messaging.api.throttling import post_allowance
from messaging.health import check_readiness
from messaging.models import Message
from messaging.services import PostLimitError, message_create

FILTER_PARAMS = frozenset(MessageFilterSerializer().fields)
DETAIL_ROUTE = "message-detail"


@extend_schema_view(
    get=extend_schema(
        parameters=[MessageFilterSerializer], responses={200: MessageSerializer(many=True), 503: DATABASE_UNAVAILABLE}
    ),
    post=extend_schema(
        responses={
            201: MessageSerializer,
            413: BODY_TOO_LARGE,
            # The post limit (messaging.api.throttling), counted where the post is stored, not by a DRF throttle.
            429: ErrorResponse429Serializer,
            503: DATABASE_UNAVAILABLE,
        }
    ),
)
@document_list_query_errors
class MessageListCreateView(generics.ListCreateAPIView):
    """``GET /messages`` newest first in keyset pages; ``POST /messages`` stores one message."""

    serializer_class = MessageSerializer
    pagination_class = MessageCursorPagination

    def perform_authentication(self, request):
        """Lazy, as DRF's docstring offers: the API authenticates nobody (no authentication classes), yet
        DRF resolved ``request.user`` to its anonymous ``None`` up front for every request. Whatever reads
        ``request.user`` or ``request.auth`` still gets what DRF would have set."""

    def list(self, request, *args, **kwargs):
        page = self.paginator.paginate_messages(request, **self.get_filters())
        # The rows are already in the serializer's output shape (docs/adr/0006-keyset-read-model.md).
        return self.get_paginated_response(page)

    def get_filters(self) -> dict:
        """The validated ``sender`` and ``after`` filters of the query; a 400 naming the parameter if bad."""
        # A plain dict, not the QueryDict: DRF skips a blank optional field of form-like input, so
        # "?sender=" would list everything instead of being refused as the schema says.
        params = self.request.query_params.dict()
        if FILTER_PARAMS.isdisjoint(params):
            # Most requests carry no filter: no serializer to build for finding nothing.
            return {}
        filters = MessageFilterSerializer(data=params)
        filters.is_valid(raise_exception=True)
        return filters.validated_data

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            message = message_create(**serializer.validated_data, allowance=post_allowance(request))
        except PostLimitError as limited:
            raise exceptions.Throttled(wait=limited.window_left) from None
        # The row is already in the serializer's output shape (docs/adr/0006-keyset-read-model.md).
        location = reverse(DETAIL_ROUTE, kwargs={"pk": message["id"]})
        return Response(message, status=status.HTTP_201_CREATED, headers={"Location": location})


@extend_schema_view(get=extend_schema(responses={200: MessageSerializer, 503: DATABASE_UNAVAILABLE}))
class MessageDetailView(generics.RetrieveAPIView):
    serializer_class = MessageSerializer
    queryset = Message.objects.all()


ReadinessSerializer = inline_serializer(
    "Readiness",
    fields={
        "status": serializers.ChoiceField(choices=["ready", "not_ready"]),
        "release": serializers.CharField(),
        "problems": serializers.ListField(child=serializers.CharField()),
    },
)


class ReadinessView(APIView):
    """Ready only when the database answers and every migration is applied; 503 with the reasons if not."""

    @extend_schema(responses={200: ReadinessSerializer, 503: OpenApiResponse(ReadinessSerializer)})
    def get(self, request):
        readiness = check_readiness()
        body = {
            "status": "ready" if readiness.ready else "not_ready",
            "release": readiness.release,
            "problems": readiness.problems,
        }
        return Response(body, status=status.HTTP_200_OK if readiness.ready else status.HTTP_503_SERVICE_UNAVAILABLE)
