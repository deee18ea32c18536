"""Keyset (cursor) pagination of messages, newest first, with strict page sizes and cursors."""

from rest_framework import serializers
from rest_framework.exceptions import NotFound
from rest_framework.pagination import CursorPagination

from messaging.api.serializers import MAX_ID
from messaging.limits import DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE


class MessageCursorPagination(CursorPagination):
    """Page on the primary key: every page is an index range scan, as cheap at row 10 as at row 1,000,000.

    Ids only grow, so a page's boundaries never move when new messages arrive. Unlike DRF's default,
    a bad ``page_size`` or ``cursor`` is a 400 naming the parameter rather than a silent fallback or a 404.
    """

    ordering = "-id"
    page_size = DEFAULT_PAGE_SIZE
    page_size_query_param = "page_size"
    max_page_size = MAX_PAGE_SIZE

    def get_page_size(self, request):
        raw = request.query_params.get(self.page_size_query_param)
        if raw is None:
            return self.page_size
        field = serializers.IntegerField(min_value=1, max_value=self.max_page_size)
        try:
            return field.run_validation(raw)
        except serializers.ValidationError as exc:
            raise serializers.ValidationError({self.page_size_query_param: exc.detail}) from None

    def decode_cursor(self, request):
        try:
            cursor = super().decode_cursor(request)
        except NotFound:
            cursor = None
            valid = False
        else:
            valid = cursor is None or _is_id(cursor.position)
        if not valid:
            raise serializers.ValidationError({self.cursor_query_param: [self.invalid_cursor_message]})
        return cursor


def _is_id(position: str | None) -> bool:
    if position is None:
        return True
    return position.isascii() and position.isdigit() and int(position) <= MAX_ID
