"""The benchmark's load generation, run for real with wrk against a small local HTTP server."""

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from bench import load

TARGET_RPS = 150


class Ok(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as wrk's connections expect
    disable_nagle_algorithm = True  # headers and body go out in two writes; do not hold the second back

    def do_GET(self):
        self.send_response(200)
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"{}")

    def log_message(self, *args):
        pass


class Server(ThreadingHTTPServer):
    request_queue_size = 128  # the default 5 drops the burst of wrk's first connections


@pytest.fixture(scope="module")
def url():
    load.ensure_tools()
    server = Server(("127.0.0.1", 0), Ok)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}/"
    server.shutdown()


def test_at_rate_holds_near_the_rate_asked_for(url):
    paced = load.at_rate(url, rps=TARGET_RPS, seconds=3)

    # Loose bounds: this checks the pacing works at all (a closed loop would run at thousands a second),
    # not how precisely a busy machine keeps time.
    assert TARGET_RPS * 0.5 < paced.rps < TARGET_RPS * 1.5
    assert paced.errors == 0
    assert 0 < paced.p50_ms <= paced.p99_ms


def test_peak_runs_flat_out(url):
    result = load.peak(url, seconds=1, connections=4)

    assert result.rps > TARGET_RPS * 2
    assert result.errors == 0
