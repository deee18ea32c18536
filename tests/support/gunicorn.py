"""Run the image's own server command (the Dockerfile CMD with gunicorn.conf.py) from the repo on a free port.

For tests that need a real server process: the container contract, load, worker crashes and graceful
shutdown. As root, the server drops to an unprivileged uid as the image's ``USER`` does.

    with running_gunicorn(env=production_env(database_url)) as server:
        server.get("/health")
        server.terminate()
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import stat
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import requests

from project.runtime import HEALTH_PATH
from tests.support.dockerfile import REPO_ROOT, read_image_contract

# nobody/nogroup: exists on every Debian-like system and owns nothing in the repository.
UNPRIVILEGED_UID = 65534
UNPRIVILEGED_GID = 65534
# Variables the image sets that point into the image's own filesystem; the repo's venv replaces them.
IMAGE_PATH_VARIABLES = frozenset({"PATH", "PYTHONPATH"})


class ServerStartError(RuntimeError):
    """Raised when the server exits or does not answer its health check in time; carries its output."""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def production_env(database_url: str, **overrides: str) -> dict[str, str]:
    """The variables ECS gives the container, for a local database without TLS."""
    return {
        "DJANGO_SECRET_KEY": "server-tests-only-not-secret",
        "DJANGO_ALLOWED_HOSTS": "localhost,127.0.0.1",
        "DATABASE_URL": database_url,
        "DB_SSLMODE": "disable",
        **overrides,
    }


def image_env() -> dict[str, str]:
    """The Dockerfile's ENV, with the venv running this test standing in for the image's paths."""
    env = {name: value for name, value in read_image_contract().env.items() if name not in IMAGE_PATH_VARIABLES}
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"
    env["PYTHONPATH"] = str(REPO_ROOT)
    return env


def _traversable_by_others(path: Path) -> bool:
    return all(parent.stat().st_mode & stat.S_IXOTH for parent in [path, *path.parents] if parent.is_dir())


def as_unprivileged(argv: Sequence[str]) -> list[str]:
    """``argv`` run as nobody:nogroup when the tests run as root (as the image's USER does), else unchanged.

    ``setpriv`` execs the command, so the returned process id is the command's own. Where the Python
    running the tests sits under a directory others cannot enter (pyenv in a 0700 /root), the user keeps
    one capability, to read and traverse directories, and still cannot write anything it does not own.
    """
    if os.geteuid() != 0:
        return list(argv)
    prefix = ["setpriv", f"--reuid={UNPRIVILEGED_UID}", f"--regid={UNPRIVILEGED_GID}", "--clear-groups"]
    interpreter = Path(os.path.realpath(sys.executable)).parent
    if not (_traversable_by_others(interpreter) and _traversable_by_others(REPO_ROOT)):
        prefix += ["--inh-caps=+dac_read_search", "--ambient-caps=+dac_read_search"]
    return [*prefix, "--", *argv]


@dataclass
class GunicornServer:
    process: subprocess.Popen
    port: int
    log_path: Path
    started_at: float = field(default_factory=time.monotonic)
    # Seconds from process start to the first healthy answer, set by start_gunicorn(wait=True).
    startup_seconds: float | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def pid(self) -> int:
        return self.process.pid

    def get(self, path: str, *, timeout: float = 5, **kwargs) -> requests.Response:
        return requests.get(self.url + path, timeout=timeout, **kwargs)

    def post(self, path: str, *, timeout: float = 5, **kwargs) -> requests.Response:
        return requests.post(self.url + path, timeout=timeout, **kwargs)

    def wait_healthy(self, timeout: float = 15) -> float:
        """Poll ``/health`` until it answers 200; return the seconds since the process started."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise ServerStartError(f"gunicorn exited with {self.process.returncode}:\n{self.output()}")
            with contextlib.suppress(requests.RequestException):
                if self.get(HEALTH_PATH, timeout=1).status_code == 200:
                    return time.monotonic() - self.started_at
            time.sleep(0.05)
        raise ServerStartError(f"no healthy answer on {self.url}{HEALTH_PATH} within {timeout} s:\n{self.output()}")

    def worker_pids(self) -> list[int]:
        """The master's direct children, read from /proc (Linux)."""
        children = Path(f"/proc/{self.pid}/task/{self.pid}/children")
        return [int(pid) for pid in children.read_text().split()] if children.exists() else []

    def steady_workers(self, count: int = 2, timeout: float = 10) -> list[int]:
        """The worker pids, sorted, once ``count`` workers (the production sizing's) are up."""
        deadline = time.monotonic() + timeout
        while len(self.worker_pids()) != count:
            if time.monotonic() > deadline:
                raise ServerStartError(f"not {count} workers within {timeout} s:\n{self.output()}")
            time.sleep(0.05)
        return sorted(self.worker_pids())

    def signal(self, signum: int) -> None:
        self.process.send_signal(signum)

    def terminate(self, timeout: float = 60) -> int:
        """Send SIGTERM, as ECS does on stop, and wait for the exit code."""
        self.signal(signal.SIGTERM)
        return self.process.wait(timeout=timeout)

    def stop(self) -> None:
        """End the server whatever its state: SIGTERM, then SIGKILL if it lingers."""
        if self.process.poll() is None:
            try:
                self.terminate(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)

    def output(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""


def start_gunicorn(
    *,
    env: Mapping[str, str],
    command: Sequence[str] | None = None,
    port: int | None = None,
    unprivileged: bool = True,
    wait: bool = True,
    startup_timeout: float = 15,
) -> GunicornServer:
    """Start ``command`` (default: the Dockerfile's ENTRYPOINT + CMD) from the repo root.

    ``env`` is laid over the image's ENV; ``PORT`` moves the bind address. The caller stops the server
    (``stop()``), or uses ``running_gunicorn`` which does.
    """
    port = port or free_port()
    argv = list(command or read_image_contract().process)
    if unprivileged:
        argv = as_unprivileged(argv)
    log_file = tempfile.NamedTemporaryFile(prefix="gunicorn-", suffix=".log", delete=False)  # noqa: SIM115
    full_env = {**image_env(), **env, "PORT": str(port)}
    process = subprocess.Popen(
        argv,
        cwd=REPO_ROOT,
        env=full_env,
        stdin=subprocess.DEVNULL,
        stdout=log_file,
        stderr=subprocess.STDOUT,
    )
    log_file.close()
    server = GunicornServer(process=process, port=port, log_path=Path(log_file.name))
    if wait:
        try:
            server.startup_seconds = server.wait_healthy(startup_timeout)
        except ServerStartError:
            server.stop()
            raise
    return server


@contextlib.contextmanager
def running_gunicorn(**kwargs) -> Iterator[GunicornServer]:
    server = start_gunicorn(**kwargs)
    try:
        yield server
    finally:
        server.stop()
        server.log_path.unlink(missing_ok=True)
