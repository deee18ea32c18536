"""Keyset (cursor) pagination of messages, newest first, with strict page sizes and cursors."""

import binascii
from base64 import b64decode, b64encode
from functools import lru_cache
from urllib import parse

from rest_framework import serializers
from rest_framework.pagination import Cursor, CursorPagination
from rest_framework.utils.urls import replace_query_param

from messaging.api.placeholders import split_at
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

    def encode_cursor(self, cursor: Cursor) -> str:
        """DRF's link to ``cursor``, without taking the page's URL apart again for every link.

        DRF splits the page's URL, parses, sorts and re-encodes its query and joins it up again, for the
        next link and again for the previous one: 8 µs a link in a loop. Only the cursor's value differs
        between the links of one page URL, so DRF builds the link once per URL with a placeholder value,
        and each link fills the placeholder: a deep page (two links, a URL with a query) fell from 3.21 to
        3.06 M instructions in a worker (``make instructions``). A position that is not an id, or a
        URL DRF's link would not hold the placeholder in exactly once, goes through DRF.
        ``tests/messaging/api/test_pagination.py`` compares the links with DRF's.
        """
        token = _cursor_token(cursor)
        template = None if token is None else _link_template(self.base_url, self.cursor_query_param)
        if template is None:
            return super().encode_cursor(cursor)
        before, after = template
        return f"{before}{parse.quote_plus(token)}{after}"

    def decode_cursor(self, request):
        encoded = _query_param(request, self.cursor_query_param)
        if encoded is None:
            return None
        cursor = _parse_cursor(encoded, offset_cutoff=self.offset_cutoff)
        if cursor is None:
            raise serializers.ValidationError({self.cursor_query_param: [self.invalid_cursor_message]})
        return cursor


def _query_param(request, name: str) -> str | None:
    """The last value of query parameter ``name``, as ``QueryDict.get`` gives it, or None.

    ``get`` finds a missing key, a list page's usual case, by raising and catching two exceptions: a
    ``GET /messages`` spent 3 % of its time on that for these two parameters (py-spy).
    """
    params = request.query_params
    return params[name] if name in params else None  # noqa: SIM401 - get() is the slow path this avoids


# Stands for the cursor's value in a link: DRF's quoting leaves it as it is. Not a possible base64 token.
LINK_PLACEHOLDER = "-cursor-"


# A walk down the cursor chain asks for each page URL twice (next and previous link) and then never
# again; the bound keeps a stream of such URLs from growing the cache.
@lru_cache(maxsize=64)
def _link_template(url: str, cursor_param: str) -> tuple[str, str] | None:
    """DRF's link from page ``url`` split around the cursor's value, or None if that value cannot be told
    apart in it. DRF re-encodes the query in key order, so the value's place does not depend on it."""
    return split_at(replace_query_param(url, cursor_param, LINK_PLACEHOLDER), LINK_PLACEHOLDER)


def _cursor_token(cursor: Cursor) -> str | None:
    """The cursor's token as DRF's ``encode_cursor`` writes it, or None if its position is not an id.

    DRF url-encodes ``o``, ``r`` and ``p`` in that order; digits come out of that unchanged.
    """
    position = cursor.position
    if position is not None and not _is_uint(position):
        return None
    tokens = []
    if cursor.offset != 0:
        tokens.append(f"o={cursor.offset}")
    if cursor.reverse:
        tokens.append("r=1")
    if position is not None:
        tokens.append(f"p={position}")
    return b64encode("&".join(tokens).encode("ascii")).decode("ascii")


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
