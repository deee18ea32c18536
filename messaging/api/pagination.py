"""Keyset (cursor) pagination of messages, newest first, with strict page sizes and cursors."""

import binascii
from base64 import b64decode
from urllib import parse

from rest_framework import serializers
from rest_framework.pagination import Cursor, CursorPagination

from messaging.api.serializers import MAX_ID
from messaging.limits import DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE
from messaging.rows import MessageRow
from messaging.selectors import message_page

# Newest first by id: the one ordering the keyset selector serves.
ORDERING = "-id"


class MessageCursorPagination(CursorPagination):
    """Page on the primary key: every page is an index range scan, as cheap at row 10 as at row 1,000,000.

    Ids only grow, so a page's boundaries never move when new messages arrive. Cursors and links are DRF's
    own (``encode_cursor``, ``get_next_link``, ``get_previous_link``); the rows come from the keyset
    selector instead of a queryset (docs/adr/0006-keyset-read-model.md). Unlike DRF's default, a bad
    ``page_size`` or ``cursor`` is a 400 naming the parameter rather than a silent fallback or a 404.
    """

    ordering = ORDERING
    page_size = DEFAULT_PAGE_SIZE
    page_size_query_param = "page_size"
    max_page_size = MAX_PAGE_SIZE

    def paginate_messages(self, request, *, sender: str | None = None, after: int | None = None) -> list[MessageRow]:
        """The page ``paginate_queryset`` would give for ``Message.objects.filter(sender=..., id__gt=after)``.

        It leaves the paginator in the state DRF's link methods read, as ``paginate_queryset`` does: a
        forward page holds ids below the cursor's position, newest first; a reverse (previous) page holds
        ids above it, read oldest first and turned around. One row past the page tells whether another
        page follows.
        """
        self.request = request
        self.page_size = self.get_page_size(request)
        self.base_url = request.build_absolute_uri()
        self.ordering = (ORDERING,)
        self.cursor = self.decode_cursor(request)
        offset, reverse, position = self.cursor or (0, False, None)
        position_id = None if position is None else int(position)
        # As DRF filters on the ordering's field: below the position going forward, above it going back.
        lower_bounds = [bound for bound in (after, position_id if reverse else None) if bound is not None]
        rows = message_page(
            sender=sender,
            after=max(lower_bounds, default=None),
            before=None if reverse else position_id,
            oldest_first=reverse,
            offset=offset,
            limit=self.page_size + 1,
        )
        self.page = rows[: self.page_size]
        following = str(rows[-1]["id"]) if len(rows) > self.page_size else None
        if reverse:
            self.page.reverse()
            self.has_next, self.next_position = position is not None or offset > 0, position
            self.has_previous, self.previous_position = following is not None, following
        else:
            self.has_next, self.next_position = following is not None, following
            self.has_previous, self.previous_position = position is not None or offset > 0, position
        return self.page

    def get_page_size(self, request):
        raw = _query_param(request, self.page_size_query_param)
        if raw is None:
            return self.page_size
        field = serializers.IntegerField(min_value=1, max_value=self.max_page_size)
        try:
            return field.run_validation(raw)
        except serializers.ValidationError as exc:
            raise serializers.ValidationError({self.page_size_query_param: exc.detail}) from None

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            if parameter["name"] == self.page_size_query_param:
                parameter["schema"].update(minimum=1, maximum=self.max_page_size, default=self.page_size)
        return parameters

    def decode_cursor(self, request):
        encoded = _query_param(request, self.cursor_query_param)
        if encoded is None:
            return None
        cursor = _parse_cursor(encoded, offset_cutoff=self.offset_cutoff)
        if cursor is None:
            raise serializers.ValidationError({self.cursor_query_param: [self.invalid_cursor_message]})
        return cursor


def _query_param(request, name: str) -> str | None:
    """The last value of query parameter ``name``, as ``QueryDict.get`` gives it, or None."""
    params = request.query_params
    return params[name] if name in params else None  # noqa: SIM401 - get() finds a missing key by raising


def _parse_cursor(encoded: str, *, offset_cutoff: int) -> Cursor | None:
    """The cursor DRF's ``encode_cursor`` wrote, or None for anything else: strict where DRF is lenient.

    DRF's own decoding skips non-base64 characters (so garbage can read as "first page"), accepts any
    text as a position (which the id filter then fails on with a 500) and answers 404 for the rest.
    """
    try:
        querystring = b64decode(encoded.encode("ascii"), validate=True).decode("ascii")
        tokens = parse.parse_qs(querystring, keep_blank_values=True, strict_parsing=True)
    except (ValueError, binascii.Error):
        return None
    if not tokens or set(tokens) - {"o", "r", "p"} or any(len(values) != 1 for values in tokens.values()):
        return None
    offset = tokens.get("o", ["0"])[0]
    reverse = tokens.get("r", ["0"])[0]
    position = tokens.get("p", [None])[0]
    if not (_is_uint(offset) and int(offset) <= offset_cutoff) or reverse not in ("0", "1"):
        return None
    if position is not None and not (_is_uint(position) and int(position) <= MAX_ID):
        return None
    return Cursor(offset=int(offset), reverse=reverse == "1", position=position)


def _is_uint(text: str) -> bool:
    return text.isascii() and text.isdigit() and len(text) <= 19
