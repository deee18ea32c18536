"""A throwaway PostgreSQL cluster from the installed server binaries, for tests that stop the database.

The shared server the suite runs against is never touched: the cluster lives in a temporary directory,
listens on a free loopback port and is removed afterwards. As root, the binaries run as the ``postgres``
OS user (PostgreSQL refuses to run as root).
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

SERVER_BINARY_GLOB = "/usr/lib/postgresql/*/bin"


class PostgresUnavailableError(RuntimeError):
    """Raised when no PostgreSQL server binaries are installed or the cluster does not start."""


def server_bindir() -> Path | None:
    """The directory holding ``initdb`` and ``pg_ctl``: the newest Debian-style install, else ``PATH``."""
    for candidate in sorted(glob.glob(SERVER_BINARY_GLOB), reverse=True):
        if Path(candidate, "initdb").exists():
            return Path(candidate)
    found = shutil.which("initdb")
    return Path(found).parent if found else None


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class ThrowawayCluster:
    """``initdb`` once, then ``start``/``stop`` at will; ``url`` points at its ``postgres`` database."""

    def __init__(self, *, bindir: Path, port: int | None = None) -> None:
        self.bindir = bindir
        self.port = port or free_port()
        self.root = Path(tempfile.mkdtemp(prefix="throwaway-pg-"))
        self.datadir = self.root / "data"
        self.log = self.root / "server.log"
        self._run_as = _unprivileged_user()

    @property
    def url(self) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/postgres"

    def init(self) -> ThrowawayCluster:
        if self._run_as:
            user = pwd.getpwnam(self._run_as)
            os.chown(self.root, user.pw_uid, user.pw_gid)
        self._run("initdb", "-D", str(self.datadir), "-U", "postgres", "-A", "trust", "--no-sync", "-E", "UTF8")
        return self

    def start(self, timeout: float = 30) -> None:
        # fsync off: the tests stop the server process, never the machine, so nothing is lost without it.
        options = (
            f"-c listen_addresses=127.0.0.1 -c port={self.port} -c unix_socket_directories={self.root} -c fsync=off"
        )
        self._run(
            "pg_ctl", "start", "-D", str(self.datadir), "-l", str(self.log), "-o", options, "-w", "-t", str(timeout)
        )

    def stop(self, mode: str = "immediate") -> None:
        """Stop the server; ``immediate`` kills it without a checkpoint, as a crash or a failover would."""
        self._run("pg_ctl", "stop", "-D", str(self.datadir), "-m", mode, "-w", check=False)

    def is_accepting(self) -> bool:
        with socket.socket() as probe:
            probe.settimeout(0.5)
            return probe.connect_ex(("127.0.0.1", self.port)) == 0

    def remove(self) -> None:
        self.stop()
        shutil.rmtree(self.root, ignore_errors=True)

    def _run(self, program: str, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        command = [str(self.bindir / program), *args]
        if self._run_as:
            command = ["runuser", "-u", self._run_as, "--", *command]
        result = subprocess.run(command, capture_output=True, text=True, timeout=120, cwd=self.root)
        if check and result.returncode != 0:
            log = self.log.read_text() if self.log.exists() else ""
            raise PostgresUnavailableError(f"{program} failed: {result.stderr or result.stdout}\n{log}")
        return result


def _unprivileged_user() -> str | None:
    if os.geteuid() != 0:
        return None
    try:
        pwd.getpwnam("postgres")
    except KeyError:
        raise PostgresUnavailableError("running as root and there is no postgres OS user to run the server") from None
    return "postgres"


def wait_until(predicate, *, timeout: float, interval: float = 0.1) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(interval)
    return predicate()
