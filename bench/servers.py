"""The servers under test: the product as a task serves it, the stock DRF peer and the Go anchor."""

import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import psutil

from deploy.config import ENVIRONMENTS
from deploy.proxy.render import COMMAND as PROXY_COMMAND
from deploy.proxy.render import PREFIX_VARIABLE, proxy_environment

ROOT = Path(__file__).resolve().parent.parent
# The product's port when none is given (bench.instructions and bench.wsgi_calls name it).
APP_PORT = 8091


@dataclass
class Server:
    name: str
    base_url: str
    process: subprocess.Popen
    startup_seconds: float
    # What stands behind this server and stops after it (gunicorn behind the task's proxy).
    upstream: "Server | None" = None

    def rss_mb(self) -> float:
        """Resident memory of the whole process tree (master and workers), in MiB."""
        root = psutil.Process(self.process.pid)
        tree = [root, *root.children(recursive=True)]
        own = sum(process.memory_info().rss for process in tree) / 2**20
        return own + (self.upstream.rss_mb() if self.upstream else 0)

    def stop(self) -> None:
        os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
        if self.upstream:
            self.upstream.stop()


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
    proxied: bool = True,
) -> Server:
    """The product as a task serves it, on ``port``: the one place the benchmark says how, so whatever
    stands in front of gunicorn in a task stands here too. gunicorn exactly as the container runs it (the
    repo's gunicorn.conf.py) behind the task's nginx, started with the proxy container's own command and
    configuration (``deploy.proxy``); ``proxied=False`` serves gunicorn alone on ``port``. ``wrapper`` is a
    command gunicorn runs under (valgrind, for bench.instructions)."""
    app_port = free_port() if proxied else port
    env = app_environment(database_url) | (extra_env or {}) | {"PORT": str(app_port)}
    gunicorn = [sys.executable, "-m", "gunicorn", "-c", str(ROOT / "gunicorn.conf.py"), "project.wsgi:application"]
    app = _start("app", [*wrapper, *gunicorn], env, f"http://127.0.0.1:{app_port}", log, startup_timeout)
    if not proxied:
        return app
    try:
        return _start_proxy(app, log, port=port, app_port=app_port)
    except BaseException:
        app.stop()
        raise


def _start_proxy(app: Server, log: Path, *, port: int, app_port: int) -> Server:
    """The task's nginx in front of ``app`` (Debian's ``nginx``, installed if missing, as wrk is)."""
    nginx = shutil.which("nginx", path=f"{os.environ.get('PATH', '')}{os.pathsep}/usr/sbin")
    if nginx is None:
        subprocess.run(["apt-get", "install", "-y", "-qq", "nginx"], check=True, capture_output=True)
    prefix = Path(tempfile.mkdtemp(prefix="bench-nginx-"))
    # Run as root, nginx's workers are nobody: they must reach the buffer directories under the prefix.
    prefix.chmod(0o755)
    env = {
        "PATH": f"{os.environ.get('PATH', '')}{os.pathsep}/usr/sbin",
        # The same proxy in every environment: prod's configuration stands for both, as in the tests.
        **proxy_environment(ENVIRONMENTS["prod"], listen_port=port, app_port=app_port),
        PREFIX_VARIABLE: str(prefix),
    }
    proxy = _start("app", list(PROXY_COMMAND), env, f"http://127.0.0.1:{port}", log)
    proxy.upstream = app
    proxy.startup_seconds += app.startup_seconds
    return proxy


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
