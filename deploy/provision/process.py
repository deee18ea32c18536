"""Long-running tools (the CDK CLI, docker) as child processes whose output becomes progress events.

A child runs in a session of its own, so a Ctrl-C reaches this process only, which then stops the child
(SIGINT, then SIGKILL) and waits for it: nothing is left running behind the command. While the child says
nothing for ``heartbeat_seconds``, a line tells what is awaited and for how long it has been.
"""

from __future__ import annotations

import os
import queue
import signal
import subprocess
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from deploy.bluegreen.events import Event, Level, Progress

HEARTBEAT_SECONDS = 30
# How long a stopped child gets to finish its own clean-up (the CDK CLI cancels its work) before SIGKILL.
STOP_GRACE_SECONDS = 10


@dataclass(frozen=True, kw_only=True)
class Finished:
    returncode: int
    output: list[str]
    elapsed_seconds: float


def elapsed_text(seconds: float) -> str:
    """``42 s``, ``3 min 05 s``: how long a wait has lasted, as the operator reads it."""
    minutes, seconds = divmod(int(seconds), 60)
    return f"{minutes} min {seconds:02d} s" if minutes else f"{seconds} s"


def process_run(
    argv: Sequence[str],
    *,
    awaited: str,
    progress: Progress,
    cwd: Path | None = None,
    stdin_text: str | None = None,
    show_output: bool = True,
    heartbeat_seconds: float = HEARTBEAT_SECONDS,
    clock: Callable[[], float] = time.monotonic,
) -> Finished:
    """Run ``argv`` to its end, streaming its lines (stdout and stderr together) as indented progress."""
    started = clock()
    try:
        child = subprocess.Popen(
            list(argv),
            cwd=cwd,
            stdin=subprocess.PIPE if stdin_text is not None else subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            # The CLI's lines carry emoji: never let a C locale turn one into a crash.
            encoding="utf-8",
            errors="replace",
            start_new_session=True,
        )
    except OSError as error:
        return Finished(returncode=127, output=[f"{argv[0]}: {error.strerror}"], elapsed_seconds=0.0)
    lines: queue.Queue[str | None] = queue.Queue()
    reader = threading.Thread(target=_read_lines, args=(child, stdin_text, lines), daemon=True)
    reader.start()
    output: list[str] = []
    try:
        while True:
            try:
                line = lines.get(timeout=heartbeat_seconds)
            except queue.Empty:
                progress(Event(Level.INFO, f"  waiting for {awaited} ({elapsed_text(clock() - started)} so far)"))
                continue
            if line is None:
                break
            output.append(line)
            if show_output:
                progress(Event(Level.INFO, f"    {line}"))
        returncode = child.wait()
    finally:
        if child.poll() is None:
            process_stop(child)
    return Finished(returncode=returncode, output=output, elapsed_seconds=clock() - started)


def _read_lines(child: subprocess.Popen, stdin_text: str | None, lines: queue.Queue) -> None:
    if stdin_text is not None and child.stdin:
        try:
            child.stdin.write(stdin_text)
            child.stdin.close()
        except BrokenPipeError:
            pass
    for line in child.stdout or ():
        lines.put(line.rstrip("\n"))
    lines.put(None)


def process_stop(child: subprocess.Popen) -> None:
    """SIGINT to the child's whole session (as a terminal's Ctrl-C would), then SIGKILL after the grace."""
    for signum, grace in ((signal.SIGINT, STOP_GRACE_SECONDS), (signal.SIGKILL, STOP_GRACE_SECONDS)):
        try:
            os.killpg(child.pid, signum)
        except ProcessLookupError:
            break
        try:
            child.wait(timeout=grace)
            break
        except subprocess.TimeoutExpired:
            continue
