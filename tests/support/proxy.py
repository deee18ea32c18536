"""Run a task as ECS does: gunicorn (the image's command) behind the proxy (the task definition's nginx command).

The proxy is rendered by ``deploy.proxy.render`` and started with the proxy container's own command, as
the unprivileged user; only its ports and prefix directory are this test's own. nginx comes from the
system (Debian's ``nginx``): without it the tests that need it skip, naming the package, except
in CI (``CI=true``), where a missing proxy is a failure.

    with running_task(env=production_env(database_url)) as task:
        task.get("/health")      # through the proxy, as the load balancer sends it
        task.app.port            # gunicorn's own loopback port
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import tempfile
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests

from deploy.config import ENVIRONMENTS
from deploy.proxy.render import COMMAND, PREFIX_VARIABLE, proxy_environment
from project.runtime import HEALTH_PATH
from tests.support.gunicorn import (
    UNPRIVILEGED_GID,
    UNPRIVILEGED_UID,
    GunicornServer,
    ServerStartError,
    as_unprivileged,
    free_port,
    start_gunicorn,
)

NGINX_PACKAGE = "nginx"
# The proxy is the same in every environment; prod's configuration stands for both.
CONFIG = ENVIRONMENTS["prod"]
SYSTEM_BIN = "/usr/sbin"


def nginx_path() -> str | None:
    return shutil.which("nginx", path=f"{os.environ.get('PATH', '')}{os.pathsep}{SYSTEM_BIN}")


def require_nginx() -> None:
    """Skip without nginx on a developer's machine; fail in CI, which must have installed it."""
    if nginx_path() is not None:
        return
    reason = f"the proxy tests need nginx: apt-get install {NGINX_PACKAGE}"
    if os.environ.get("CI") == "true":
        pytest.fail(f"{reason} (CI installs it in .ci/run)")
    pytest.skip(reason)


@dataclass
class TaskServer:
    """gunicorn and its proxy; ``port`` and ``url`` are the proxy's, as the load balancer targets."""

    app: GunicornServer
    proxy: subprocess.Popen
    port: int
    prefix: Path
    log_path: Path

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def get(self, path: str, *, timeout: float = 5, **kwargs) -> requests.Response:
        return requests.get(self.url + path, timeout=timeout, **kwargs)

    def post(self, path: str, *, timeout: float = 5, **kwargs) -> requests.Response:
        return requests.post(self.url + path, timeout=timeout, **kwargs)

    def worker_pids(self) -> list[int]:
        return self.app.worker_pids()

    def steady_workers(self, count: int = 2, timeout: float = 10) -> list[int]:
        return self.app.steady_workers(count, timeout)

    def proxy_memory_bytes(self) -> int:
        """The resident memory of nginx's master and workers, read from /proc (Linux)."""
        master = self.proxy.pid
        children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
        return sum(_resident_bytes(int(pid)) for pid in [master, *children])

    def output(self) -> str:
        """gunicorn's output, then the proxy's."""
        proxy = self.log_path.read_text(errors="replace") if self.log_path.exists() else ""
        return f"{self.app.output()}\n--- proxy ---\n{proxy}"

    def wait_healthy(self, timeout: float = 15) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proxy.poll() is not None:
                raise ServerStartError(f"nginx exited with {self.proxy.returncode}:\n{self.output()}")
            with contextlib.suppress(requests.RequestException):
                if self.get(HEALTH_PATH, timeout=1).status_code == 200:
                    return
            time.sleep(0.05)
        raise ServerStartError(f"no healthy answer through the proxy within {timeout} s:\n{self.output()}")

    def stop(self) -> None:
        """Stop the proxy (gracefully, as ECS stops the task's dependent container first), then gunicorn."""
        if self.proxy.poll() is None:
            self.proxy.send_signal(signal.SIGQUIT)
            try:
                self.proxy.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proxy.kill()
                self.proxy.wait(timeout=10)
        self.app.stop()


def _resident_bytes(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    return 0  # a process exiting has no memory left


def _writable_prefix() -> Path:
    prefix = Path(tempfile.mkdtemp(prefix="nginx-"))
    if os.geteuid() == 0:
        os.chown(prefix, UNPRIVILEGED_UID, UNPRIVILEGED_GID)
    return prefix


def start_proxy(app: GunicornServer, *, port: int | None = None, startup_timeout: float = 15) -> TaskServer:
    """The proxy container's command in front of ``app``, on ``port`` (a free one by default)."""
    require_nginx()
    port = port or free_port()
    prefix = _writable_prefix()
    env = {
        "PATH": f"{os.environ.get('PATH', '')}{os.pathsep}{SYSTEM_BIN}",
        **proxy_environment(CONFIG, listen_port=port, app_port=app.port),
        PREFIX_VARIABLE: str(prefix),
    }
    log_path = prefix.parent / f"{prefix.name}.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            as_unprivileged(COMMAND), env=env, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT
        )
    task = TaskServer(app=app, proxy=process, port=port, prefix=prefix, log_path=log_path)
    try:
        task.wait_healthy(startup_timeout)
    except ServerStartError:
        task.stop()
        raise
    return task


def start_task(*, env: Mapping[str, str], startup_timeout: float = 15) -> TaskServer:
    """gunicorn with ``env`` laid over the image's, then the proxy in front of it, both healthy."""
    require_nginx()
    app = start_gunicorn(env=env, startup_timeout=startup_timeout)
    try:
        return start_proxy(app, startup_timeout=startup_timeout)
    except BaseException:
        app.stop()
        raise


@contextlib.contextmanager
def running_task(**kwargs) -> Iterator[TaskServer]:
    task = start_task(**kwargs)
    try:
        yield task
    finally:
        task.stop()
        task.app.log_path.unlink(missing_ok=True)
        task.log_path.unlink(missing_ok=True)
        shutil.rmtree(task.prefix, ignore_errors=True)
