"""Starting the servers under test."""

import sys

import psutil
import pytest

from bench import servers


def test_a_server_that_never_answers_is_stopped_not_left_holding_its_port(tmp_path):
    sleeper = [sys.executable, "-c", "import time; time.sleep(60)"]
    before = set(psutil.pids())

    with pytest.raises(RuntimeError, match="did not answer /health within 1 s"):
        servers._start("silent", sleeper, {}, "http://127.0.0.1:9", tmp_path / "log", startup_timeout=1)

    started = [pid for pid in set(psutil.pids()) - before if psutil.pid_exists(pid)]
    assert not [pid for pid in started if "time.sleep(60)" in " ".join(_cmdline(pid))]


def _cmdline(pid: int) -> list[str]:
    try:
        return psutil.Process(pid).cmdline()
    except psutil.Error:
        return []
