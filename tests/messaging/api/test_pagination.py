"""The paginator's links are the ones DRF's ``CursorPagination`` builds, whatever the page's URL."""

import pytest
from rest_framework.pagination import Cursor, CursorPagination

from messaging.api.pagination import LINK_PLACEHOLDER, MessageCursorPagination, _link_template

PAGE_URLS = [
    "http://127.0.0.1:8091/messages",
    "https://api.example.com/messages/",
    "http://[::1]:8080/prefix/messages",
    "http://host/messages?page_size=5&sender=a%20b",
    "http://host/messages?cursor=cD0x&after=3",
    "http://host/messages?",
    "http://host/a%2Fb/messages",
    "http://host/messages?cursor=cD0xMDUx",
    "http://host/messages?z=1&a=2&cursor=x&cursor=y",
    # Hold the placeholder a link is built around: DRF builds these links itself.
    "http://host/messages?sender=-cursor-",
    "http://host/-cursor-/messages",
]
CURSORS = [
    Cursor(offset=0, reverse=False, position="951"),
    Cursor(offset=0, reverse=True, position="12"),
    Cursor(offset=3, reverse=True, position=None),
    Cursor(offset=50, reverse=False, position=None),
    Cursor(offset=0, reverse=False, position="9" * 19),
    Cursor(offset=0, reverse=False, position="a b&c"),
    Cursor(offset=0, reverse=False, position="١٢"),
]


def link(paginator_class, page_url, cursor):
    paginator = paginator_class()
    paginator.base_url = page_url
    return paginator.encode_cursor(cursor)


@pytest.mark.parametrize("page_url", PAGE_URLS)
@pytest.mark.parametrize("cursor", CURSORS, ids=str)
def test_link_is_drfs(page_url, cursor):
    assert link(MessageCursorPagination, page_url, cursor) == link(CursorPagination, page_url, cursor)


def test_links_follow_a_new_page_url():
    """A new ``base_url`` must not reuse the last one's check."""
    paginator = MessageCursorPagination()
    cursor = CURSORS[0]
    for page_url in PAGE_URLS:
        paginator.base_url = page_url
        assert paginator.encode_cursor(cursor) == link(CursorPagination, page_url, cursor)


@pytest.mark.parametrize("page_url", [url for url in PAGE_URLS if LINK_PLACEHOLDER in url])
def test_a_page_url_holding_the_placeholder_has_no_link_template(page_url):
    assert _link_template(page_url, "cursor") is None


def test_a_link_template_is_drfs_link_around_the_cursor():
    before, after = _link_template("http://host/messages?z=1&cursor=x&a=2", "cursor")

    assert (before, after) == ("http://host/messages?a=2&cursor=", "&z=1")
