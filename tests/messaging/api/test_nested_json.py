"""A ``sender`` or ``content`` nested arbitrarily deep is refused with a 400, never a 500, and nothing is stored.

The sweep covers every depth from 1 to past the JSON parser's nesting limit, in lists and in objects,
through the whole middleware stack; ``tests/reliability/test_nested_json.py`` checks the same over HTTP.
"""

import pytest

from messaging.models import Message

pytestmark = pytest.mark.django_db

MAX_DEPTH = 2_000
FIELDS = ("sender", "content")


def nested_list(depth: int) -> str:
    return "[" * depth + "]" * depth


def nested_object(depth: int) -> str:
    return '{"a":' * (depth - 1) + "{}" + "}" * (depth - 1)


def body(field: str, value: str) -> bytes:
    other = next(name for name in FIELDS if name != field)
    return f'{{"{other}": "x", "{field}": {value}}}'.encode()


@pytest.fixture(autouse=True)
def _unlimited_posts(settings):
    """The post rate limit would answer 429 before the body is read: the sweep is about the body."""
    settings.MESSAGES_POST_RATE = ""


@pytest.mark.parametrize("field", FIELDS)
@pytest.mark.parametrize("nest", [nested_list, nested_object], ids=["list", "object"])
def test_every_depth_is_a_400(api, field, nest):
    answers = {}
    for depth in range(1, MAX_DEPTH + 1):
        response = api.post("/messages", body(field, nest(depth)), content_type="application/json")
        answers.setdefault(response.status_code, []).append(depth)

    assert list(answers) == [400], {status: (depths[0], depths[-1], len(depths)) for status, depths in answers.items()}
    assert not Message.objects.exists()


@pytest.mark.parametrize("field", FIELDS)
@pytest.mark.parametrize("nest", [nested_list, nested_object], ids=["list", "object"])
@pytest.mark.parametrize("depth", [1, 950, 1000, 1022])
def test_a_parsed_nested_value_is_refused_as_not_a_string_naming_the_field(api, field, nest, depth):
    response = api.post("/messages", body(field, nest(depth)), content_type="application/json")

    assert response.status_code == 400
    assert response.json()["errors"] == [{"code": "invalid", "detail": "Not a valid string.", "attr": field}]
