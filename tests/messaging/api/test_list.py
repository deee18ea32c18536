"""GET /messages: newest first, keyset pages, filters and polling."""

import base64

import pytest
from rest_framework.test import APIRequestFactory

from messaging.api.views import MessageListCreateView
from messaging.limits import DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE
from messaging.models import Message

pytestmark = pytest.mark.django_db


def make_messages(count, sender="alice"):
    return Message.objects.bulk_create(Message(sender=sender, content=f"message {n}") for n in range(count))


def ids(response):
    return [message["id"] for message in response.json()["results"]]


def follow(api, url):
    """Every id in the cursor chain starting at ``url``."""
    seen = []
    while url:
        response = api.get(url)
        assert response.status_code == 200
        seen += ids(response)
        url = response.json()["next"]
    return seen


def test_empty_list(api):
    response = api.get("/messages")

    assert response.status_code == 200
    assert response.json() == {"next": None, "previous": None, "results": []}


def test_newest_first_with_default_page_size(api):
    created = make_messages(DEFAULT_PAGE_SIZE + 5)

    response = api.get("/messages")

    assert ids(response) == sorted((m.id for m in created), reverse=True)[:DEFAULT_PAGE_SIZE]
    assert response.json()["next"] is not None


def test_trailing_slash_lists_too(api):
    make_messages(1)

    assert len(ids(api.get("/messages/"))) == 1


def test_cursor_chain_visits_every_message_once(api):
    created = make_messages(23)

    assert follow(api, "/messages?page_size=5") == sorted((m.id for m in created), reverse=True)


def test_pages_stay_stable_while_new_messages_arrive(api):
    created = make_messages(10)
    first = api.get("/messages?page_size=4").json()

    make_messages(3)
    rest = follow(api, first["next"])

    assert [m["id"] for m in first["results"]] + rest == sorted((m.id for m in created), reverse=True)


def test_previous_link_returns_the_page_before(api):
    make_messages(9)
    first = api.get("/messages?page_size=3").json()
    second = api.get(first["next"]).json()

    back = api.get(second["previous"]).json()

    assert back["results"] == first["results"]


def test_client_may_ask_for_the_maximum_page(api):
    make_messages(MAX_PAGE_SIZE + 1)

    assert len(ids(api.get(f"/messages?page_size={MAX_PAGE_SIZE}"))) == MAX_PAGE_SIZE


def test_sender_filter(api):
    make_messages(3, sender="alice")
    bobs = make_messages(2, sender="bob")

    response = api.get("/messages?sender=bob")

    assert ids(response) == sorted((m.id for m in bobs), reverse=True)


def test_after_returns_only_newer_messages_for_polling(api):
    old = make_messages(3)
    seen = max(m.id for m in old)
    new = make_messages(2)

    assert ids(api.get(f"/messages?after={seen}")) == sorted((m.id for m in new), reverse=True)
    assert ids(api.get(f"/messages?after={max(m.id for m in new)}")) == []


def test_a_new_post_is_visible_on_the_next_get(api):
    posted = api.post("/messages", {"sender": "zed", "content": "mine"}, format="json").json()

    assert ids(api.get("/messages"))[0] == posted["id"]


@pytest.mark.parametrize("value", ["0", "-1", "abc", "1.5", str(MAX_PAGE_SIZE + 1), "99999999999999999999", ""])
def test_invalid_page_size_is_a_400(api, value):
    response = api.get("/messages", {"page_size": value})

    assert response.status_code == 400
    assert response.json()["errors"][0]["attr"] == "page_size"


def encode_cursor(querystring: str) -> str:
    return base64.b64encode(querystring.encode()).decode()


@pytest.mark.parametrize(
    "cursor",
    [
        "garbage",
        "%%%",
        "é",
        encode_cursor("o=1&r=0&p=abc"),
        encode_cursor("o=-5&r=0&p=1"),
        encode_cursor("o=0&r=x&p=1"),
        encode_cursor("p=99999999999999999999999"),
        encode_cursor("p=1' OR '1'='1"),
        encode_cursor("p=\x00"),
    ],
    ids=["garbage", "percent", "non-ascii", "text-position", "negative-offset", "bad-reverse", "huge", "sql", "nul"],
)
def test_invalid_or_tampered_cursor_is_a_400(api, cursor):
    make_messages(3)

    response = api.get("/messages", {"cursor": cursor})

    assert response.status_code == 400
    assert response.json()["errors"][0]["attr"] == "cursor"


@pytest.mark.parametrize(
    ("params", "attr"),
    [
        ({"after": "abc"}, "after"),
        ({"after": "-1"}, "after"),
        ({"after": "99999999999999999999"}, "after"),
        ({"sender": "a\x00"}, "sender"),
        ({"sender": "x" * 101}, "sender"),
    ],
)
def test_invalid_filter_is_a_400(api, params, attr):
    response = api.get("/messages", params)

    assert response.status_code == 400
    assert response.json()["errors"][0]["attr"] == attr


def test_authentication_is_lazy_and_reads_as_drfs_anonymous_user():
    """The list view leaves ``request.user`` to be resolved when read; read, it is what DRF sets up front."""
    seen = {}

    class RecordingView(MessageListCreateView):
        def list(self, request, *args, **kwargs):
            seen["resolved before read"] = hasattr(request, "_user")
            seen["user"], seen["auth"] = request.user, request.auth
            return super().list(request, *args, **kwargs)

    response = RecordingView.as_view()(APIRequestFactory().get("/messages"))

    assert response.status_code == 200
    assert seen == {"resolved before read": False, "user": None, "auth": None}
