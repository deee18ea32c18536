"""The servers under test: the product as a task serves it, the stock DRF peer and the Go anchor."""

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parent.parent
# The product's port when none is given (bench.instructions and bench.wsgi_calls name it).
APP_PORT = 8091


@dataclass
class Server:
    name: str
    base_url: str
    process: subprocess.Popen
    startup_seconds: float

    def rss_mb(self) -> float:
        """Resident memory of the whole process tree (master and workers), in MiB."""
        root = psutil.Process(self.process.pid)
        tree = [root, *root.children(recursive=True)]
        return sum(process.memory_info().rss for process in tree) / 2**20

    def stop(self) -> None:
        os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def app_environment(database_url: str) -> dict[str, str]:
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "project.settings.production",
        "DJANGO_SECRET_KEY": "benchmark-only-" + "k" * 40,
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
        "DATABASE_URL": database_url,
        "DB_SSLMODE": "disable",
        "RELEASE_VERSION": "bench",
        # Every request is logged, as in production; the lines go to a file rather than the terminal.
        "PYTHONUNBUFFERED": "1",
    }


def start_app(
    database_url: str,
    log: Path,
    extra_env: dict[str, str] | None = None,
    *,
    wrapper: Sequence[str] = (),
    startup_timeout: float = 120,
    port: int = APP_PORT,
) -> Server:
    """The product as a task serves it, on ``port``: the one place the benchmark says how, so whatever
    stands in front of gunicorn in a task stands here too. gunicorn exactly as the container runs it (the
    repo's gunicorn.conf.py); ``wrapper`` is a command it runs under (valgrind, for bench.instructions)."""
    env = app_environment(database_url) | (extra_env or {}) | {"PORT": str(port)}
    gunicorn = [sys.executable, "-m", "gunicorn", "-c", str(ROOT / "gunicorn.conf.py"), "project.wsgi:application"]
    return _start("app", [*wrapper, *gunicorn], env, f"http://127.0.0.1:{port}", log, startup_timeout)


def start_stock(stock_dir: Path, database_url: str, log: Path, *, port: int) -> Server:
    """The stock DRF peer from ``../shared/anchors/drf-stock`` (gunicorn 2 x 4), on this interpreter and
    its libraries; its run.sh creates its table. No post limit: the peer's throttle rate is left unset."""
    env = {**os.environ, "DATABASE_URL": database_url, "PYTHON": sys.executable}
    command = ["bash", str(stock_dir / "run.sh"), f"127.0.0.1:{port}"]
    return _start("stock", command, env, f"http://127.0.0.1:{port}", log)


def start_anchor(anchor_dir: Path, database_url: str, log: Path, *, port: int) -> Server:
    """The seed's Go stack from ``../shared/anchors/go-seed`` (its run.sh installs Go and lib/pq if needed)."""
    env = {**os.environ, "DATABASE_URL": database_url + "?sslmode=disable"}
    command = ["bash", str(anchor_dir / "run.sh"), f"127.0.0.1:{port}"]
    # Build once before timing start-up, so the figure is the server's start, not the compiler's.
    _start("anchor-build", command, env, f"http://127.0.0.1:{port}", log).stop()
    return _start("anchor", command, env, f"http://127.0.0.1:{port}", log)


def _start(
    name: str, command: list[str], env: dict[str, str], base_url: str, log: Path, startup_timeout: float = 120
) -> Server:
    """Run ``command`` in its own process group; return once ``base_url`` answers ``/health`` with a 200."""
    started = time.perf_counter()
    with log.open("ab") as sink:
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=sink, stderr=sink, start_new_session=True)
    deadline = started + startup_timeout
    while time.perf_counter() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{name} exited with {process.returncode}; see {log}")
        try:
            with urllib.request.urlopen(base_url + "/health", timeout=1) as response:  # noqa: S310 - loopback
                if response.status == 200:
                    return Server(name, base_url, process, time.perf_counter() - started)
        except OSError:
            time.sleep(0.01)
    # Not left running: it would hold the port, and the next start would fail on it.
    Server(name, base_url, process, startup_timeout).stop()
    raise RuntimeError(f"{name} did not answer /health within {startup_timeout:g} s; see {log}")
