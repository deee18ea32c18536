"""Rate limit on posting messages, per client address, answered with DRF's 429 and ``Retry-After``."""

from django.conf import settings
from django.core.cache import caches
from django.utils.functional import cached_property
from rest_framework.throttling import SimpleRateThrottle

from messaging.client import client_address

# The one method the limit counts.
LIMITED_METHOD = "POST"


class MessagePostRateThrottle(SimpleRateThrottle):
    """At most ``MESSAGES_POST_RATE`` (e.g. ``60/min``) ``POST /messages`` per client address; reads are free.

    Counts live in the ``THROTTLE_CACHE_ALIAS`` cache. With the default local-memory cache each gunicorn
    worker counts on its own, so the effective limit of a deployment is the rate times its workers times
    its tasks: a brake on one abusive client, not an exact global quota (which needs a shared cache).
    """

    scope = "messages_post"

    @cached_property
    def cache(self):
        # Looked up per throttle, i.e. per request, so settings overrides apply; once, not for the read
        # and again for the write (each lookup goes through Django's thread-local cache handler).
        return caches[settings.THROTTLE_CACHE_ALIAS]

    def get_rate(self) -> str | None:
        # Read at request time (DRF reads its rates once at import), so settings overrides apply.
        return settings.MESSAGES_POST_RATE or None

    def get_cache_key(self, request, view) -> str | None:
        if request.method != LIMITED_METHOD:
            return None
        return self.cache_format % {"scope": self.scope, "ident": client_address(request)}
