"""A new message's Location is the URL Django's ``reverse`` gives for it, under any script prefix."""

import pytest
from django.urls import clear_script_prefix, clear_url_caches, reverse, set_script_prefix

from messaging.api.locations import DETAIL_ROUTE, message_location


@pytest.mark.parametrize("pk", [1, 7, 987654321, 2**63 - 1])
def test_location_is_reverse(pk):
    assert message_location(pk) == reverse(DETAIL_ROUTE, kwargs={"pk": pk}) == f"/messages/{pk}"


# The second holds the placeholder id (no template can be made of it), the third what reverse() quotes.
@pytest.mark.parametrize("prefix", ["/app/", "/987654321/", "/{odd} one/"])
def test_location_follows_the_script_prefix(prefix):
    set_script_prefix(prefix)
    try:
        assert message_location(12) == reverse(DETAIL_ROUTE, kwargs={"pk": 12})
        assert message_location(12) != "/messages/12"
    finally:
        clear_script_prefix()
    assert message_location(12) == "/messages/12"


def test_location_follows_another_urlconf(settings):
    settings.ROOT_URLCONF = "tests.messaging.api.alternate_urls"
    clear_url_caches()
    try:
        assert message_location(5) == reverse(DETAIL_ROUTE, kwargs={"pk": 5}) == "/v2/messages/5/detail"
    finally:
        clear_url_caches()
