"""A new message's Location is the URL Django's ``reverse`` gives for it, under any script prefix."""

import pytest
from django.urls import clear_script_prefix, reverse, set_script_prefix

from messaging.api.views import DETAIL_ROUTE

pytestmark = pytest.mark.django_db


def post(api):
    return api.post("/messages", {"sender": "alice", "content": "hi"}, format="json")


def test_location_is_the_detail_route(api):
    response = post(api)

    message_id = response.json()["id"]
    assert response["Location"] == reverse(DETAIL_ROUTE, kwargs={"pk": message_id}) == f"/messages/{message_id}"


@pytest.mark.parametrize("prefix", ["/app/", "/987654321/", "/{odd} one/"])
def test_location_follows_the_script_prefix(api, prefix):
    set_script_prefix(prefix)
    try:
        response = post(api)
        expected = reverse(DETAIL_ROUTE, kwargs={"pk": response.json()["id"]})
    finally:
        clear_script_prefix()

    assert response["Location"] == expected
    assert response["Location"] != f"/messages/{response.json()['id']}"
