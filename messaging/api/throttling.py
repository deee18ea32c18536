"""Rate limit on posting messages, per client address, answered with DRF's 429 and ``Retry-After``."""

from django.conf import settings
from rest_framework.throttling import SimpleRateThrottle

from messaging.client import client_address
from messaging.post_windows import client_post_count

# The one method the limit counts.
LIMITED_METHOD = "POST"


class MessagePostRateThrottle(SimpleRateThrottle):
    """At most ``MESSAGES_POST_RATE`` (e.g. ``60/min``) ``POST /messages`` per client address; reads are free.

    The limit holds across the service: every worker of every task counts in one table of the database
    (``messaging.post_windows``, docs/adr/0020-shared-post-limit.md), at one upsert per post, instead of
    DRF's list of timestamps in a cache, which would be read and written back by each process in turn
    and lose counts between them. Refused posts count too, so a client that keeps posting past its limit
    stays refused until its window ends.
    """

    scope = "messages_post"
    window_left: float | None = None

    def get_rate(self) -> str | None:
        # Read at request time (DRF reads its rates once at import), so settings overrides apply.
        return settings.MESSAGES_POST_RATE or None

    def allow_request(self, request, view) -> bool:
        if self.rate is None or request.method != LIMITED_METHOD:
            return True
        counted = client_post_count(client=client_address(request), period=self.duration)
        self.window_left = counted.window_left
        return counted.posts <= self.num_requests

    def wait(self) -> float | None:
        return self.window_left
