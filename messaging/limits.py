"""Sizes a message may have and how often one may be posted: read by the model, the API, settings and docs."""

from django.core.exceptions import ImproperlyConfigured

SENDER_MAX_LENGTH = 100
# A text message, not a document: generous for chat, small enough that a page of 50 stays light.
CONTENT_MAX_LENGTH = 4000
DEFAULT_PAGE_SIZE = 50
MAX_PAGE_SIZE = 200

# The units of a post rate, as DRF's throttle rates take them, by their first letter ("60/min", "1000/day").
RATE_PERIOD_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def parse_rate(rate: str) -> tuple[int, int]:
    """``"60/min"`` read as DRF's throttles read it: (60, 60), the posts and the period in seconds.

    ``"0/min"`` refuses every post, as it does in DRF: a switch that stops posting without a release.
    """
    try:
        count, unit = rate.split("/")
        posts, period = int(count), RATE_PERIOD_SECONDS[unit[:1]]
    except (ValueError, KeyError):
        raise ImproperlyConfigured(f"MESSAGES_POST_RATE {rate!r} is not <posts>/<s|min|hour|day>") from None
    if posts < 0:
        raise ImproperlyConfigured(f"MESSAGES_POST_RATE {rate!r} is not <posts>/<s|min|hour|day>")
    return posts, period
