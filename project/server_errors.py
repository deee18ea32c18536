"""gunicorn's own error answers in the API's JSON error shape, instead of its HTML page.

gunicorn refuses some requests itself, before Django sees them: a request line over its length limit
(414), too many or too large headers (431), a malformed request line or chunk (400). It writes those
answers as an HTML page; the API promises one JSON error shape and documents these statuses
(``messaging.api.schema``). gunicorn has no setting for its error pages, so ``install`` replaces
``gunicorn.util.write_error``, the one function its workers write them with
(``tests/container/test_contract.py`` checks the answers of the pinned version).

The body is compact orjson, the bytes the API's renderer writes for the same error
(``messaging.api.errors.ErrorResponse``); DRF's renderer itself cannot be imported here, before Django's
settings are loaded.
"""

import orjson
from gunicorn import util

from messaging.api.error_shape import error_body

# Codes in the style of the API's own (snake case), by status; any other status gets "error".
CODES = {
    400: "bad_request",
    403: "forbidden",
    414: "uri_too_long",
    417: "expectation_failed",
    431: "request_header_fields_too_large",
    501: "not_implemented",
}


def write_json_error(sock, status_int: int, reason: str, mesg: str) -> None:
    kind = "client_error" if status_int < 500 else "server_error"
    body = orjson.dumps(error_body(kind, CODES.get(status_int, "error"), mesg))
    head = (
        f"HTTP/1.1 {status_int} {reason}\r\n"
        "Connection: close\r\n"
        "Content-Type: application/json\r\n"
        f"Content-Length: {len(body)}\r\n"
        "\r\n"
    )
    util.write_nonblock(sock, head.encode("latin-1") + body)


def install() -> None:
    util.write_error = write_json_error
