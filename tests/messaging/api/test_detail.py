"""GET /messages/{id}."""

import pytest

from messaging.models import Message

pytestmark = pytest.mark.django_db


def test_existing_message(api):
    message = Message.objects.create(sender="alice", content="hi")

    response = api.get(f"/messages/{message.id}")

    assert response.status_code == 200
    assert response.json()["content"] == "hi"


def test_trailing_slash_works_too(api):
    message = Message.objects.create(sender="alice", content="hi")

    assert api.get(f"/messages/{message.id}/").status_code == 200


@pytest.mark.parametrize("pk", ["0", "123456789", "9223372036854775807", "9999999999999999999"])
def test_missing_message_is_a_json_404(api, pk):
    response = api.get(f"/messages/{pk}")

    assert response.status_code == 404
    assert response.json() == {
        "type": "client_error",
        "errors": [{"code": "not_found", "detail": "Not found.", "attr": None}],
    }
