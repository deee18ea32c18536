"""``GET /messages`` renders, byte for byte, the page a plain DRF list of ``Message.objects`` renders.

The reference is DRF's generic path: a ``ListAPIView`` over the ORM with a ``ModelSerializer`` and a
stock ``CursorPagination`` ordered by ``-id``; the filters narrow its queryset as the API describes them.
"""

import base64
from datetime import UTC, datetime, timedelta

import pytest
from rest_framework import generics, serializers
from rest_framework.pagination import CursorPagination
from rest_framework.test import APIRequestFactory

from messaging.limits import DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE
from messaging.models import Message

pytestmark = pytest.mark.django_db


class ModelMessageSerializer(serializers.ModelSerializer):
    class Meta:
        model = Message
        fields = ["id", "sender", "content", "created_at"]


class StockCursorPagination(CursorPagination):
    ordering = "-id"
    page_size = DEFAULT_PAGE_SIZE
    page_size_query_param = "page_size"
    max_page_size = MAX_PAGE_SIZE


class OrmMessageList(generics.ListAPIView):
    serializer_class = ModelMessageSerializer
    pagination_class = StockCursorPagination

    def get_queryset(self):
        messages = Message.objects.all()
        if "sender" in self.request.query_params:
            messages = messages.filter(sender=self.request.query_params["sender"])
        if "after" in self.request.query_params:
            messages = messages.filter(id__gt=int(self.request.query_params["after"]))
        return messages


def orm_page(path: str) -> bytes:
    response = OrmMessageList.as_view()(APIRequestFactory().get(path))
    assert response.status_code == 200
    return response.render().content


def cursor(querystring: str) -> str:
    return base64.b64encode(querystring.encode("ascii")).decode("ascii")


@pytest.fixture
def messages():
    """Two senders interleaved, timestamps with and without a fraction of a second, text needing escapes."""
    start = datetime(2026, 11, 29, 6, 51, 36, tzinfo=UTC)
    return Message.objects.bulk_create(
        Message(
            sender="alice" if n % 3 else "bob",
            content=f'message {n} "quoted" \u2028 ☃',
            created_at=start + timedelta(seconds=n, microseconds=0 if n % 4 == 0 else n * 1001),
        )
        for n in range(130)
    )


def paths(messages) -> list[str]:
    middle = messages[len(messages) // 2].id
    return [
        "/messages",
        "/messages?page_size=7",
        f"/messages?page_size={MAX_PAGE_SIZE}",
        "/messages?sender=bob",
        "/messages?sender=nobody",
        f"/messages?after={middle}",
        f"/messages?sender=alice&after={middle}&page_size=5",
        f"/messages?cursor={cursor(f'p={middle}')}",
        f"/messages?cursor={cursor(f'r=1&p={middle}')}&page_size=4",
        f"/messages?cursor={cursor(f'o=3&p={middle}')}",
        f"/messages?cursor={cursor(f'o=2&r=1&p={middle}')}&sender=bob",
        f"/messages?cursor={cursor('o=60')}&page_size=50",
        f"/messages?cursor={cursor(f'r=1&p={middle}')}&after={middle + 5}",
        f"/messages?cursor={cursor(f'p={middle}')}&after={middle - 3}",
        f"/messages?cursor={cursor('p=1')}",
        f"/messages?cursor={cursor(f'r=1&p={messages[-1].id}')}",
    ]


def test_every_kind_of_page_is_the_orms_byte_for_byte(api, messages):
    for path in paths(messages):
        response = api.get(path)

        assert response.status_code == 200, path
        assert response.content == orm_page(path), path


def walk(api, url: str, link: str) -> list[dict]:
    """The pages from ``url`` following ``link`` to the end, each checked against the ORM's."""
    pages = []
    while url:
        response = api.get(url)
        assert response.content == orm_page(url), url
        pages.append(response.json())
        url = pages[-1][link]
    return pages


@pytest.mark.parametrize("query", ["page_size=9", "sender=alice&page_size=6", "after={middle}&page_size=11"])
def test_each_page_of_a_cursor_chain_is_the_orms_both_ways(api, messages, query):
    """Down the ``next`` links to the oldest page, then back up the ``previous`` links to the newest."""
    query = query.format(middle=messages[len(messages) // 2].id)
    down = walk(api, f"http://testserver/messages?{query}", "next")
    up = walk(api, down[-1]["previous"], "previous")

    assert len(down) > 2
    assert [page["results"] for page in reversed(up)] == [page["results"] for page in down[:-1]]
