"""A ``sender`` or ``content`` nested deep, sent over HTTP to the production server: a 400, never a 5xx.

The depths straddle where a value's ``str()`` exceeds Python's recursion limit (a little under 1,000
levels, depending on the stack already in use) and the JSON parser's own nesting limit (1,024);
``tests/messaging/api/test_nested_json.py`` sweeps every depth in process. Each exchange is bounded by
its socket timeout, so a stuck worker fails the test instead of hanging it.
"""

import psycopg
import pytest

from tests.support.rawhttp import exchange

DEPTHS = [1, 2, 100, 900, 940, 949, 950, 999, 1000, 1022, 1023, 1024, 1025, 2000]
FIELDS = ("sender", "content")
# Seconds one answer may take; a refused body is answered in milliseconds.
ANSWER_TIMEOUT_S = 10


def nested(shape: str, depth: int) -> bytes:
    if shape == "list":
        return b"[" * depth + b"]" * depth
    return b'{"a":' * (depth - 1) + b"{}" + b"}" * (depth - 1)


def body(field: str, value: bytes) -> bytes:
    other = next(name for name in FIELDS if name != field)
    return b'{"' + other.encode() + b'": "x", "' + field.encode() + b'": ' + value + b"}"


def row_count(database_url: str) -> int:
    with psycopg.connect(database_url) as connection:
        return connection.execute("SELECT count(*) FROM messaging_message").fetchone()[0]


@pytest.mark.parametrize("field", FIELDS)
@pytest.mark.parametrize("shape", ["list", "object"])
def test_nested_value_is_a_400_at_every_depth(server, database_url, field, shape):
    before = row_count(database_url)
    statuses = {}
    for depth in DEPTHS:
        response = exchange(
            server.port,
            "POST",
            "/messages",
            body=body(field, nested(shape, depth)),
            headers={"Content-Type": "application/json"},
            timeout=ANSWER_TIMEOUT_S,
        )
        statuses[depth] = response.status

    assert statuses == dict.fromkeys(DEPTHS, 400)
    assert row_count(database_url) == before
    assert server.get("/health").status_code == 200
