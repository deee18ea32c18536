"""POST /messages: the seed's request, and every way a body can be wrong."""

import pytest

from messaging.limits import CONTENT_MAX_LENGTH, SENDER_MAX_LENGTH
from messaging.models import Message

pytestmark = pytest.mark.django_db


def post(api, body, **kwargs):
    return api.post("/messages", body, format="json", **kwargs)


def only_error(response, attr):
    body = response.json()
    assert body["type"] == "validation_error"
    assert [error["attr"] for error in body["errors"]] == [attr]
    return body["errors"][0]


def test_seed_post_is_stored_and_returned_with_location(api):
    response = post(api, {"sender": "alice", "content": "Hello from AWS!"})

    assert response.status_code == 201
    body = response.json()
    assert set(body) == {"id", "sender", "content", "created_at"}
    assert (body["sender"], body["content"]) == ("alice", "Hello from AWS!")
    assert response["Location"] == f"/messages/{body['id']}"
    assert Message.objects.get(id=body["id"]).content == "Hello from AWS!"


def test_trailing_slash_posts_without_redirect(api):
    response = api.post("/messages/", {"sender": "bob", "content": "hi"}, format="json")

    assert response.status_code == 201


def test_surrounding_whitespace_is_trimmed(api):
    response = post(api, {"sender": "  carol ", "content": "\thello \n"})

    assert (response.json()["sender"], response.json()["content"]) == ("carol", "hello")


def test_unicode_is_kept_exactly(api):
    content = "こんにちは 👋🏽 ñ"

    response = post(api, {"sender": "dave", "content": content})

    assert Message.objects.get(id=response.json()["id"]).content == content


def test_extra_fields_are_ignored_and_id_cannot_be_chosen(api):
    response = post(api, {"sender": "erin", "content": "x", "id": 999999, "created_at": "2000-01-01T00:00:00Z"})

    assert response.status_code == 201
    assert response.json()["created_at"] != "2000-01-01T00:00:00Z"


@pytest.mark.parametrize(
    ("body", "attr", "code"),
    [
        ({"content": "x"}, "sender", "required"),
        ({"sender": "a"}, "content", "required"),
        ({"sender": "", "content": "x"}, "sender", "blank"),
        ({"sender": "a", "content": "   \n\t "}, "content", "blank"),
        ({"sender": None, "content": "x"}, "sender", "null"),
        ({"sender": 42, "content": "x"}, "sender", "invalid"),
        ({"sender": "a", "content": True}, "content", "invalid"),
        ({"sender": ["a"], "content": "x"}, "sender", "invalid"),
        ({"sender": "a", "content": {"text": "x"}}, "content", "invalid"),
        ({"sender": "a" * (SENDER_MAX_LENGTH + 1), "content": "x"}, "sender", "max_length"),
        ({"sender": "a", "content": "x" * (CONTENT_MAX_LENGTH + 1)}, "content", "max_length"),
        ({"sender": "a\x00b", "content": "x"}, "sender", "null_characters_not_allowed"),
        ({"sender": "a", "content": "x\x00"}, "content", "null_characters_not_allowed"),
    ],
)
def test_invalid_field_is_a_400_naming_it(api, body, attr, code):
    response = post(api, body)

    assert response.status_code == 400
    assert only_error(response, attr)["code"] == code
    assert not Message.objects.exists()


def test_longest_allowed_values_are_accepted(api):
    response = post(api, {"sender": "a" * SENDER_MAX_LENGTH, "content": "x" * CONTENT_MAX_LENGTH})

    assert response.status_code == 201


def test_lone_surrogate_escape_is_a_400(api):
    raw = b'{"sender": "a", "content": "bad \\ud800 half"}'

    response = api.post("/messages", raw, content_type="application/json")

    assert response.status_code == 400
    assert response.json()["errors"][0]["code"] == "parse_error"
    assert not Message.objects.exists()


def test_body_that_is_not_an_object_is_a_400(api):
    response = api.post("/messages", b'["alice", "hi"]', content_type="application/json")

    assert response.status_code == 400
    assert only_error(response, "non_field_errors")["code"] == "invalid"
