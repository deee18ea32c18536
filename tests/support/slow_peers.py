"""Clients too slow for the server's good: one that sends its body a byte at a time or never, one that never reads.

Every socket operation has a timeout and every loop an end, so a server that misbehaves fails the test
instead of hanging it.
"""

from __future__ import annotations

import contextlib
import http.client
import io
import selectors
import socket
import struct
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from tests.support.traffic import error_code


@dataclass(frozen=True)
class SlowExchange:
    """What a slow client saw; times are seconds from the moment it started sending."""

    status: int | None
    body: bytes
    answered_after: float | None
    closed_after: float | None  # end of file or reset seen; None: still open when the client gave up
    body_bytes_sent: int

    @property
    def error_code(self) -> str | None:
        return error_code(self.body)


def slow_request(
    port: int,
    method: str,
    path: str,
    *,
    declared_length: int,
    body: bytes = b"",
    byte_interval: float = 1.0,
    give_up_after: float = 10.0,
) -> SlowExchange:
    """Send a request announcing a ``declared_length`` body, then ``body`` one byte every ``byte_interval`` s.

    A ``body`` shorter than announced (or none at all) is a client that never finishes sending. Whatever
    the server answers meanwhile is read; the client stops at the server's close or after ``give_up_after``.
    """
    head = (
        f"{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
        f"Content-Length: {declared_length}\r\n\r\n"
    ).encode()
    received = bytearray()
    answered_after = closed_after = None
    sent = 0
    with socket.create_connection(("127.0.0.1", port), timeout=5) as sock, selectors.DefaultSelector() as selector:
        started = time.monotonic()
        sock.sendall(head)
        selector.register(sock, selectors.EVENT_READ)
        next_byte = started
        while (now := time.monotonic()) - started < give_up_after:
            if now >= next_byte and sent < len(body):
                # The server may have shut its side already: a failed send is not the end, its answer may be read.
                with contextlib.suppress(OSError):
                    sock.send(body[sent : sent + 1])
                    sent += 1
                next_byte += byte_interval
            if not selector.select(timeout=max(min(next_byte - time.monotonic(), 0.5), 0.01)):
                continue
            try:
                chunk = sock.recv(65536)
            except OSError:
                # A reset: Linux hands over what had already arrived before reporting it, so nothing is lost.
                chunk = b""
            elapsed = time.monotonic() - started
            if not chunk:
                closed_after = elapsed
                break
            if answered_after is None:
                answered_after = elapsed
            received += chunk
    status, answer_body = parse_answer(bytes(received))
    return SlowExchange(status, answer_body, answered_after, closed_after, sent)


def parse_answer(raw: bytes) -> tuple[int | None, bytes]:
    """The status and body of the HTTP/1.1 answer in ``raw``, by the standard library's own parser
    (chunked or not); (None, b"") when nothing was answered, the body as far as it came when cut short."""
    if not raw:
        return None, b""
    response = http.client.HTTPResponse(_Received(raw))
    try:
        response.begin()
    except http.client.HTTPException:
        return None, b""
    try:
        return response.status, response.read()
    except http.client.IncompleteRead as exc:
        return response.status, exc.partial


class _Received:
    """Bytes already received, shaped as the socket ``http.client.HTTPResponse`` reads from."""

    def __init__(self, data: bytes) -> None:
        self._data = data

    def makefile(self, mode: str) -> io.BufferedReader:
        return io.BufferedReader(io.BytesIO(self._data))


def slow_requests_at_once(count: int, port: int, method: str, path: str, **kwargs) -> list[SlowExchange]:
    """``count`` ``slow_request`` calls side by side, each on its own connection; their results in order."""
    with ThreadPoolExecutor(count) as pool:
        return list(pool.map(lambda _: slow_request(port, method, path, **kwargs), range(count)))


def pipeline_without_reading(port: int, request: bytes, *, count: int, receive_buffer: int = 65536) -> socket.socket:
    """Send ``request`` ``count`` times down one new connection, then read nothing; the caller closes it.

    A small receive buffer, set before connecting (it turns off the kernel's autotuning), makes the answers
    back up into the server's send path after a few pages instead of after tens of megabytes.
    """
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, receive_buffer)
    sock.settimeout(5)
    sock.connect(("127.0.0.1", port))
    sock.sendall(request * count)
    return sock


def reset(sock: socket.socket) -> None:
    """Close with a reset (linger 0): the server's queued answers are dropped, not sent on for minutes."""
    with contextlib.suppress(OSError):
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    sock.close()
