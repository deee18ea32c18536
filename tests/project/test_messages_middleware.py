"""The admin's one-time messages still reach the next page; API requests never build their storage."""

import pytest
from django.contrib import admin
from django.contrib.messages import constants, get_messages
from django.contrib.messages.storage.fallback import FallbackStorage

from messaging.models import Message

pytestmark = pytest.mark.django_db


class RecordingStorage(FallbackStorage):
    """The default message storage, noting the path of each request it is built for."""

    built: list[str] = []

    def __init__(self, request, *args, **kwargs):
        self.built.append(request.path)
        super().__init__(request, *args, **kwargs)


@pytest.fixture
def storages_built(settings):
    settings.MESSAGE_STORAGE = f"{__name__}.RecordingStorage"
    RecordingStorage.built = []
    return RecordingStorage.built


def test_an_api_request_builds_no_message_storage(api, storages_built):
    assert api.post("/messages", {"sender": "a", "content": "b"}, format="json").status_code == 201
    response = api.get("/messages")

    assert response.status_code == 200
    assert storages_built == []
    assert "messages" not in response.cookies


def test_the_admin_message_after_a_delete_shows_on_the_next_page(admin_client, storages_built):
    message = Message.objects.create(sender="spam", content="buy now")
    changelist = "/admin/messaging/message/"

    deleted = admin_client.post(
        changelist, {"action": "delete_selected", admin.helpers.ACTION_CHECKBOX_NAME: [message.pk], "post": "yes"}
    )
    shown = admin_client.get(deleted["Location"])

    assert deleted.status_code == 302
    assert not Message.objects.filter(pk=message.pk).exists()
    assert [(m.level, m.message) for m in get_messages(shown.wsgi_request)] == [
        (constants.SUCCESS, "Successfully deleted 1 message.")
    ]
    assert "Successfully deleted 1 message." in shown.text
    assert changelist in storages_built
