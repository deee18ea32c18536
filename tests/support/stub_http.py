"""A local HTTP server that answers every GET and POST with a fixed status and a two-byte JSON body.

For tests of clients that need something real to talk to (the health check command, the benchmark's
load generator). HTTP/1.1 keep-alive, as load tools expect, with Nagle's algorithm off so a response's
headers and body are not held apart, and a listen backlog large enough for a burst of connections.

    with stub_http_server() as server:
        server.answer_status = 503
        urllib.request.urlopen(server.url)

It keeps the headers of every POST it answered in ``posted``.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class StubServer(ThreadingHTTPServer):
    request_queue_size = 128  # the default 5 drops the burst of a load tool's first connections
    answer_status = 200

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.posted: list[dict[str, str]] = []

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_port}/"


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True

    def do_GET(self):
        self.send_response(self.server.answer_status)
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"{}")

    def do_POST(self):
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        self.server.posted.append(dict(self.headers))
        self.do_GET()

    def log_message(self, *args):
        pass


@contextlib.contextmanager
def stub_http_server() -> Iterator[StubServer]:
    server = StubServer(("127.0.0.1", 0), _Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()
