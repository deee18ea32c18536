"""Text is split around its placeholder only where the placeholder's place is certain."""

import pytest

from messaging.api.placeholders import split_at


def test_text_is_split_around_its_one_placeholder():
    assert split_at("/messages/987/detail", "987") == ("/messages/", "/detail")


@pytest.mark.parametrize("text", ["/messages/", "/987/messages/987"])
def test_text_without_exactly_one_placeholder_is_not_split(text):
    assert split_at(text, "987") is None
