"""The post limit's rate, per client address; a post past it is answered with DRF's 429 and ``Retry-After``."""

from django.conf import settings
from rest_framework.request import Request

from messaging.client import client_address
from messaging.limits import parse_rate
from messaging.post_windows import Allowance


def post_allowance(request: Request) -> Allowance | None:
    """The allowance of the client that sent ``request`` under ``MESSAGES_POST_RATE``; None when it is off.

    Read at request time, so settings overrides apply. The limit holds across the service: every worker
    of every task counts in one table of the database, in the same statement that stores the post
    (``messaging.services.message_create``, docs/adr/0020-shared-post-limit.md). Refused posts count too, so a
    client that keeps posting past its limit stays refused until its window ends; a malformed post is
    refused before it is counted, and costs the database nothing.
    """
    rate = settings.MESSAGES_POST_RATE
    if not rate:
        return None
    posts, period = parse_rate(rate)
    return Allowance(client=client_address(request), posts=posts, period=period)
