"""Hand-picked bad requests, sent byte for byte over a socket to the production server: never a 5xx.

Each is answered with a 4xx in the one error shape (or, where the request is acceptable, stored exactly
as answered), and nothing refused is stored.
"""

import base64
import gzip
import json

import psycopg
import pytest

from tests.support.rawhttp import RawResponse, exchange

JSON = {"Content-Type": "application/json"}


@pytest.fixture
def send(server):
    def send(method, path, *, body=None, headers=None, **kwargs) -> RawResponse:
        if isinstance(body, dict):
            body = json.dumps(body).encode()
        response = exchange(server.port, method, path, body=body, headers=headers, **kwargs)
        assert response.status < 500, (response.status, response.body[:300])
        return response

    return send


@pytest.fixture
def row_count(database_url):
    def count() -> int:
        with psycopg.connect(database_url) as connection:
            return connection.execute("SELECT count(*) FROM messaging_message").fetchone()[0]

    return count


@pytest.fixture
def nothing_stored(row_count):
    before = row_count()
    yield
    assert row_count() == before, "a refused request stored a message"


def error_of(response: RawResponse) -> tuple[str, str | None, str | None]:
    """(type, code, attr) of the first error, after checking the one error shape."""
    assert response.header("content-type") == "application/json"
    body = response.json()
    assert set(body) == {"type", "errors"}
    assert body["errors"], body
    assert all(set(error) == {"code", "detail", "attr"} for error in body["errors"])
    first = body["errors"][0]
    return body["type"], first["code"], first["attr"]


def post_raw(send, body: bytes, headers=JSON, **kwargs) -> RawResponse:
    return send("POST", "/messages", body=body, headers=headers, **kwargs)


@pytest.mark.usefixtures("nothing_stored")
class TestRefused:
    @pytest.mark.parametrize("field", ["sender", "content"])
    def test_nul_byte(self, send, field):
        message = {"sender": "a", "content": "x", field: "before\u0000after"}

        response = send("POST", "/messages", body=message, headers=JSON)

        assert response.status == 400
        assert error_of(response) == ("validation_error", "null_characters_not_allowed", field)

    @pytest.mark.parametrize("field", ["sender", "content"])
    @pytest.mark.parametrize(
        "surrogate", [b"\\ud800", b"x\\udfffy", b"\\ud83d"], ids=["high", "low-inside", "unpaired-emoji-half"]
    )
    def test_lone_surrogate_escape(self, send, field, surrogate):
        value = b'"' + surrogate + b'"'
        body = b'{"sender": "a", "content": "x", "' + field.encode() + b'": ' + value + b"}"

        response = post_raw(send, body)

        assert response.status == 400
        assert error_of(response)[:2] == ("client_error", "parse_error")

    @pytest.mark.parametrize("field", ["sender", "content"])
    def test_surrogate_encoded_as_raw_utf8_bytes(self, send, field):
        # CESU-8 style bytes for U+D800: invalid UTF-8, which PostgreSQL would refuse to store.
        body = b'{"sender": "a", "content": "x", "' + field.encode() + b'": "\xed\xa0\x80"}'

        assert post_raw(send, body).status == 400

    @pytest.mark.parametrize("size", [1_000_000, 10_000_000], ids=["1MB", "10MB"])
    def test_oversized_body_with_a_length(self, send, size):
        body = json.dumps({"sender": "a", "content": "x" * size}).encode()

        response = post_raw(send, body)

        assert response.status == 413
        assert error_of(response)[:2] == ("client_error", "request_too_large")

    @pytest.mark.parametrize("size", [10, 1_000_000, 10_000_000], ids=["small", "1MB", "10MB"])
    def test_body_sent_chunked_needs_a_length(self, send, size):
        body = json.dumps({"sender": "a", "content": "x" * size}).encode()

        response = post_raw(send, body, chunked=True)

        assert response.status == 411
        assert error_of(response)[:2] == ("client_error", "length_required")

    @pytest.mark.parametrize("depth", [1_100, 20_000])
    def test_deeply_nested_json(self, send, depth):
        body = b'{"sender": "a", "content": ' + b"[" * depth + b"]" * depth + b"}"

        response = post_raw(send, body)

        assert response.status == 400
        assert error_of(response)[:2] == ("client_error", "parse_error")

    @pytest.mark.parametrize("field", ["sender", "content"])
    @pytest.mark.parametrize("value", [42, 4.2, True, None, ["a"], {"a": "b"}, []], ids=repr)
    def test_not_a_string_where_a_string_belongs(self, send, field, value):
        message = {"sender": "a", "content": "x", field: value}

        response = send("POST", "/messages", body=message, headers=JSON)

        assert response.status == 400
        assert error_of(response)[0] == "validation_error"
        assert error_of(response)[2] == field

    @pytest.mark.parametrize("body", [b"[]", b'"text"', b"42", b"null", b"true", b"{}"])
    def test_a_json_document_that_is_not_an_object(self, send, body):
        assert post_raw(send, body).status == 400

    @pytest.mark.parametrize(
        "content_type",
        ["text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x", "application/xml", ""],
    )
    def test_json_declared_as_something_else(self, send, content_type):
        headers = {"Content-Type": content_type} if content_type else {}

        response = post_raw(send, b'{"sender": "a", "content": "x"}', headers=headers)

        assert response.status == 415
        assert error_of(response)[:2] == ("client_error", "unsupported_media_type")

    @pytest.mark.parametrize(
        "body", [b"sender=a&content=x", b"<m><sender>a</sender></m>", b"\x00\x01\x02", b""], ids=repr
    )
    def test_something_else_declared_as_json(self, send, body):
        response = post_raw(send, body)

        assert response.status == 400

    def test_gzip_body_declared_as_gzip(self, send):
        body = gzip.compress(b'{"sender": "a", "content": "x"}')

        response = post_raw(send, body, headers={**JSON, "Content-Encoding": "gzip"})

        assert response.status == 415

    def test_gzip_body_not_declared(self, send):
        response = post_raw(send, gzip.compress(b'{"sender": "a", "content": "x"}'))

        assert response.status == 400
        assert error_of(response)[:2] == ("client_error", "parse_error")

    def test_gzip_bomb_is_never_inflated(self, send):
        bomb = gzip.compress(b'{"sender": "a", "content": "' + b"x" * 50_000_000 + b'"}')

        assert post_raw(send, bomb, headers={**JSON, "Content-Encoding": "gzip"}).status in (413, 415)


def cursor_of(querystring: str) -> str:
    return base64.b64encode(querystring.encode()).decode()


@pytest.mark.parametrize(
    "cursor",
    [
        "!!!",
        "not-base64",
        cursor_of("p=abc"),
        cursor_of("p=-1"),
        cursor_of("p=99999999999999999999"),
        cursor_of("o=999999999"),
        cursor_of("r=2"),
        cursor_of("x=1"),
        cursor_of("p=1&p=2"),
        base64.b64encode(b"\xff\xfe").decode(),
        "A" * 3000,
    ],
    ids=lambda cursor: cursor[:24],
)
def test_invalid_cursor_is_a_400_naming_it(send, cursor):
    response = send("GET", f"/messages?cursor={cursor}")

    assert response.status == 400
    assert error_of(response) == ("validation_error", "invalid", "cursor")


def test_tampered_cursor_is_a_400_and_a_real_one_works(send):
    for n in range(3):
        send("POST", "/messages", body={"sender": "cursor", "content": f"m{n}"}, headers=JSON)
    first = send("GET", "/messages?sender=cursor&page_size=1").json()
    cursor = first["next"].split("cursor=")[1].split("&")[0]
    tampered = cursor[:-2] + ("A" if cursor[-2] != "A" else "B") + cursor[-1]

    assert send("GET", f"/messages?sender=cursor&page_size=1&cursor={cursor}").status == 200
    assert send("GET", f"/messages?sender=cursor&page_size=1&cursor={tampered}").status in (200, 400)


@pytest.mark.parametrize("page_size", ["201", "0", "-1", "abc", "1e3", "1.5", "9" * 40, "", "%00"])
def test_page_size_out_of_range_is_a_400_naming_it(send, page_size):
    response = send("GET", f"/messages?page_size={page_size}")

    assert response.status == 400
    assert error_of(response) == ("validation_error", error_of(response)[1], "page_size")


@pytest.mark.parametrize(
    "path",
    ["/messages/-1", "/messages/abc", "/messages/1.5", "/messages/0x10", "/messages/1e9", f"/messages/{2**63}"],
)
def test_impossible_message_id_is_a_404(send, path):
    response = send("GET", path)

    assert response.status == 404
    assert error_of(response)[:2] == ("client_error", "not_found")


def test_id_far_past_bigint_is_a_404(send):
    assert send("GET", "/messages/" + "9" * 400).status == 404


def test_request_line_over_the_server_limit_is_a_414(send):
    assert send("GET", "/messages?cursor=" + "A" * 5000).status == 414


@pytest.mark.parametrize(
    "path",
    [
        "/static/../../../../etc/passwd",
        "/static/%2e%2e/%2e%2e/%2e%2e/etc/passwd",
        "/static/..%2f..%2f..%2fetc/passwd",
        "/messages/../../etc/passwd",
        "/..%5c..%5cetc%5cpasswd",
        "/static/%252e%252e/settings.py",
        "/static/admin/../../../project/settings/base.py",
        "//etc/passwd",
    ],
)
def test_path_traversal_reaches_no_file(send, path):
    response = send("GET", path)

    assert response.status in (400, 404)
    assert b"root:" not in response.body
    assert b"SECRET_KEY" not in response.body


@pytest.mark.parametrize(
    "header", ["X-HTTP-Method-Override", "X-HTTP-Method", "X-Method-Override"], ids=lambda header: header
)
def test_method_override_headers_are_ignored(send, header):
    created = send("POST", "/messages", body={"sender": "override", "content": "keep me"}, headers=JSON).json()
    path = f"/messages/{created['id']}"

    as_delete = send("POST", path, headers={header: "DELETE"})
    as_put = send("GET", path, headers={header: "PUT"})

    assert as_delete.status == 405
    assert as_put.status == 200
    assert send("GET", path).json()["content"] == "keep me"


def test_method_override_query_parameter_is_ignored(send):
    created = send("POST", "/messages", body={"sender": "override", "content": "keep me"}, headers=JSON).json()

    response = send("POST", f"/messages/{created['id']}?_method=DELETE")

    assert response.status == 405
    assert send("GET", f"/messages/{created['id']}").status == 200


def test_duplicate_keys_store_what_is_answered(send):
    body = b'{"sender": "first", "sender": "last", "content": "one", "content": "two"}'

    response = post_raw(send, body)
    stored = send("GET", f"/messages/{response.json()['id']}").json()

    assert response.status == 201
    assert (stored["sender"], stored["content"]) == (response.json()["sender"], response.json()["content"])
    assert (stored["sender"], stored["content"]) == ("last", "two")


@pytest.mark.parametrize("host", ["evil.example.com", "127.0.0.1:1@evil", "", "a" * 300])
def test_unknown_host_is_a_400(server, host):
    response = exchange(server.port, "GET", "/messages", headers={"Host": host})

    assert response.status == 400
