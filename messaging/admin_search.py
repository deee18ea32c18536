"""The admin's message search: by sender prefix and by words in the content, both served by indexes."""

import re

from django.db.models import Q, QuerySet
from django.utils.text import smart_split, unescape_string_literal

# pg_trgm takes its trigrams from runs of letters and digits: a term without three of them in a row has
# none, and its index would have to be read whole (a full index scan) to match it in the content.
INDEXABLE_TERM = re.compile(r"[^\W_]{3}")


def search_terms(search_term: str) -> list[str]:
    """The words of ``search_term``, a quoted phrase counting as one, as the stock admin splits them."""
    terms = []
    for bit in smart_split(search_term):
        if bit.startswith(('"', "'")) and bit[0] == bit[-1]:
            bit = unescape_string_literal(bit)
        if bit.strip():
            terms.append(bit)
    return terms


def message_search(queryset: QuerySet, search_term: str) -> tuple[QuerySet, list[str]]:
    """``queryset`` narrowed to messages matching every term, and the terms looked for among senders only.

    A term matches a sender that starts with it (case-sensitive, as senders are) or, when it holds three
    letters or digits in a row, content that contains it in any case (Django's ``icontains``, served on
    PostgreSQL by the trigram index on ``UPPER(content)``). A shorter term would make PostgreSQL read
    the whole trigram index, so it only matches senders.
    """
    senders_only = []
    for term in search_terms(search_term):
        match = Q(sender__startswith=term)
        if INDEXABLE_TERM.search(term):
            match |= Q(content__icontains=term)
        else:
            senders_only.append(term)
        queryset = queryset.filter(match)
    return queryset, senders_only
