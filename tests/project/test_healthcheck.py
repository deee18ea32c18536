"""project.healthcheck: the container health check command, exit 0 on a 200 from /health and 1 otherwise."""

import subprocess
import sys

import pytest

from project import healthcheck
from project.runtime import APP_PORT, HEALTH_PATH
from tests.support.dockerfile import REPO_ROOT
from tests.support.gunicorn import free_port
from tests.support.stub_http import stub_http_server


@pytest.fixture
def stub_server():
    """A local HTTP server answering every GET with the status the test sets."""
    with stub_http_server() as server:
        yield server


def test_checks_the_health_path_on_gunicorns_own_port(monkeypatch):
    monkeypatch.delenv("PORT", raising=False)
    assert healthcheck.health_url() == f"http://127.0.0.1:{APP_PORT}{HEALTH_PATH}"


def test_follows_the_port_variable_gunicorn_binds_to(monkeypatch):
    monkeypatch.setenv("PORT", "18080")
    assert healthcheck.health_url() == f"http://127.0.0.1:18080{HEALTH_PATH}"


def test_exits_zero_when_health_answers_200(stub_server, monkeypatch):
    monkeypatch.setenv("PORT", str(stub_server.server_port))
    assert healthcheck.main() == 0


def test_exits_one_when_health_answers_an_error(stub_server, monkeypatch):
    stub_server.answer_status = 503
    monkeypatch.setenv("PORT", str(stub_server.server_port))
    assert healthcheck.main() == 1


def test_exits_one_when_nothing_listens(monkeypatch):
    monkeypatch.setenv("PORT", str(free_port()))
    assert healthcheck.main() == 1


def test_ignores_proxy_settings(stub_server, monkeypatch):
    monkeypatch.setenv("PORT", str(stub_server.server_port))
    monkeypatch.setenv("http_proxy", f"http://127.0.0.1:{free_port()}")
    assert healthcheck.main() == 0


def test_runs_without_importing_django():
    """Each check is a fresh interpreter every 30 s: it must stay a stdlib-only start-up."""
    probe = "import sys, project.healthcheck; sys.exit('django' in sys.modules)"
    assert subprocess.run([sys.executable, "-c", probe], cwd=REPO_ROOT, timeout=30).returncode == 0
