"""gunicorn.conf.py: the server settings the image runs with, and the environment variables that move them."""

import runpy
import subprocess
import sys
from types import SimpleNamespace

import pytest
from django.conf import settings
from gunicorn import glogging
from gunicorn.config import Config

from project.bulkhead import database_slots
from project.log_format import JSON_FORMATTER
from project.runtime import APP_PORT, DEFAULT_WORKER_THREADS, GRACEFUL_TIMEOUT_SECONDS, STOP_TIMEOUT_SECONDS
from tests.support.dockerfile import REPO_ROOT

CONFIG = REPO_ROOT / "gunicorn.conf.py"
TUNABLES = ("PORT", "GUNICORN_WORKERS", "GUNICORN_THREADS", "GUNICORN_TIMEOUT", "GUNICORN_GRACEFUL_TIMEOUT")


@pytest.fixture
def load(monkeypatch):
    for name in TUNABLES:
        monkeypatch.delenv(name, raising=False)

    def load(**env: str) -> dict:
        for name, value in env.items():
            monkeypatch.setenv(name, value)
        return runpy.run_path(str(CONFIG))

    return load


def test_binds_only_the_loopback_app_port_the_proxy_passes_requests_to(load):
    assert load()["bind"] == [f"127.0.0.1:{APP_PORT}"]


def test_port_variable_moves_the_bind_address(load):
    assert load(PORT="18080")["bind"] == ["127.0.0.1:18080"]


def test_serves_the_project_wsgi_application(load):
    assert load()["wsgi_app"] == "project.wsgi:application"


def test_threaded_workers_sized_for_a_quarter_vcpu_task(load):
    config = load()
    assert config["worker_class"] == "gthread"
    assert (config["workers"], config["threads"]) == (2, DEFAULT_WORKER_THREADS)
    # One thread per worker stays free of database work for /health (project.bulkhead).
    assert database_slots(config["threads"]) == config["threads"] - 1


def test_each_worker_listens_on_its_own_socket_so_the_kernel_spreads_connections(load):
    assert load()["reuse_port"] is True


def test_worker_and_thread_counts_come_from_the_environment(load):
    config = load(GUNICORN_WORKERS="3", GUNICORN_THREADS="8")
    assert (config["workers"], config["threads"]) == (3, 8)


def test_graceful_shutdown_ends_before_ecs_kills_the_container(load):
    config = load()
    assert config["graceful_timeout"] == GRACEFUL_TIMEOUT_SECONDS
    assert config["graceful_timeout"] < STOP_TIMEOUT_SECONDS


def test_workers_are_recycled_with_jitter(load):
    config = load()
    assert config["max_requests"] > 0
    assert 0 < config["max_requests_jitter"] < config["max_requests"]


def test_idle_connections_outlive_the_load_balancer_idle_timeout(load):
    alb_idle_timeout_seconds = 60
    assert load()["keepalive"] > alb_idle_timeout_seconds


def test_access_log_is_left_to_the_app_request_log(load):
    """RequestLogMiddleware writes one JSON line per request; a gunicorn access line would repeat it."""
    config = load()
    assert config["accesslog"] is None
    assert "project.middleware.RequestLogMiddleware" in settings.MIDDLEWARE


def test_server_logs_are_json_on_stdout(load):
    logging = load()["logconfig_dict"]
    handler = logging["handlers"]["stdout"]
    assert handler["stream"] == "ext://sys.stdout"
    assert logging["formatters"][handler["formatter"]] == JSON_FORMATTER
    assert logging["loggers"]["gunicorn.error"]["propagate"] is True
    assert logging["root"]["handlers"] == ["stdout"]


def test_the_preloaded_app_is_frozen_out_of_garbage_collection_before_workers_fork():
    probe = (
        "import gc, os, runpy;"
        "os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'project.settings.test');"
        "from project.wsgi import application;"
        f"runpy.run_path({str(CONFIG)!r})['when_ready'](None);"
        "print(gc.get_freeze_count(), len(gc.get_objects()))"
    )
    result = subprocess.run([sys.executable, "-c", probe], cwd=REPO_ROOT, capture_output=True, text=True, timeout=60)

    assert result.returncode == 0, result.stderr
    frozen, still_tracked = map(int, result.stdout.split())
    assert frozen > 10_000
    assert still_tracked < frozen / 10


def test_requests_are_never_formatted_for_an_access_log(load, monkeypatch):
    """A logging config switches gunicorn's access log on; the server's logger must not pay for it."""
    config = load()
    server_config = Config()
    server_config.set("logconfig_dict", config["logconfig_dict"])

    def atoms(*args):
        raise AssertionError("an access line was built")

    monkeypatch.setattr(glogging.Logger, "atoms", atoms)
    request = SimpleNamespace(method="GET", path="/health", headers=[])
    with pytest.raises(AssertionError, match="an access line was built"):
        glogging.Logger(server_config).access(None, request, {}, None)

    assert config["logger_class"](server_config).access(None, request, {}, None) is None
