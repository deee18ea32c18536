"""The ``Location`` of a new message: the URL ``reverse("message-detail")`` gives, without reversing per post."""

from functools import lru_cache

from django.urls import get_resolver, get_script_prefix, get_urlconf, reverse

from messaging.api.placeholders import split_at

DETAIL_ROUTE = "message-detail"
# Reversed in place of a real id to find where the id goes; the route's int converter writes an id as str(id).
_PLACEHOLDER_ID = 987654321


def message_location(pk: int) -> str:
    """``reverse(DETAIL_ROUTE, kwargs={"pk": pk})``: a tenth of the CPU time of a ``POST /messages`` went to
    resolving the same route again for every post (10 µs, timeit). The template is kept per script prefix
    and URL resolver, the two things the result depends on; Django's own resolver cache is keyed the same
    way, so ``clear_url_caches()`` applies here too."""
    template = _template(get_script_prefix(), get_resolver(get_urlconf()))
    if template is None:
        return reverse(DETAIL_ROUTE, kwargs={"pk": pk})
    before, after = template
    return f"{before}{pk}{after}"


@lru_cache(maxsize=16)
def _template(script_prefix: str, resolver) -> tuple[str, str] | None:
    """The URL before and after the id; None if the id's place cannot be told (a prefix holding digits
    like the placeholder's). The arguments are only the key: reverse() reads both from the context."""
    return split_at(reverse(DETAIL_ROUTE, kwargs={"pk": _PLACEHOLDER_ID}), str(_PLACEHOLDER_ID))
