"""HTTP/1.1 over a bare socket: the request exactly as written, which client libraries would normalise.

Lets a test send a path with ``..`` in it, a body that lies about its type, a body too large for the
server to read, or chunked encoding, and still read the answer the server sends before it closes.
"""

from __future__ import annotations

import contextlib
import json
import socket
import threading
from dataclasses import dataclass, field


@dataclass(frozen=True)
class RawResponse:
    status: int
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""

    def json(self):
        return json.loads(self.body)

    def header(self, name: str) -> str | None:
        return self.headers.get(name.lower())


def exchange(
    port: int,
    method: str,
    path: str,
    *,
    headers: dict[str, str] | None = None,
    body: bytes | None = None,
    chunked: bool = False,
    timeout: float = 10,
) -> RawResponse:
    """Send one request on a fresh connection (``Connection: close``) and read the answer to the end.

    The body is sent from a thread while the answer is read, so a server that answers 413 without
    reading a large body is heard even if it then resets the connection.
    """
    lines = [f"{method} {path} HTTP/1.1", "Host: 127.0.0.1", "Connection: close"]
    headers = dict(headers or {})
    if body is not None:
        if chunked:
            headers.setdefault("Transfer-Encoding", "chunked")
        else:
            headers.setdefault("Content-Length", str(len(body)))
    lines += [f"{name}: {value}" for name, value in headers.items()]
    head = ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")
    payload = _chunks(body) if (body is not None and chunked) else (body or b"")

    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as sock:
        sender = threading.Thread(target=_send_quietly, args=(sock, head + payload), daemon=True)
        sender.start()
        received = bytearray()
        # A reset after the answer is the server refusing the rest of a body; no answer is checked below.
        with contextlib.suppress(ConnectionResetError):
            while chunk := sock.recv(65536):
                received += chunk
        sender.join(timeout)
    return _parse(bytes(received))


def _send_quietly(sock: socket.socket, data: bytes) -> None:
    # An error means the server stopped reading: it has answered (or closed) already.
    with contextlib.suppress(OSError):
        sock.sendall(data)


def _chunks(body: bytes, size: int = 65536) -> bytes:
    parts = [b"%x\r\n%s\r\n" % (len(body[i : i + size]), body[i : i + size]) for i in range(0, len(body), size)]
    return b"".join(parts) + b"0\r\n\r\n"


def _parse(raw: bytes) -> RawResponse:
    head, separator, body = raw.partition(b"\r\n\r\n")
    if not separator:
        raise ConnectionError(f"no complete HTTP answer; received {raw[:200]!r}")
    status_line, *header_lines = head.decode("latin-1").split("\r\n")
    headers = {}
    for line in header_lines:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    if headers.get("transfer-encoding", "").lower() == "chunked":
        body = _dechunk(body)
    elif "content-length" in headers:
        body = body[: int(headers["content-length"])]
    return RawResponse(status=int(status_line.split()[1]), headers=headers, body=body)


def _dechunk(data: bytes) -> bytes:
    body = bytearray()
    while data:
        size_line, _, data = data.partition(b"\r\n")
        size = int(size_line.split(b";")[0], 16)
        if size == 0:
            break
        body += data[:size]
        data = data[size + 2 :]
    return bytes(body)
