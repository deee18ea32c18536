"""project.server_errors: gunicorn's own error answers carry the API's error body, byte for byte."""

import socket

import pytest

from messaging.api.error_shape import error_body
from messaging.api.errors import ErrorResponse
from project.server_errors import write_json_error


def answer_written(status: int, reason: str, message: str) -> tuple[bytes, bytes]:
    """What gunicorn's worker sends down a real socket, split into head and body."""
    server_end, client_end = socket.socketpair()
    with server_end, client_end:
        write_json_error(server_end, status, reason, message)
        server_end.shutdown(socket.SHUT_WR)
        received = b"".join(iter(lambda: client_end.recv(65536), b""))
    head, _, body = received.partition(b"\r\n\r\n")
    return head, body


@pytest.mark.parametrize(
    ("status", "reason", "message", "kind", "code"),
    [
        (414, "Request-URI Too Long", "Request Line is too large (8190 > 4094)", "client_error", "uri_too_long"),
        (
            431,
            "Request Header Fields Too Large",
            "Error parsing headers: 'limit request headers fields'",
            "client_error",
            "request_header_fields_too_large",
        ),
        (400, "Bad Request", "Invalid HTTP Header: 'X-Caf\u00e9'", "client_error", "bad_request"),
        (501, "Not Implemented", "Unsupported transfer coding: 'gzip'", "server_error", "not_implemented"),
    ],
    ids=["414", "431", "400-non-ascii", "501"],
)
def test_the_body_is_the_one_the_api_writes_for_the_same_error(status, reason, message, kind, code):
    head, body = answer_written(status, reason, message)

    expected = ErrorResponse(error_body(kind, code, message), status)
    assert body == expected.content
    assert head.startswith(f"HTTP/1.1 {status} {reason}\r\n".encode())
    assert f"Content-Length: {len(body)}".encode() in head.split(b"\r\n")
    assert b"Content-Type: application/json" in head.split(b"\r\n")
