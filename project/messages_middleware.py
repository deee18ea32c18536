"""Django's messages middleware, with the message storage built only for a request that uses it."""

from django.contrib.messages.middleware import MessageMiddleware
from django.contrib.messages.storage import default_storage
from django.utils.functional import SimpleLazyObject, empty


class LazyMessageMiddleware(MessageMiddleware):
    """``MessageMiddleware`` whose storage is built when a view first reads or adds a message.

    Only the admin uses messages, yet the stock middleware builds the storage (a cookie and a session
    backend) for every request. Storage nobody touched has nothing to save, so the response is left as
    the stock middleware would leave it.
    """

    def process_request(self, request):
        request._messages = SimpleLazyObject(lambda: default_storage(request))

    def process_response(self, request, response):
        messages = getattr(request, "_messages", None)
        if isinstance(messages, SimpleLazyObject) and messages._wrapped is empty:
            return response
        return super().process_response(request, response)
