"""project.healthcheck: the container health check command, exit 0 on a 200 from /health and 1 otherwise."""

import http.server
import subprocess
import sys
import threading

import pytest

from deploy.config import CONTAINER_PORT, HEALTH_PATH
from project import healthcheck
from tests.support.dockerfile import REPO_ROOT
from tests.support.gunicorn import free_port


@pytest.fixture
def stub_server():
    """A local HTTP server answering every GET with the status the test sets."""
    answer = {"status": 200}

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            self.send_response(answer["status"])
            self.end_headers()

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield server, answer
    server.shutdown()
    server.server_close()


def test_checks_the_health_path_on_the_container_port(monkeypatch):
    monkeypatch.delenv("PORT", raising=False)
    assert healthcheck.health_url() == f"http://127.0.0.1:{CONTAINER_PORT}{HEALTH_PATH}"


def test_follows_the_port_variable_gunicorn_binds_to(monkeypatch):
    monkeypatch.setenv("PORT", "18080")
    assert healthcheck.health_url() == f"http://127.0.0.1:18080{HEALTH_PATH}"


def test_exits_zero_when_health_answers_200(stub_server, monkeypatch):
    server, _ = stub_server
    monkeypatch.setenv("PORT", str(server.server_address[1]))
    assert healthcheck.main() == 0


def test_exits_one_when_health_answers_an_error(stub_server, monkeypatch):
    server, answer = stub_server
    answer["status"] = 503
    monkeypatch.setenv("PORT", str(server.server_address[1]))
    assert healthcheck.main() == 1


def test_exits_one_when_nothing_listens(monkeypatch):
    monkeypatch.setenv("PORT", str(free_port()))
    assert healthcheck.main() == 1


def test_ignores_proxy_settings(stub_server, monkeypatch):
    server, _ = stub_server
    monkeypatch.setenv("PORT", str(server.server_address[1]))
    monkeypatch.setenv("http_proxy", f"http://127.0.0.1:{free_port()}")
    assert healthcheck.main() == 0


def test_runs_without_importing_django():
    """Each check is a fresh interpreter every 30 s: it must stay a stdlib-only start-up."""
    probe = "import sys, project.healthcheck; sys.exit('django' in sys.modules)"
    assert subprocess.run([sys.executable, "-c", probe], cwd=REPO_ROOT, timeout=30).returncode == 0
